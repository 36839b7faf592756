import type { Outcome } from '../../src/pushkins/pushkin';
import { fakePushkin } from '../support/fake-pushkin';
import { startAppUnderTest, type AppUnderTest } from '../support/app-under-test';

const notify = (devices: Array<{ app_id: string; pushkey: string }>, extra: Record<string, unknown> = {}) => ({
  notification: { event_id: '$ev', room_id: '!r', ...extra, devices },
});
const byPrefix = (pushkey: string): Outcome => {
  if (pushkey.startsWith('gone')) return { kind: 'rejected', reason: 'Unregistered' };
  if (pushkey.startsWith('fail')) return { kind: 'temporary', reason: '500' };
  if (pushkey.startsWith('drop')) return { kind: 'dropped', reason: 'Forbidden' };
  return { kind: 'delivered', fit: 'full' };
};

describe('notify route', () => {
  let app: AppUnderTest;
  const ios = fakePushkin('com.example.ios', (d) => byPrefix(d.pushkey));
  const glob = fakePushkin('im.example.*', () => ({ kind: 'delivered', fit: 'full' }));
  const glob2 = fakePushkin('im.*.beta', () => ({ kind: 'delivered', fit: 'full' }));
  beforeAll(async () => { app = await startAppUnderTest([ios, glob, glob2], { max_body_bytes: 2000, max_devices: 50, request_timeout_ms: 2000 }); });
  afterAll(() => app.close());

  test('200 with rejected pushkeys; dropped is not rejected', async () => {
    const res = await app.post(notify([{ app_id: 'com.example.ios', pushkey: 'ok1' }, { app_id: 'com.example.ios', pushkey: 'gone1' }, { app_id: 'com.example.ios', pushkey: 'drop1' }]));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ rejected: ['gone1'] });
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f]{16}$/);
  });

  test('unknown and ambiguous app ids are rejected; a single glob match is served', async () => {
    const res = await app.post(notify([
      { app_id: 'com.unknown', pushkey: 'u1' },
      { app_id: 'im.example.beta', pushkey: 'amb1' },
      { app_id: 'im.example.app', pushkey: 'g1' },
    ]));
    expect(res.body).toEqual({ rejected: ['u1', 'amb1'] });
    expect(glob.sent.map((s) => s.device.pushkey)).toContain('g1');
  });

  test('502 when a device fails temporarily; the dead key is rejected at once on the retry', async () => {
    const devices = [{ app_id: 'com.example.ios', pushkey: 'gone2' }, { app_id: 'com.example.ios', pushkey: 'fail2' }];
    const first = await app.post(notify(devices, { event_id: '$retry' }));
    expect(first.status).toBe(502);
    expect(first.body.errcode).toBe('M_UNKNOWN');
    const sentBefore = ios.sent.filter((s) => s.device.pushkey === 'gone2').length;
    const retry = await app.post(notify(devices, { event_id: '$retry' }));
    expect(retry.status).toBe(502);
    expect(ios.sent.filter((s) => s.device.pushkey === 'gone2').length).toBe(sentBefore);
    const third = await app.post(notify([devices[0]], { event_id: '$retry' }));
    expect(third).toMatchObject({ status: 200, body: { rejected: ['gone2'] } });
  });

  test('a duplicate event_id is not sent twice', async () => {
    const body = notify([{ app_id: 'com.example.ios', pushkey: 'dup1' }], { event_id: '$dup' });
    await app.post(body);
    await app.post(body);
    expect(ios.sent.filter((s) => s.device.pushkey === 'dup1')).toHaveLength(1);
  });

  test('an incoming X-Request-Id is kept', async () => {
    const res = await app.post(notify([{ app_id: 'com.example.ios', pushkey: 'rid' }]), { 'X-Request-Id': 'hs-1234' });
    expect(res.headers.get('x-request-id')).toBe('hs-1234');
    expect(app.logs.some((l) => l.includes('"request_id":"hs-1234"'))).toBe(true);
  });

  test.each<[string, unknown, number, string]>([
    ['not JSON', 'nope', 400, 'M_NOT_JSON'],
    ['bad shape', { notification: { devices: 'x' } }, 400, 'M_BAD_JSON'],
    ['too large', JSON.stringify({ notification: { devices: [], pad: 'x'.repeat(3000) } }), 413, 'M_TOO_LARGE'],
  ])('%s → %s %s', async (_name, body, status, errcode) => {
    const res = await app.post(body);
    expect(res.status).toBe(status);
    expect(res.body.errcode).toBe(errcode);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
  });

  test('404 and 405 are M_UNRECOGNIZED', async () => {
    const wrongPath = await fetch(`${app.url}/nope`);
    expect(wrongPath.status).toBe(404);
    expect(await wrongPath.json()).toMatchObject({ errcode: 'M_UNRECOGNIZED' });
    const wrongMethod = await fetch(`${app.url}/_matrix/push/v1/notify`);
    expect(wrongMethod.status).toBe(405);
    expect(await wrongMethod.json()).toMatchObject({ errcode: 'M_UNRECOGNIZED' });
  });

  test('health answers ok, and 503 while draining', async () => {
    expect(await (await fetch(`${app.url}/health`)).json()).toEqual({ status: 'ok' });
    app.setDraining(true);
    expect((await fetch(`${app.url}/health`)).status).toBe(503);
    app.setDraining(false);
  });

  test('no pushkey appears in full in the logs', () => {
    expect(app.logs.join('\n')).not.toMatch(/gone1|gone2|fail2/);
  });
});

describe('limits and deadlines', () => {
  test('devices are sent concurrently and a stalled one ends in 502 at the deadline', async () => {
    const stall = fakePushkin('slow.app', (d) => d.pushkey === 'stall' ? new Promise<Outcome>(() => {}) : new Promise((r) => setTimeout(() => r({ kind: 'rejected', reason: 'Unregistered' }), 200)));
    const app = await startAppUnderTest([stall], { request_timeout_ms: 400 });
    const started = Date.now();
    const res = await app.post(notify([{ app_id: 'slow.app', pushkey: 'stall' }, { app_id: 'slow.app', pushkey: 'dead' }]));
    const elapsed = Date.now() - started;
    expect(res.status).toBe(502);
    expect(elapsed).toBeGreaterThanOrEqual(350);
    expect(elapsed).toBeLessThan(1500);
    const retry = await app.post(notify([{ app_id: 'slow.app', pushkey: 'dead' }], { event_id: '$2' }));
    expect(retry.body).toEqual({ rejected: ['dead'] });
    await app.close();
  });

  test('the global in-flight limit answers 503 with Retry-After', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => { release = r; });
    const held = fakePushkin('held.app', async () => { await gate; return { kind: 'delivered', fit: 'full' }; });
    const app = await startAppUnderTest([held], { max_inflight_requests: 1 });
    const first = app.post(notify([{ app_id: 'held.app', pushkey: 'a' }]));
    await new Promise((r) => setTimeout(r, 100));
    const second = await app.post(notify([{ app_id: 'held.app', pushkey: 'b' }]));
    expect(second.status).toBe(503);
    expect(second.body.errcode).toBe('M_LIMIT_EXCEEDED');
    expect(second.headers.get('retry-after')).toBe('1');
    release();
    expect((await first).status).toBe(200);
    await app.close();
  });

  test('an app at its in-flight limit makes the request answer 503', async () => {
    const limited = fakePushkin('lim.app', () => ({ kind: 'temporary', reason: 'inflight_limit', inflightLimited: true, retryAfterMs: 2000 }));
    const app = await startAppUnderTest([limited]);
    const res = await app.post(notify([{ app_id: 'lim.app', pushkey: 'a' }]));
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('2');
    await app.close();
  });
});
