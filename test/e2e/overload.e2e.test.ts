/**
 * Overload: more requests than `max_inflight_requests` allows against a slow provider. Excess
 * requests are shed at once with 503 + Retry-After; admitted ones keep a bounded latency; memory
 * stays bounded; and when the load stops nothing lingers: the next request is served normally
 * and no queued work keeps sending to the provider.
 */
import { ANDROID, IOS, startE2E, type E2E } from './harness';
import { expectHonest, freshDevice, requestsInFlight, sleep } from './faults-support';
import { drive, eventually, percentile } from './load-support';

const MAX_INFLIGHT = 8;
const UPSTREAM_LATENCY_MS = 150;
const REQUEST_TIMEOUT_MS = 2000;

describe('overload: global max_inflight_requests', () => {
  let e2e: E2E;
  beforeAll(async () => {
    e2e = await startE2E({ http: { max_inflight_requests: MAX_INFLIGHT, request_timeout_ms: REQUEST_TIMEOUT_MS } });
  }, 30_000);
  afterEach(() => {
    e2e.apns.setFaults({});
    e2e.fcm.setFaults({});
  });
  afterAll(() => e2e.close());

  test.each(['apns', 'fcm'] as const)('%s: excess shed fast with 503 + Retry-After, admitted bounded, memory bounded, instant recovery', async (provider) => {
    const sim = provider === 'apns' ? e2e.apns : e2e.fcm;
    // Warm: the OAuth token and one provider connection per slot (new TLS handshakes are not what is measured).
    expect((await drive(e2e, provider, MAX_INFLIGHT, MAX_INFLIGHT)).map((a) => a.status)).toEqual(Array(MAX_INFLIGHT).fill(200));
    sim.setFaults({ latencyMs: UPSTREAM_LATENCY_MS });
    const heapBefore = process.memoryUsage().heapUsed;
    const logsBefore = e2e.logs.length;

    // 32 clients against 8 slots of ~150 ms each: about four times what the gateway can take.
    const answers = await drive(e2e, provider, 320, 32);

    expectHonest(answers, sim.received);
    const shed = answers.filter((a) => a.status === 503);
    const admitted = answers.filter((a) => a.status === 200);
    expect(shed.length).toBeGreaterThan(answers.length / 2);
    expect(admitted.length).toBeGreaterThanOrEqual(MAX_INFLIGHT);
    expect(answers.filter((a) => a.status !== 200 && a.status !== 503)).toEqual([]);
    for (const a of shed) {
      expect(a.body).toMatchObject({ errcode: 'M_LIMIT_EXCEEDED' });
      expect(Number(a.retryAfter)).toBeGreaterThanOrEqual(1);
    }
    // Most sheds come back at once even while 48 clients share this process with the gateway.
    expect(percentile(shed.map((a) => a.ms), 50)).toBeLessThan(250);
    // Admitted requests are not queued behind the overload: about one upstream round trip as the
    // gateway measures it; the clients, sharing this process's event loop, see somewhat more.
    const handled = e2e.logs.slice(logsBefore).map((l) => JSON.parse(l)).filter((l) => l.message === 'notify handled' && l.status === 200);
    expect(handled.length).toBe(admitted.length);
    expect(percentile(handled.map((l) => l.duration_ms), 95)).toBeLessThan(UPSTREAM_LATENCY_MS + 500);
    expect(percentile(admitted.map((a) => a.ms), 95)).toBeLessThan(UPSTREAM_LATENCY_MS + 2500);
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(64 * 1024 * 1024);

    // Load gone: nothing in flight, nothing still sent upstream, the next request is served normally.
    expect(await requestsInFlight(e2e)).toBe(0);
    const arrivedAtEnd = sim.received.length;
    await sleep(300);
    expect(sim.received.length).toBe(arrivedAtEnd);
    const next = freshDevice(provider);
    const res = await e2e.notify({ notification: { event_id: '$after', counts: { unread: 1 }, devices: [{ app_id: next.app_id, pushkey: next.pushkey }] } });
    expect(res.status).toBe(200);
    expect(res.ms).toBeLessThan(UPSTREAM_LATENCY_MS + 500);
  }, 60_000);

  test('with every slot held by slow sends, each further request is shed within tens of milliseconds', async () => {
    e2e.apns.setFaults({ latencyMs: 1500 });
    const holders = drive(e2e, 'apns', MAX_INFLIGHT, MAX_INFLIGHT);
    await eventually(async () => (await requestsInFlight(e2e)) === MAX_INFLIGHT, 3000, 'every slot taken');
    const probes = await drive(e2e, 'fcm', 20, 1);
    expect(probes.map((p) => p.status)).toEqual(probes.map(() => 503));
    expect(percentile(probes.map((p) => p.ms), 50)).toBeLessThan(50);
    expect(Math.max(...probes.map((p) => p.ms))).toBeLessThan(250);
    expect((await holders).map((h) => h.status)).toEqual(Array(MAX_INFLIGHT).fill(200));
  }, 30_000);

  test('clients that give up do not leave work behind: sends end by the deadline, slots are not freed early', async () => {
    e2e.apns.setFaults({ latencyMs: 600 });
    const aborts = Array.from({ length: MAX_INFLIGHT }, () => new AbortController());
    const abandoned = aborts.map(async (controller) => {
      const d = freshDevice('apns');
      return fetch(`${e2e.url}/_matrix/push/v1/notify`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ notification: { event_id: '$gave-up', counts: { unread: 1 }, devices: [{ app_id: IOS, pushkey: d.pushkey }] } }),
        signal: controller.signal,
      }).catch((err: unknown) => err);
    });
    await eventually(() => e2e.apns.received.filter((r) => r.status === undefined).length >= MAX_INFLIGHT, 3000, 'abandoned pushes reach the provider');
    for (const c of aborts) c.abort();
    await Promise.all(abandoned);
    await sleep(100); // the gateway has seen the sockets close

    // The abandoned work still occupies its slots until it ends, so a new request is shed meanwhile…
    const during = await e2e.notify({ notification: { event_id: '$during', devices: [{ app_id: ANDROID, pushkey: freshDevice('fcm').pushkey }] } });
    expect(during.status).toBe(503);
    // …and once it ends (well within the deadline) nothing is in flight and service resumes.
    await eventually(async () => (await requestsInFlight(e2e)) === 0, REQUEST_TIMEOUT_MS + 1000, 'abandoned work ends');
    const arrived = e2e.apns.received.length;
    await sleep(300);
    expect(e2e.apns.received.length).toBe(arrived);
    const after = await e2e.notify({ notification: { event_id: '$after-abort', counts: { unread: 1 }, devices: [{ app_id: ANDROID, pushkey: freshDevice('fcm').pushkey }] } });
    expect(after.status).toBe(200);
  }, 30_000);
});

describe('overload: an app at its inflight_request_limit', () => {
  let e2e: E2E;
  beforeAll(async () => {
    e2e = await startE2E({
      http: { request_timeout_ms: REQUEST_TIMEOUT_MS },
      apps: (f) => ({
        [IOS]: { type: 'apns', platform: 'sandbox', keyfile: f.p8, key_id: 'TESTKEY001', team_id: 'TESTTEAM01', topic: 'org.herald.test', endpoint: f.apnsUrl, ca_file: f.ca, inflight_request_limit: 2 },
        [ANDROID]: { type: 'fcm', service_account_file: f.serviceAccount, endpoint: f.fcmUrl, ca_file: f.ca, inflight_request_limit: 2 },
      }),
    });
  }, 30_000);
  afterAll(() => e2e.close());

  test.each(['apns', 'fcm'] as const)('%s: sends beyond the limit answer 503 + Retry-After at once; the limit frees when sends end', async (provider) => {
    const sim = provider === 'apns' ? e2e.apns : e2e.fcm;
    sim.setFaults({ latencyMs: 400 });
    const answers = await drive(e2e, provider, 10, 10);
    sim.setFaults({});
    expectHonest(answers, sim.received);
    const shed = answers.filter((a) => a.status === 503);
    expect(answers.filter((a) => a.status === 200)).toHaveLength(2);
    expect(shed).toHaveLength(8);
    for (const a of shed) {
      expect(a.body.errcode).toBe('M_LIMIT_EXCEEDED');
      expect(Number(a.retryAfter)).toBeGreaterThanOrEqual(1);
      expect(a.ms).toBeLessThan(400);
    }
    const next = await drive(e2e, provider, 2, 2);
    expect(next.map((a) => a.status)).toEqual([200, 200]);
  }, 30_000);
});
