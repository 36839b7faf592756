/**
 * Upstream faults through the real gateway, for APNs (node-apn, HTTP/2) and FCM (firebase-admin,
 * HTTP/1.1): under each, every device ends delivered, rejected or answered 502, a 200 is only
 * given for pushes the simulator answered 200, nothing stays in flight, and once the fault is
 * cleared the very next request is delivered — no restart of Herald.
 */
import type { Simulator } from '../../src/simulators/core';
import { startE2E, type E2E } from './harness';
import {
  type ProviderName, deliversOne, expectHonest, freshDevice, requestsInFlight, restartSimulator, simulatorOf, storm,
} from './faults-support';

const REQUEST_TIMEOUT_MS = 1500;
/** Generous: two cores shared with other suites. */
const SLACK_MS = 1500;

describe.each<ProviderName>(['apns', 'fcm'])('%s upstream faults', (provider) => {
  let e2e: E2E;
  const restarted: Simulator[] = [];
  const sim = () => simulatorOf(e2e, provider);

  beforeAll(async () => {
    e2e = await startE2E({ http: { request_timeout_ms: REQUEST_TIMEOUT_MS } });
    expect(await deliversOne(e2e, provider)).toEqual({ status: 200, delivered: true });
  }, 30_000);
  afterEach(() => sim().setFaults({}));
  afterAll(async () => {
    await e2e.close();
    await Promise.all(restarted.map((s) => s.close()));
  });

  /** After a fault: nothing left in flight, and the next request goes through at once. */
  async function expectRecovered(): Promise<void> {
    expect(await requestsInFlight(e2e)).toBe(0);
    sim().setFaults({});
    expect(await deliversOne(e2e, provider)).toEqual({ status: 200, delivered: true });
  }

  test('added latency below the deadline: every device delivered, answered 200', async () => {
    sim().setFaults({ latencyMs: 200 });
    const answers = await storm(e2e, provider, 8, 3);
    expect(expectHonest(answers, sim().received)).toEqual(answers.map(() => 200));
    await expectRecovered();
  }, 20_000);

  test('a stalled provider: 502 within request_timeout_ms, then recovery', async () => {
    sim().setFaults({ stall: true });
    const answers = await storm(e2e, provider, 8, 2);
    expect(expectHonest(answers, sim().received)).toEqual(answers.map(() => 502));
    for (const a of answers) expect(a.ms).toBeLessThan(REQUEST_TIMEOUT_MS + SLACK_MS);
    await expectRecovered();
  }, 20_000);

  test('latency beyond the deadline: 502, never a late 200', async () => {
    sim().setFaults({ latencyMs: REQUEST_TIMEOUT_MS + 1000 });
    const answers = await storm(e2e, provider, 4, 2);
    expect(expectHonest(answers, sim().received)).toEqual(answers.map(() => 502));
    await expectRecovered();
  }, 20_000);

  test('connections reset mid-request: 502 (retried until the deadline), then recovery', async () => {
    sim().setFaults({ resetAfterMs: 20 });
    const answers = await storm(e2e, provider, 6, 2);
    expect(expectHonest(answers, sim().received)).toEqual(answers.map(() => 502));
    await expectRecovered();
  }, 20_000);

  test('a 5xx burst shorter than the retry budget: delivered, answered 200', async () => {
    sim().setFaults({ status5xxBurst: 2 });
    const device = freshDevice(provider);
    const res = await e2e.notify({ notification: { event_id: '$burst', devices: [{ app_id: device.app_id, pushkey: device.pushkey }], counts: { unread: 1 } } });
    expect(res).toMatchObject({ status: 200, body: { rejected: [] } });
    const attempts = sim().received.filter((r) => r.token === device.token);
    expect(attempts.map((r) => r.status)).toEqual([503, 503, 200]);
  }, 20_000);

  test('5xx for longer than the deadline: 502, then recovery', async () => {
    sim().setFaults({ status5xxBurst: 100_000 });
    const answers = await storm(e2e, provider, 6, 2);
    expect(expectHonest(answers, sim().received)).toEqual(answers.map(() => 502));
    await expectRecovered();
  }, 20_000);

  test('TLS handshakes refused (fresh connections only): 502, then recovery', async () => {
    restarted.push(await restartSimulator(e2e, provider, { tlsFail: true }));
    const answers = await storm(e2e, provider, 6, 2);
    expect(expectHonest(answers, sim().received)).toEqual(answers.map(() => 502));
    expect(sim().received).toHaveLength(0);
    await expectRecovered();
  }, 20_000);

  test('provider down, then back on the same port: 502 while down, delivered once it is back', async () => {
    const port = sim().port;
    await sim().close();
    const down = await storm(e2e, provider, 4, 2);
    expect(down.map((a) => a.status)).toEqual(down.map(() => 502));
    restarted.push(await restartSimulator(e2e, provider));
    expect(sim().port).toBe(port);
    await expectRecovered();
  }, 20_000);

  if (provider === 'apns') {
    test('HTTP/2 GOAWAY: the refused push is retried on a new session and delivered', async () => {
      sim().setFaults({ goaway: true });
      const answers = await storm(e2e, provider, 6, 2);
      expect(expectHonest(answers, sim().received)).toEqual(answers.map(() => 200));
      await expectRecovered();
    }, 20_000);
  }

  if (provider === 'fcm') {
    test('OAuth token endpoint down while the access token is revoked: 502, then recovery', async () => {
      e2e.fcm.revokeAccessTokens();
      e2e.fcm.setFaults({ tokenEndpointFail: true });
      const answers = await storm(e2e, provider, 4, 2);
      expect(expectHonest(answers, sim().received)).toEqual(answers.map(() => 502));
      await expectRecovered();
    }, 20_000);
  }
});
