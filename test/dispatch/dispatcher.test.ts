import { Writable } from 'node:stream';
import { Registry } from 'prom-client';
import { AppRegistry } from '../../src/dispatch/app-registry';
import { dispatch, summarise, type DispatchDeps } from '../../src/dispatch/dispatcher';
import { InMemoryPushMemory } from '../../src/dispatch/push-memory';
import type { Device, Notification } from '../../src/notification';
import { createLogger } from '../../src/observability/logger';
import { createMetrics } from '../../src/observability/metrics';
import type { Outcome, Pushkin, SendContext } from '../../src/pushkins/pushkin';
import { fakePushkin } from '../support/fake-pushkin';

const APP = 'com.example.ios';

/** Outcome by pushkey prefix, as the simulators choose failures by token prefix. */
function byPrefix(device: Device): Outcome {
  const [word] = device.pushkey.split('-');
  switch (word) {
    case 'gone': return { kind: 'rejected', reason: 'Unregistered' };
    case 'fail': return { kind: 'temporary', reason: '500' };
    case 'drop': return { kind: 'dropped', reason: 'Forbidden' };
    case 'full': return { kind: 'temporary', reason: 'inflight_limit', inflightLimited: true, retryAfterMs: 2500 };
    case 'throw': throw new Error('bug in a pushkin');
    default: return { kind: 'delivered', fit: word === 'big' ? 'content_omitted' : 'full' };
  }
}

function setup(pushkins: Pushkin[] = [fakePushkin(APP, byPrefix)]) {
  const metrics = createMetrics(new Registry(), { defaultMetrics: false });
  const deps: DispatchDeps = { registry: new AppRegistry(pushkins), memory: new InMemoryPushMemory({ ttl_seconds: 60, max_entries: 100 }), metrics };
  const log = createLogger({ level: 'error', format: 'json' }, new Writable({ write(_c, _e, done) { done(); } }));
  const ctx = (timeoutMs = 2000): SendContext => ({ deadline: Date.now() + timeoutMs, requestId: 'req', log });
  return { deps, ctx, metrics };
}

/** `eventId: null` makes a badge-only notification. */
const plain = (pushkeys: string[], eventId: string | null = '$e', appId = APP): Notification => ({
  ...(eventId === null ? {} : { event_id: eventId }),
  room_id: '!r',
  counts: { unread: 1 },
  devices: pushkeys.map((pushkey) => ({ app_id: appId, pushkey })),
});

describe('dispatch', () => {
  test('200 with every rejection; dropped and delivered are not rejected', async () => {
    const { deps, ctx } = setup();
    const answer = await dispatch(plain(['ok-1', 'gone-1', 'drop-1', 'gone-2']), deps, ctx());
    expect(answer).toMatchObject({ status: 200, rejected: ['gone-1', 'gone-2'] });
    expect(summarise(answer.results)).toEqual({ delivered: 1, rejected: 2, dropped: 1 });
  });

  test('unknown and ambiguous app ids are rejected without a send', async () => {
    const pushkin = fakePushkin('im.*.beta', byPrefix);
    const { deps, ctx } = setup([pushkin, fakePushkin('im.example.*', byPrefix)]);
    const n: Notification = { event_id: '$e', devices: [{ app_id: 'com.unknown', pushkey: 'ok-u' }, { app_id: 'im.example.beta', pushkey: 'ok-a' }] };
    const answer = await dispatch(n, deps, ctx());
    expect(answer).toMatchObject({ status: 200, rejected: ['ok-u', 'ok-a'] });
    expect(answer.results).toEqual([{ kind: 'rejected', reason: 'unknown_app' }, { kind: 'rejected', reason: 'ambiguous_app' }]);
    expect(pushkin.sent).toHaveLength(0);
  });

  test('502 when a device fails temporarily, still carrying the other device\'s rejection', async () => {
    const { deps, ctx } = setup();
    const answer = await dispatch(plain(['gone-3', 'fail-3', 'ok-3']), deps, ctx());
    expect(answer).toMatchObject({ status: 502, rejected: ['gone-3'] });
  });

  test('an in-flight limit answers 503 with Retry-After in whole seconds, ahead of a 502', async () => {
    const { deps, ctx } = setup();
    const answer = await dispatch(plain(['full-4', 'fail-4', 'gone-4']), deps, ctx());
    expect(answer).toMatchObject({ status: 503, retryAfterSeconds: 3, rejected: ['gone-4'] });
  });

  test('a dead pushkey is remembered and rejected at once next time; a delivered event is not resent', async () => {
    const pushkin = fakePushkin(APP, byPrefix);
    const { deps, ctx } = setup([pushkin]);
    await dispatch(plain(['gone-5', 'ok-5']), deps, ctx());
    const again = await dispatch(plain(['gone-5', 'ok-5']), deps, ctx());
    expect(again).toMatchObject({ status: 200, rejected: ['gone-5'] });
    expect(again.results).toEqual([{ kind: 'rejected', reason: 'remembered_dead' }, { kind: 'duplicate' }]);
    expect(pushkin.sent.map((s) => s.device.pushkey)).toEqual(['gone-5', 'ok-5']);
    // A new event to the live key is sent.
    await dispatch(plain(['ok-5'], '$next'), deps, ctx());
    expect(pushkin.sent).toHaveLength(3);
  });

  test('notifications without an event_id, and encrypted ones, are never taken for duplicates', async () => {
    const pushkin = fakePushkin(APP, byPrefix);
    const { deps, ctx } = setup([pushkin]);
    const encrypted: Notification = { encrypted: { ephemeral: 'e', ciphertext: 'c', mac: 'm' }, devices: [{ app_id: APP, pushkey: 'ok-6' }] };
    for (let i = 0; i < 2; i++) {
      await dispatch(plain(['ok-6'], null), deps, ctx());
      await dispatch(encrypted, deps, ctx());
    }
    expect(pushkin.sent).toHaveLength(4);
  });

  test('a temporary failure is not remembered: the retry sends again', async () => {
    const pushkin = fakePushkin(APP, byPrefix);
    const { deps, ctx } = setup([pushkin]);
    await dispatch(plain(['fail-7']), deps, ctx());
    await dispatch(plain(['fail-7']), deps, ctx());
    expect(pushkin.sent).toHaveLength(2);
  });

  test('a pushkin that throws is a temporary failure (502), not a crash', async () => {
    const { deps, ctx } = setup();
    const answer = await dispatch(plain(['throw-8', 'gone-8']), deps, ctx());
    expect(answer).toMatchObject({ status: 502, rejected: ['gone-8'] });
    expect(answer.results[0]).toEqual({ kind: 'temporary', reason: 'internal_error' });
  });

  test('a device still pending at the deadline is a temporary failure; the others keep their outcome', async () => {
    const never = fakePushkin(APP, (d) => (d.pushkey.startsWith('hang') ? new Promise<Outcome>(() => undefined) : byPrefix(d)));
    const { deps, ctx } = setup([never]);
    const started = Date.now();
    const answer = await dispatch(plain(['hang-9', 'gone-9']), deps, ctx(150));
    expect(Date.now() - started).toBeLessThan(2000);
    expect(answer).toMatchObject({ status: 502, rejected: ['gone-9'] });
    expect(answer.results[0]).toEqual({ kind: 'temporary', reason: 'request_timeout' });
  });

  test('devices are sent concurrently', async () => {
    let release: () => void = () => undefined;
    const bothStarted = new Promise<void>((resolve) => { release = resolve; });
    let started = 0;
    const pushkin = fakePushkin(APP, async () => {
      // Each send waits for the other to have started: sequential sends would hit the deadline.
      if (++started === 2) release();
      await bothStarted;
      return { kind: 'delivered', fit: 'full' };
    });
    const { deps, ctx } = setup([pushkin]);
    expect((await dispatch(plain(['ok-a', 'ok-b']), deps, ctx(1000))).status).toBe(200);
  });

  test('metrics count each final outcome by app and backend, and the fit of delivered pushes', async () => {
    const { deps, ctx, metrics } = setup();
    await dispatch(plain(['ok-10', 'big-10', 'gone-10', 'drop-10', 'fail-10']), deps, ctx());
    await dispatch(plain(['ok-10']), deps, ctx());
    const pushes = (await metrics.pushes.get()).values.map((v) => [v.labels.outcome, v.value]);
    expect(Object.fromEntries(pushes)).toEqual({ delivered: 2, rejected: 1, dropped: 1, temporary_failure: 1, duplicate: 1 });
    const fits = (await metrics.payloadFits.get()).values.map((v) => [v.labels.app, v.labels.fit, v.value]);
    expect(fits).toEqual(expect.arrayContaining([[APP, 'full', 1], [APP, 'content_omitted', 1]]));
  });
});
