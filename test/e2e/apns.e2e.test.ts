/**
 * Issue 2, end to end: the APNs pushkin through the real node-apn against the APNs simulator —
 * token errors, retries within request_timeout_ms, dead-key memory, dedup, both auth methods
 * and pushkeys that cannot be tokens.
 */
import { hexTokenFor } from '../../src/simulators/scenarios';
import { IOS, IOS_CERT, apnsPushkey, defaultApps, notification, startE2E, type E2E } from './harness';
import { sampleValue, scrape } from './metrics-text';

const HEX_APP = 'org.herald.test.ios.hex';
const WRONG_KEY = 'org.herald.test.ios.wrongkey';
const TIMEOUT_MS = 1500;
/** A loaded two-core machine may answer late; the bound still proves the deadline holds. */
const SLACK_MS = 1000;

const tokenOf = (pushkey: string) => Buffer.from(pushkey, 'base64').toString('hex');

describe('APNs end to end (node-apn → simulator)', () => {
  let e2e: E2E;
  beforeAll(async () => {
    e2e = await startE2E({
      http: { request_timeout_ms: TIMEOUT_MS },
      apnsOptions: { slowMs: TIMEOUT_MS + 1500 },
      apps: (f) => {
        const apps = defaultApps(f);
        const ios = apps[IOS] as Record<string, unknown>;
        return {
          ...apps,
          [HEX_APP]: { ...ios, convert_device_token_to_hex: false },
          [WRONG_KEY]: { ...ios, key_id: 'WRONGKEY99' },
        };
      },
    });
  }, 30_000);
  afterAll(() => e2e.close());
  beforeEach(() => e2e.apns.reset());

  const sentTo = (pushkey: string) => e2e.apns.received.filter((r) => r.token === tokenOf(pushkey));

  test('token errors (bad, gone, mismatch = DeviceTokenNotForTopic) are rejected after one attempt each', async () => {
    const dead = ['bad', 'gone', 'mismatch'].map((word, i) => ({ app_id: IOS, pushkey: apnsPushkey(word, 100 + i) }));
    const live = { app_id: IOS, pushkey: apnsPushkey('ok', 103) };
    const res = await e2e.notify(notification([...dead, live]));
    expect(res.status).toBe(200);
    expect([...res.body.rejected].sort()).toEqual(dead.map((d) => d.pushkey).sort());
    expect(dead.map((d) => sentTo(d.pushkey).map((r) => [r.status, r.reason]))).toEqual([
      [[400, 'BadDeviceToken']],
      [[410, 'Unregistered']],
      [[400, 'DeviceTokenNotForTopic']],
    ]);
    expect(sentTo(live.pushkey).map((r) => r.status)).toEqual([200]);
  });

  test('a 503 (flaky token) is retried with the same apns-id and delivered', async () => {
    const pushkey = apnsPushkey('flaky', 110);
    const res = await e2e.notify(notification([{ app_id: IOS, pushkey }]));
    expect(res).toMatchObject({ status: 200, body: { rejected: [] } });
    const attempts = sentTo(pushkey);
    expect(attempts.map((r) => r.status)).toEqual([503, 200]);
    expect(attempts[1].headers['apns-id']).toBe(attempts[0].headers['apns-id']);
  });

  test('a burst of 503s is retried until it passes', async () => {
    e2e.apns.setFaults({ status5xxBurst: 2 });
    const pushkey = apnsPushkey('ok', 111);
    const res = await e2e.notify(notification([{ app_id: IOS, pushkey }]));
    expect(res).toMatchObject({ status: 200, body: { rejected: [] } });
    expect(sentTo(pushkey).map((r) => r.status)).toEqual([503, 503, 200]);
  });

  test.each([
    ['429 (busy)', 'busy', 429],
    ['500 (fail)', 'fail', 500],
  ])('%s is retried, then answered 502 within request_timeout_ms', async (_name, word, status) => {
    const pushkey = apnsPushkey(word, 120);
    const res = await e2e.notify(notification([{ app_id: IOS, pushkey }]));
    expect(res.status).toBe(502);
    expect(res.body.errcode).toBe('M_UNKNOWN');
    expect(res.ms).toBeLessThan(TIMEOUT_MS + SLACK_MS);
    const attempts = sentTo(pushkey);
    expect(attempts.length).toBeGreaterThanOrEqual(2);
    expect(new Set(attempts.map((r) => r.status))).toEqual(new Set([status]));
  });

  test('a provider slower than request_timeout_ms is answered 502 at the deadline', async () => {
    const res = await e2e.notify(notification([{ app_id: IOS, pushkey: apnsPushkey('slow', 125) }, { app_id: IOS, pushkey: apnsPushkey('gone', 126) }]));
    expect(res.status).toBe(502);
    expect(res.ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
    expect(res.ms).toBeLessThan(TIMEOUT_MS + SLACK_MS);
  });

  test('gone + fail: 502, and on the retry the dead key is rejected without a second send', async () => {
    const gone = { app_id: IOS, pushkey: apnsPushkey('gone', 130) };
    const fail = { app_id: IOS, pushkey: apnsPushkey('fail', 131) };
    const body = notification([gone, fail]);
    const first = await e2e.notify(body);
    expect(first.status).toBe(502);
    expect(sentTo(gone.pushkey)).toHaveLength(1);

    const retry = await e2e.notify(body);
    expect(retry.status).toBe(502);
    expect(sentTo(gone.pushkey)).toHaveLength(1);

    const ok = { app_id: IOS, pushkey: apnsPushkey('ok', 132) };
    const later = await e2e.notify(notification([gone, ok]));
    expect(later).toMatchObject({ status: 200, body: { rejected: [gone.pushkey] } });
    expect(sentTo(gone.pushkey)).toHaveLength(1);
  });

  test('a duplicate event_id for the same pushkey is not resent; a new event is', async () => {
    const device = { app_id: IOS, pushkey: apnsPushkey('ok', 140) };
    const body = notification([device], { event_id: '$dup-140' });
    expect((await e2e.notify(body)).status).toBe(200);
    expect((await e2e.notify(body)).status).toBe(200);
    expect(sentTo(device.pushkey)).toHaveLength(1);
    expect((await e2e.notify(notification([device], { event_id: '$next-140' }))).status).toBe(200);
    expect(sentTo(device.pushkey)).toHaveLength(2);
  });

  test('token auth: the simulator verifies the ES256 provider token', async () => {
    const pushkey = apnsPushkey('ok', 150);
    await e2e.notify(notification([{ app_id: IOS, pushkey }]));
    const [push] = sentTo(pushkey);
    expect(push.status).toBe(200);
    const jwt = push.headers.authorization.replace(/^bearer /i, '');
    const header = JSON.parse(Buffer.from(jwt.split('.')[0], 'base64url').toString());
    expect(header).toMatchObject({ alg: 'ES256', kid: 'TESTKEY001' });
    expect(push.headers['apns-topic']).toBe('org.herald.test');
  });

  test('token auth with a key id the simulator does not know: refused by APNs, dropped (200, not rejected)', async () => {
    const pushkey = apnsPushkey('ok', 151);
    const res = await e2e.notify(notification([{ app_id: WRONG_KEY, pushkey }]));
    expect(res).toMatchObject({ status: 200, body: { rejected: [] } });
    expect(sentTo(pushkey).map((r) => [r.status, r.reason])).toEqual([[403, 'InvalidProviderToken']]);
    const metrics = await scrape(e2e.metricsUrl);
    expect(sampleValue(metrics, 'herald_pushes_total', { app: WRONG_KEY, backend: 'apns', outcome: 'dropped' })).toBe(1);
  });

  test('certificate auth: the test client certificate authenticates the connection', async () => {
    const pushkey = apnsPushkey('ok', 160);
    const res = await e2e.notify(notification([{ app_id: IOS_CERT, pushkey }]));
    expect(res).toMatchObject({ status: 200, body: { rejected: [] } });
    const [push] = sentTo(pushkey);
    expect(push.status).toBe(200);
    expect(push.headers.authorization).toBeUndefined();
  });

  test.each([
    ['not base64 at all', IOS, 'this is not a token!'],
    ['base64 with stray characters', IOS, `${apnsPushkey('ok', 170).slice(0, 20)}$$${apnsPushkey('ok', 170).slice(20)}`],
    ['base64 with wrong padding', IOS, 'abc=='],
    ['base64 with non-canonical trailing bits', IOS, 'abd='],
    ['not hex on a convert_device_token_to_hex: false app', HEX_APP, 'zz' + hexTokenFor('ok').slice(2)],
    ['odd-length hex', HEX_APP, hexTokenFor('ok').slice(1)],
  ])('a pushkey that cannot be a token (%s) is rejected without a send', async (_name, app_id, pushkey) => {
    const res = await e2e.notify(notification([{ app_id, pushkey }]));
    expect(res).toMatchObject({ status: 200, body: { rejected: [pushkey] } });
    expect(e2e.apns.received).toHaveLength(0);
  });

  test('a hex pushkey on a convert_device_token_to_hex: false app is delivered as that token', async () => {
    const pushkey = hexTokenFor('ok').toUpperCase();
    const res = await e2e.notify(notification([{ app_id: HEX_APP, pushkey }]));
    expect(res).toMatchObject({ status: 200, body: { rejected: [] } });
    expect(e2e.apns.received.map((r) => [r.token, r.status])).toEqual([[hexTokenFor('ok'), 200]]);
  });
});
