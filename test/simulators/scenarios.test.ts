import { randomBytes } from 'node:crypto';
import { hexTokenFor, scenarioOf, shortToken } from '../../src/simulators/scenarios';

describe('scenarioOf', () => {
  const apns = (token: string) => scenarioOf(token, { matchHexBytes: true });
  const fcm = (token: string) => scenarioOf(token, { matchHexBytes: false });

  it.each([
    ['bad0123', 'bad'],
    ['gone-device', 'gone'],
    ['busy', 'busy'],
    ['fail1', 'fail'],
    ['flaky9', 'flaky'],
    ['slowpoke', 'slow'],
    ['mismatch:x', 'mismatch'],
    ['device-1', 'ok'],
    ['Gone1', 'ok'],
  ] as const)('matches the text of %s as %s', (token, scenario) => {
    expect(apns(token)).toBe(scenario);
    expect(fcm(token)).toBe(scenario);
  });

  it.each(['gone', 'bad', 'busy', 'fail', 'flaky', 'slow', 'mismatch'] as const)(
    'matches the bytes of a hex token beginning with "%s" on APNs only',
    (word) => {
      const token = hexTokenFor(word);
      expect(token).toHaveLength(64);
      expect(apns(token)).toBe(word);
      expect(apns(token.toUpperCase())).toBe(word);
      expect(fcm(token)).toBe('ok');
    },
  );

  it('never matches the text of a real-shaped 64-hex token', () => {
    expect(apns(`bad${'f'.repeat(61)}`)).toBe('ok');
    // Random device tokens stay "ok" (a bytes match needs a 3-byte prefix: 1 in 16.7 million).
    for (let i = 0; i < 200; i++) expect(apns(`bad${randomBytes(32).toString('hex').slice(3)}`)).toBe('ok');
  });

  it('shortens tokens for logs', () => {
    expect(shortToken('abc')).toBe('abc');
    expect(shortToken('a'.repeat(64))).toBe('aaaaaaaa…(64)');
  });
});
