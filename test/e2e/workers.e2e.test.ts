/**
 * `http.workers: 2` as an operator runs it (the built CLI): the port is shared by two worker
 * processes, dedup and dead-key memory hold across them (through the primary), /metrics sums
 * both, a killed worker is replaced, SIGHUP reaches both, and SIGTERM drains and exits 0.
 */
import { request } from 'node:http';
import { BUILD_TIMEOUT_MS, ensureBuilt, spawnHerald, type HeraldProcess } from '../support/built-cli';
import { parsePrometheusText } from '../support/prometheus-text';
import { startProviders, type Providers } from './cli-support';
import { IOS, apnsPushkey, notification } from './harness';

let sent = 0;

/** One request on its own connection, so that the cluster hands each to the next worker. */
function postFresh(baseUrl: string, body: unknown): Promise<{ status: number; body: any; requestId: string }> {
  const requestId = `workers-test-${++sent}`;
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(`${baseUrl}/_matrix/push/v1/notify`, {
      method: 'POST', agent: false,
      headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload), 'X-Request-Id': requestId },
    }, (res) => {
      let text = '';
      res.on('data', (chunk) => (text += String(chunk)));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text), requestId }));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

describe('herald serve with http.workers: 2', () => {
  let providers: Providers;
  let herald: HeraldProcess;
  let url: string;
  let metricsUrl: string;
  const duplicatePushkey = apnsPushkey('ok', 2000);
  const duplicateBody = notification([{ app_id: IOS, pushkey: duplicatePushkey }]);

  /** The worker that handled a request, from its "notify handled" log line. */
  const handledBy = async (requestId: string) =>
    (await herald.waitForLine((l) => l.message === 'notify handled' && l.request_id === requestId, 10_000)) as { worker: number; outcomes: Record<string, number> };
  const receivedFor = (pushkey: string) => providers.apns.received.filter((r) => r.token === Buffer.from(pushkey, 'base64').toString('hex'));

  beforeAll(async () => {
    ensureBuilt();
    providers = await startProviders();
    const file = providers.writeConfig(providers.baseConfig({}, { workers: 2 }));
    herald = spawnHerald(['serve', '--config', file]);
    const listening = await herald.waitForLine((l) => l.message === 'herald listening', 60_000);
    url = listening.urls[0];
    metricsUrl = listening.metrics;
  }, BUILD_TIMEOUT_MS + 60_000);

  afterAll(async () => {
    if (herald && herald.child.exitCode === null && herald.child.signalCode === null) {
      herald.child.kill('SIGKILL');
      await herald.exited;
    }
    await providers?.close();
  });

  test('two workers share the port: requests spread over both, the primary serves none', async () => {
    const workerLines = herald.lines.filter((l) => l.message === 'worker listening');
    expect(new Set(workerLines.map((l) => l.pid)).size).toBe(2);
    expect(workerLines.every((l) => l.urls[0] === url)).toBe(true);
    const workers = new Set<number>();
    for (let i = 0; i < 6; i++) {
      const res = await postFresh(url, notification([{ app_id: IOS, pushkey: apnsPushkey('ok', 1000 + i) }]));
      expect(res.status).toBe(200);
      workers.add((await handledBy(res.requestId)).worker);
    }
    expect(workers.size).toBe(2);
    expect(herald.lines.filter((l) => l.role === 'primary' && l.message === 'notify handled')).toEqual([]);
  });

  test('a duplicate that lands on the other worker is not sent again', async () => {
    const handled: Array<{ worker: number; outcomes: Record<string, number> }> = [];
    for (let i = 0; i < 4; i++) {
      const res = await postFresh(url, duplicateBody);
      expect(res).toMatchObject({ status: 200, body: { rejected: [] } });
      handled.push(await handledBy(res.requestId));
    }
    expect(receivedFor(duplicatePushkey)).toHaveLength(1);
    expect(handled.map((h) => h.outcomes)).toEqual([{ delivered: 1 }, { duplicate: 1 }, { duplicate: 1 }, { duplicate: 1 }]);
    expect(handled.slice(1).some((h) => h.worker !== handled[0].worker)).toBe(true);
  });

  test('a dead key found by one worker is rejected at once by the other', async () => {
    const pushkey = apnsPushkey('gone', 3000);
    const workers = new Set<number>();
    for (let i = 0; i < 4; i++) {
      const res = await postFresh(url, notification([{ app_id: IOS, pushkey }]));
      expect(res).toMatchObject({ status: 200, body: { rejected: [pushkey] } });
      workers.add((await handledBy(res.requestId)).worker);
    }
    expect(workers.size).toBe(2);
    expect(receivedFor(pushkey)).toHaveLength(1);
  });

  test('/metrics on the primary sums both workers', async () => {
    const res = await fetch(metricsUrl);
    expect(res.status).toBe(200);
    const families = parsePrometheusText(await res.text());
    const total = (name: string, labels: Record<string, string> = {}) =>
      (families.get(name)?.samples ?? [])
        .filter((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v))
        .reduce((sum, s) => sum + s.value, 0);
    expect(total('herald_notifications_received_total')).toBe(sent);
    expect(total('herald_pushes_total', { outcome: 'duplicate' })).toBe(3);
    expect(total('herald_pushes_total', { outcome: 'rejected' })).toBe(4);
    expect(total('herald_dedup_fallback_total')).toBe(0);
  });

  test('SIGHUP reloads both workers', async () => {
    herald.child.kill('SIGHUP');
    await herald.waitForLine((l) => l.message === 'configuration reloaded' && l.worker !== undefined);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const reloaded = herald.lines.filter((l) => l.message === 'configuration reloaded');
    expect(new Set(reloaded.map((l) => l.pid)).size).toBe(2);
  });

  test('a killed worker is replaced, and the shared memory outlives it', async () => {
    const before = herald.lines.filter((l) => l.message === 'worker listening').map((l) => l.pid as number);
    process.kill(before[0], 'SIGKILL');
    const replaced = await herald.waitForLine((l) => l.message === 'worker replaced', 20_000);
    expect(before).not.toContain(replaced.worker_pid);
    // The new worker knows nothing itself: the primary still remembers the delivered event.
    const handled: Array<{ worker: number; outcomes: Record<string, number> }> = [];
    for (let i = 0; i < 4; i++) {
      const res = await postFresh(url, duplicateBody);
      expect(res).toMatchObject({ status: 200, body: { rejected: [] } });
      handled.push(await handledBy(res.requestId));
    }
    expect(handled.map((h) => h.outcomes)).toEqual([{ duplicate: 1 }, { duplicate: 1 }, { duplicate: 1 }, { duplicate: 1 }]);
    expect(handled.map((h) => h.worker)).toContain(replaced.worker);
    expect(receivedFor(duplicatePushkey)).toHaveLength(1);
  }, 30_000);

  test('SIGTERM drains the workers (a request in flight is answered) and the primary exits 0', async () => {
    const slow = apnsPushkey('slow', 4000);
    const inFlight = postFresh(url, notification([{ app_id: IOS, pushkey: slow }]));
    const deadline = Date.now() + 5000;
    while (receivedFor(slow).length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(receivedFor(slow)).toHaveLength(1);
    herald.child.kill('SIGTERM');
    expect(await inFlight).toMatchObject({ status: 200, body: { rejected: [] } });
    expect(await herald.exited).toBe(0);
    expect(herald.lines.filter((l) => l.message === 'stopped' && l.worker !== undefined)).toHaveLength(2);
    expect(herald.lines.some((l) => l.message === 'stopped' && l.role === 'primary')).toBe(true);
  }, 30_000);
});
