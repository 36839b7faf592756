/**
 * Issue 2, end to end: every error answer of the notify API (contract section 3) from the real
 * gateway, with the devices behind it going through node-apn to the APNs simulator.
 */
import { IOS, apnsPushkey, defaultApps, notification, startE2E, type E2E } from './harness';
import { sampleValue, scrape } from './metrics-text';

const LIMITED = 'org.herald.test.limited';
const GLOB_A = 'org.herald.glob.*';
const GLOB_B = 'org.herald.*.beta';
const SLOW_MS = 1200;

const tokenOf = (pushkey: string) => Buffer.from(pushkey, 'base64').toString('hex');

describe('notify errors end to end', () => {
  let e2e: E2E;
  beforeAll(async () => {
    e2e = await startE2E({
      http: { max_body_bytes: 16_384, max_devices: 5, max_inflight_requests: 2, request_timeout_ms: 2000 },
      apnsOptions: { slowMs: SLOW_MS },
      apps: (f) => {
        const apps = defaultApps(f);
        const ios = apps[IOS] as Record<string, unknown>;
        return {
          ...apps,
          [LIMITED]: { ...ios, inflight_request_limit: 1 },
          [GLOB_A]: ios,
          [GLOB_B]: ios,
        };
      },
    });
  }, 30_000);
  afterAll(() => e2e.close());
  beforeEach(() => e2e.apns.reset());

  const ok = (n: number) => ({ app_id: IOS, pushkey: apnsPushkey('ok', n) });

  test('200 {"rejected": []} for a delivered push', async () => {
    const res = await e2e.notify(notification([ok(1)]));
    expect(res).toMatchObject({ status: 200, body: { rejected: [] } });
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  });

  test.each([
    ['not JSON', Buffer.from('{"notification": ')],
    ['a JSON body that is not UTF-8', Buffer.concat([Buffer.from('{"notification":{"room_id":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}}')])],
    ['a lone surrogate byte sequence', Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}')])],
  ])('400 M_NOT_JSON for %s', async (_name, body) => {
    const res = await e2e.notify(body);
    expect(res.status).toBe(400);
    expect(res.body.errcode).toBe('M_NOT_JSON');
    expect(e2e.apns.received).toHaveLength(0);
  });

  test.each([
    ['no notification', { devices: [] }, 'notification'],
    ['devices missing', { notification: { event_id: '$e' } }, 'notification.devices'],
    ['devices empty', { notification: { event_id: '$e', devices: [] } }, 'notification.devices'],
    ['more devices than max_devices', notification(Array.from({ length: 6 }, (_, i) => ({ app_id: IOS, pushkey: apnsPushkey('ok', i) }))), 'notification.devices'],
    ['a device without pushkey', notification([{ app_id: IOS }]), 'notification.devices[0].pushkey'],
    ['a device without app_id', notification([{ pushkey: 'x' }]), 'notification.devices[0].app_id'],
    ['a numeric app_id', notification([{ app_id: 7, pushkey: 'x' }]), 'notification.devices[0].app_id'],
    ['counts of the wrong type', notification([{ app_id: IOS, pushkey: 'x' }], { counts: { unread: '2' } }), 'notification.counts.unread'],
    ['prio of the wrong value', notification([{ app_id: IOS, pushkey: 'x' }], { prio: 'urgent' }), 'notification.prio'],
  ])('400 M_BAD_JSON naming the field: %s', async (_name, body, field) => {
    const res = await e2e.notify(body);
    expect(res.status).toBe(400);
    expect(res.body.errcode).toBe('M_BAD_JSON');
    expect(res.body.error).toContain(`${field}:`);
    expect(e2e.apns.received).toHaveLength(0);
  });

  test('413 M_TOO_LARGE is an answer, not a dropped connection', async () => {
    const body = notification([ok(2)], { content: { msgtype: 'm.text', body: 'x'.repeat(2_000_000) } });
    const res = await e2e.notify(body);
    expect(res.status).toBe(413);
    expect(res.body.errcode).toBe('M_TOO_LARGE');
    // The connection still serves the next request.
    expect((await e2e.notify(notification([ok(3)]))).status).toBe(200);
  });

  test('404 M_UNRECOGNIZED for an unknown path, 405 for the wrong method', async () => {
    const notFound = await fetch(`${e2e.url}/_matrix/push/v2/notify`, { method: 'POST', body: '{}' });
    expect(notFound.status).toBe(404);
    expect(await notFound.json()).toMatchObject({ errcode: 'M_UNRECOGNIZED' });
    const wrongMethod = await fetch(`${e2e.url}/_matrix/push/v1/notify`);
    expect(wrongMethod.status).toBe(405);
    expect(await wrongMethod.json()).toMatchObject({ errcode: 'M_UNRECOGNIZED' });
    const healthByPost = await fetch(`${e2e.url}/health`, { method: 'POST' });
    expect(healthByPost.status).toBe(405);
    expect(await healthByPost.json()).toMatchObject({ errcode: 'M_UNRECOGNIZED' });
  });

  test('unknown and ambiguous (two globs) app ids are rejected without a send; one glob match is served', async () => {
    const unknown = { app_id: 'com.nobody.app', pushkey: apnsPushkey('ok', 10) };
    const ambiguous = { app_id: 'org.herald.glob.beta', pushkey: apnsPushkey('ok', 11) };
    const globbed = { app_id: 'org.herald.glob.one', pushkey: apnsPushkey('ok', 12) };
    const res = await e2e.notify(notification([unknown, ambiguous, globbed]));
    expect(res).toMatchObject({ status: 200, body: { rejected: [unknown.pushkey, ambiguous.pushkey] } });
    expect(e2e.apns.received.map((r) => r.token)).toEqual([tokenOf(globbed.pushkey)]);
    // Metric labels name the configured glob, never the client's app id.
    const metrics = await scrape(e2e.metricsUrl);
    expect(sampleValue(metrics, 'herald_pushes_total', { app: GLOB_A, backend: 'apns', outcome: 'delivered' })).toBe(1);
    for (const clientValue of [unknown.app_id, ambiguous.app_id, globbed.app_id]) expect(metrics).not.toContain(`"${clientValue}"`);
  });

  test('502 M_UNKNOWN when a provider keeps failing until request_timeout_ms', async () => {
    const res = await e2e.notify(notification([{ app_id: IOS, pushkey: apnsPushkey('fail', 20) }]));
    expect(res.status).toBe(502);
    expect(res.body.errcode).toBe('M_UNKNOWN');
  });

  test('503 M_LIMIT_EXCEEDED + Retry-After past max_inflight_requests', async () => {
    const slow = (n: number) => e2e.notify(notification([{ app_id: IOS, pushkey: apnsPushkey('slow', n) }]));
    const inFlight = [slow(30), slow(31)];
    await waitUntil(() => e2e.apns.received.length >= 2);
    const refused = await e2e.notify(notification([ok(32)]));
    expect(refused.status).toBe(503);
    expect(refused.body.errcode).toBe('M_LIMIT_EXCEEDED');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await Promise.all(inFlight)).map((r) => r.status)).toEqual([200, 200]);
    // Capacity comes back once the requests are answered.
    expect((await e2e.notify(notification([ok(33)]))).status).toBe(200);
  });

  test('503 M_LIMIT_EXCEEDED + Retry-After when an app is at its inflight_request_limit', async () => {
    const first = e2e.notify(notification([{ app_id: LIMITED, pushkey: apnsPushkey('slow', 40) }]));
    await waitUntil(() => e2e.apns.received.length >= 1);
    const refused = await e2e.notify(notification([{ app_id: LIMITED, pushkey: apnsPushkey('ok', 41) }]));
    expect(refused.status).toBe(503);
    expect(refused.body.errcode).toBe('M_LIMIT_EXCEEDED');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await first).status).toBe(200);
    // The refused device was never sent; another app was never limited.
    expect(e2e.apns.received.map((r) => r.token)).toEqual([tokenOf(apnsPushkey('slow', 40))]);
    expect(sampleValue(await scrape(e2e.metricsUrl), 'herald_inflight_limit_drops_total', { app: LIMITED })).toBe(1);
  });

  test('GET /health answers ok', async () => {
    const res = await fetch(`${e2e.url}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });
});

async function waitUntil(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
