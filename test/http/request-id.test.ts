import { createRequestIds } from '../../src/http/request-id';

describe('request ids', () => {
  test('a sane incoming id is kept; a missing, odd or repeated header gets a fresh one', () => {
    const ids = createRequestIds();
    expect(ids('hs-retry-7:a.b_c')).toBe('hs-retry-7:a.b_c');
    for (const incoming of [undefined, 'has space', 'x'.repeat(65), ['a', 'b']]) expect(ids(incoming)).toMatch(/^[0-9a-f]{16}$/);
  });

  test('generated ids are unique, also across the counter wrapping round', () => {
    const bytes = [Buffer.from('0a0b0c0d', 'hex'), Buffer.from('fffffffe', 'hex')];
    const ids = createRequestIds(() => bytes.shift()!);
    const seen = Array.from({ length: 5 }, () => ids(undefined));
    expect(seen).toEqual(['0a0b0c0dffffffff', '0a0b0c0d00000000', '0a0b0c0d00000001', '0a0b0c0d00000002', '0a0b0c0d00000003']);
    expect(createRequestIds()(undefined).slice(0, 8)).not.toBe(createRequestIds()(undefined).slice(0, 8));
  });
});
