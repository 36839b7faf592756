import { cloneJson, layerPayloads } from '../../src/payload/merge';

describe('layerPayloads', () => {
  it('later layers win at the top level; nested objects other than aps are replaced whole', () => {
    expect(layerPayloads({ a: 1, nested: { x: 1, y: 2 } }, { a: 2, nested: { x: 3 } })).toEqual({ a: 2, nested: { x: 3 } });
  });

  it('merges aps key by key, and alert objects key by key', () => {
    const app = { aps: { sound: 'app', 'thread-id': 't', alert: { title: 'T', body: 'default' } } };
    const device = { aps: { sound: 'device' } };
    const herald = { aps: { badge: 1, alert: { body: 'herald' } } };
    expect(layerPayloads(app, device, herald)).toEqual({
      aps: { sound: 'device', 'thread-id': 't', badge: 1, alert: { title: 'T', body: 'herald' } },
    });
  });

  it('a string alert on either side is replaced whole', () => {
    expect(layerPayloads({ aps: { alert: 'hello' } }, { aps: { alert: { body: 'x' } } })).toEqual({ aps: { alert: { body: 'x' } } });
    expect(layerPayloads({ aps: { alert: { body: 'x' } } }, { aps: { alert: 'hello' } })).toEqual({ aps: { alert: 'hello' } });
  });

  it('ignores layers that are not objects and undefined values', () => {
    expect(layerPayloads(undefined, 'text', [1], null, { a: undefined, b: 1 })).toEqual({ b: 1 });
  });

  it('never reaches a prototype, at any depth', () => {
    const hostile = JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}, "aps": {"__proto__": {"polluted": true}}, "deep": {"__proto__": {"polluted": true}}}');
    const merged = layerPayloads(hostile, { aps: { badge: 1 } }) as Record<string, Record<string, unknown>>;
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(merged.polluted).toBeUndefined();
    expect(merged.aps.polluted).toBeUndefined();
    expect(merged.deep.polluted).toBeUndefined();
    expect(Object.keys(merged).sort()).toEqual(['aps', 'deep']);
    expect(Object.getPrototypeOf(merged.deep)).toBe(Object.prototype);
  });

  it('shares nothing with its inputs', () => {
    const input = { aps: { alert: { body: 'x' } }, list: [{ a: 1 }] };
    const merged = layerPayloads(input) as typeof input;
    merged.aps.alert.body = 'changed';
    merged.list[0].a = 2;
    expect(input).toEqual({ aps: { alert: { body: 'x' } }, list: [{ a: 1 }] });
  });
});

describe('cloneJson', () => {
  it('copies arrays and objects deeply and keeps scalars', () => {
    const value = { a: [1, { b: 'c' }], d: null, e: true };
    const copy = cloneJson(value);
    expect(copy).toEqual(value);
    expect(copy).not.toBe(value);
  });
});
