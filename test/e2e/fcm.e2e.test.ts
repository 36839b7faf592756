/**
 * Issue 4, end to end: the FCM pushkin through the real firebase-admin against the FCM simulator
 * (v1 send route and the OAuth token_uri): data shapes, token errors, retries within
 * request_timeout_ms, token reuse, and one request fanned out to APNs and FCM.
 */
import { ANDROID, IOS, apnsPushkey, defaultApps, notification, startE2E, type E2E } from './harness';

const TIMEOUT_MS = 2000;
const SLACK_MS = 1000;

const ROOM_ID = '!slw48wfj34rtnrf:example.com';

describe('FCM end to end (firebase-admin → simulator)', () => {
  let e2e: E2E;
  beforeAll(async () => {
    e2e = await startE2E({
      http: { request_timeout_ms: TIMEOUT_MS },
      fcmOptions: { slowMs: TIMEOUT_MS + 1500 },
      apps: (f) => {
        const apps = defaultApps(f);
        return { [IOS]: apps[IOS], [ANDROID]: apps[ANDROID] };
      },
    });
  }, 30_000);
  afterAll(() => e2e.close());
  beforeEach(() => {
    e2e.apns.reset();
    e2e.fcm.reset();
  });

  const messagesTo = (token: string) => e2e.fcm.received.filter((r) => r.token === token);
  const messageOf = (token: string) => (messagesTo(token)[0].body as { message: any }).message;

  test.each([
    {
      name: 'full message: Sygnal v1 data, content_<key>, counts as strings',
      notification: {
        event_id: '$full', room_id: ROOM_ID, type: 'm.room.message', sender: '@tom:example.org', sender_display_name: 'Major Tom',
        room_name: 'Mission Control', room_alias: '#control:example.org', prio: 'high',
        content: { msgtype: 'm.text', body: 'Ground control', nested: { ignored: true } }, counts: { unread: 2, missed_calls: 1 },
      },
      data: {
        event_id: '$full', room_id: ROOM_ID, type: 'm.room.message', sender: '@tom:example.org', sender_display_name: 'Major Tom',
        room_name: 'Mission Control', room_alias: '#control:example.org', prio: 'high',
        content_msgtype: 'm.text', content_body: 'Ground control', unread: '2', missed_calls: '1',
      },
      priority: 'high',
    },
    {
      name: 'prio low → android.priority normal',
      notification: { event_id: '$low', room_id: ROOM_ID, type: 'm.room.message', prio: 'low', counts: { unread: 1 } },
      data: { event_id: '$low', room_id: ROOM_ID, type: 'm.room.message', prio: 'normal', unread: '1' },
      priority: 'normal',
    },
    {
      name: 'event_id_only',
      notification: { event_id: '$only', room_id: ROOM_ID, counts: { unread: 3 } },
      data: { event_id: '$only', room_id: ROOM_ID, prio: 'high', unread: '3' },
      priority: 'high',
    },
    {
      name: 'badge-only',
      notification: { counts: { unread: 5, missed_calls: 2 } },
      data: { prio: 'high', unread: '5', missed_calls: '2' },
      priority: 'high',
    },
    {
      name: 'badge clear (unread: 0) is sent, not dropped',
      notification: { counts: { unread: 0 } },
      data: { prio: 'high', unread: '0' },
      priority: 'high',
    },
  ].map((c, i) => ({ ...c, token: `android-shape-${i}` })))('$name', async ({ notification: n, data, priority, token }) => {
    const res = await e2e.notify({ notification: { ...n, devices: [{ app_id: ANDROID, pushkey: token }] } });
    expect(res).toMatchObject({ status: 200, body: { rejected: [] } });
    expect(messagesTo(token).map((r) => r.status)).toEqual([200]);
    const message = messageOf(token);
    expect(message.data).toEqual(data);
    expect(Object.values(message.data).every((v) => typeof v === 'string')).toBe(true);
    expect(message.android.priority).toBe(priority);
    expect(message.notification).toBeUndefined();
  });

  test('an oversized plain message has its text shortened to fit 4096 data bytes, ending in …', async () => {
    const body = 'Grüße 🚀 '.repeat(800);
    const res = await e2e.notify({ notification: { event_id: '$long', room_id: ROOM_ID, type: 'm.room.message', content: { msgtype: 'm.text', body }, devices: [{ app_id: ANDROID, pushkey: 'ok-long-1' }] } });
    expect(res).toMatchObject({ status: 200, body: { rejected: [] } });
    const [push] = messagesTo('ok-long-1');
    expect(push.status).toBe(200);
    expect(push.payloadBytes).toBeLessThanOrEqual(4096);
    const shortened: string = messageOf('ok-long-1').data.content_body;
    expect(shortened.endsWith('…')).toBe(true);
    expect(body.startsWith(shortened.slice(0, -1))).toBe(true);
    // Cutting no more than needed: the message is close to the limit.
    expect(push.payloadBytes).toBeGreaterThan(4000);
  });

  test('a plain message that cannot be shortened to fit (huge default_payload) arrives as the content_omitted fallback', async () => {
    const device = { app_id: ANDROID, pushkey: 'ok-huge-1', data: { default_payload: { blob: 'x'.repeat(5000) } } };
    const res = await e2e.notify({ notification: { event_id: '$huge', room_id: ROOM_ID, type: 'm.room.message', counts: { unread: 1 }, devices: [device] } });
    expect(res).toMatchObject({ status: 200, body: { rejected: [] } });
    expect(messageOf('ok-huge-1').data).toEqual({ content_omitted: 'true', event_id: '$huge', room_id: ROOM_ID });
  });

  test('gone… (UNREGISTERED) and bad… (INVALID_ARGUMENT) are rejected after one attempt; mismatch… is dropped', async () => {
    const res = await e2e.notify(notification([
      { app_id: ANDROID, pushkey: 'gone-fcm-1' },
      { app_id: ANDROID, pushkey: 'bad-fcm-1' },
      { app_id: ANDROID, pushkey: 'mismatch-fcm-1' },
      { app_id: ANDROID, pushkey: 'ok-fcm-1' },
    ]));
    expect(res.status).toBe(200);
    expect([...res.body.rejected].sort()).toEqual(['bad-fcm-1', 'gone-fcm-1']);
    expect(messagesTo('gone-fcm-1').map((r) => [r.status, r.reason])).toEqual([[404, 'UNREGISTERED']]);
    expect(messagesTo('bad-fcm-1').map((r) => [r.status, r.reason])).toEqual([[400, 'INVALID_ARGUMENT']]);
    expect(messagesTo('mismatch-fcm-1').map((r) => r.status)).toEqual([403]);
  });

  test('flaky… is delivered after a retry', async () => {
    const res = await e2e.notify(notification([{ app_id: ANDROID, pushkey: 'flaky-fcm-1' }]));
    expect(res).toMatchObject({ status: 200, body: { rejected: [] } });
    expect(messagesTo('flaky-fcm-1').map((r) => r.status)).toEqual([503, 200]);
  });

  test.each([
    ['busy… (429)', 'busy-fcm-1', 429],
    ['fail… (500)', 'fail-fcm-1', 500],
  ])('%s is retried, then answered 502 within request_timeout_ms', async (_name, token, status) => {
    const res = await e2e.notify(notification([{ app_id: ANDROID, pushkey: token }]));
    expect(res.status).toBe(502);
    expect(res.body.errcode).toBe('M_UNKNOWN');
    expect(res.ms).toBeLessThan(TIMEOUT_MS + SLACK_MS);
    const attempts = messagesTo(token);
    expect(attempts.length).toBeGreaterThanOrEqual(2);
    expect(new Set(attempts.map((r) => r.status))).toEqual(new Set([status]));
    if (status === 429) {
      // The simulator's Retry-After (1 s) is honoured: far longer than the first backoff step.
      expect(attempts[1].receivedAt - attempts[0].receivedAt).toBeGreaterThanOrEqual(900);
    }
  });

  test('a provider slower than request_timeout_ms is answered 502 at the deadline', async () => {
    const res = await e2e.notify(notification([{ app_id: ANDROID, pushkey: 'slow-fcm-1' }]));
    expect(res.status).toBe(502);
    expect(res.ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
    expect(res.ms).toBeLessThan(TIMEOUT_MS + SLACK_MS);
  });

  test('one request with an APNs and an FCM device reaches both; each one\'s dead key is rejected', async () => {
    const ios = { app_id: IOS, pushkey: apnsPushkey('ok', 400) };
    const iosGone = { app_id: IOS, pushkey: apnsPushkey('gone', 401) };
    const res = await e2e.notify(notification([ios, { app_id: ANDROID, pushkey: 'ok-both-1' }, iosGone, { app_id: ANDROID, pushkey: 'gone-both-1' }]));
    expect(res.status).toBe(200);
    expect([...res.body.rejected].sort()).toEqual([iosGone.pushkey, 'gone-both-1'].sort());
    expect(e2e.apns.received.map((r) => r.status).sort()).toEqual([200, 410]);
    expect(e2e.fcm.received.map((r) => r.status).sort()).toEqual([200, 404]);
  });

  // Runs last: every send above used the access token fetched for the first one.
  test('the OAuth access token is fetched once and reused across requests', async () => {
    for (let i = 0; i < 3; i++) {
      expect((await e2e.notify(notification([{ app_id: ANDROID, pushkey: `ok-reuse-${i}` }]))).status).toBe(200);
    }
    expect(e2e.fcm.tokensIssued).toBe(1);
    expect(new Set(e2e.fcm.received.map((r) => r.headers.authorization)).size).toBe(1);
  });
});
