import { Writable } from 'node:stream';
import { withInflightLimit } from '../../src/pushkins/limit';
import type { Outcome, SendContext } from '../../src/pushkins/pushkin';
import { createLogger } from '../../src/observability/logger';
import { fakePushkin } from '../support/fake-pushkin';

const ctx: SendContext = {
  deadline: Date.now() + 60_000,
  requestId: 'req',
  log: createLogger({ level: 'error', format: 'json' }, new Writable({ write(_c, _e, done) { done(); } })),
};
const notification = { event_id: '$e', devices: [] };
const device = (pushkey: string) => ({ app_id: 'com.example.ios', pushkey });

/** A pushkin whose sends stay in flight until released one by one. */
function heldPushkin() {
  const releases: Array<(o: Outcome) => void> = [];
  const inner = fakePushkin('com.example.ios', () => new Promise<Outcome>((resolve) => releases.push(resolve)), 'fcm');
  return { inner, releaseNext: () => releases.shift()!({ kind: 'delivered', fit: 'full' }) };
}

describe('withInflightLimit', () => {
  test('passes up to the limit, refuses the next with a retryable 503 outcome, and frees the slot afterwards', async () => {
    const { inner, releaseNext } = heldPushkin();
    let limited = 0;
    const limitedPushkin = withInflightLimit(inner, 2, () => limited++);
    const first = limitedPushkin.send(notification, device('a'), ctx);
    const second = limitedPushkin.send(notification, device('b'), ctx);
    expect(await limitedPushkin.send(notification, device('c'), ctx)).toEqual({
      kind: 'temporary', reason: 'inflight_limit', inflightLimited: true, retryAfterMs: 1000,
    });
    expect(limited).toBe(1);
    expect(inner.sent.map((s) => s.device.pushkey)).toEqual(['a', 'b']);

    releaseNext();
    expect(await first).toEqual({ kind: 'delivered', fit: 'full' });
    const third = limitedPushkin.send(notification, device('d'), ctx);
    expect(inner.sent.map((s) => s.device.pushkey)).toEqual(['a', 'b', 'd']);
    releaseNext();
    releaseNext();
    await Promise.all([second, third]);
  });

  test('a send that throws still frees its slot', async () => {
    const inner = fakePushkin('com.example.ios', () => { throw new Error('bug'); });
    const limitedPushkin = withInflightLimit(inner, 1, () => undefined);
    await expect(limitedPushkin.send(notification, device('a'), ctx)).rejects.toThrow('bug');
    await expect(limitedPushkin.send(notification, device('b'), ctx)).rejects.toThrow('bug');
    expect(inner.sent).toHaveLength(2);
  });

  test('keeps the app id and backend and closes the inner pushkin', async () => {
    let closed = false;
    const inner = { ...fakePushkin('com.example.android', undefined, 'fcm'), close: async () => { closed = true; } };
    const limitedPushkin = withInflightLimit(inner, 1, () => undefined);
    expect([limitedPushkin.appId, limitedPushkin.backend]).toEqual(['com.example.android', 'fcm']);
    await limitedPushkin.close();
    expect(closed).toBe(true);
  });
});
