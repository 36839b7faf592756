/**
 * Two Herald replicas behind one load balancer share a real Redis (`dedup.redis_url`): a
 * homeserver's retry landing on the other replica is not resent, a dead key one replica learnt
 * is rejected at once by the other, and with Redis down both keep delivering.
 */
import { Writable } from 'node:stream';
import { loadConfig } from '../../src/config/load';
import { startGateway, type Gateway } from '../../src/gateway';
import { createLogger } from '../../src/observability/logger';
import { IOS, apnsPushkey, notification, startE2E, type E2E } from '../e2e/harness';
import { startRedisServer, type RedisServer } from './redis-server';

async function post(gatewayUrl: string, body: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${gatewayUrl}/_matrix/push/v1/notify`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

async function counterValue(gateway: Gateway, name: 'pushes' | 'dedupFallback', labels: Record<string, string>): Promise<number> {
  const { values } = await gateway.metrics[name].get();
  return values.filter((v) => Object.entries(labels).every(([k, want]) => (v.labels as Record<string, unknown>)[k] === want)).reduce((sum, v) => sum + v.value, 0);
}

/** Sends fresh notifications to one replica until one is handled without any fallback. */
async function untilOnRedis(gateway: Gateway, url: string, unique: number): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (let i = 0; ; i++) {
    const before = await counterValue(gateway, 'dedupFallback', {});
    expect((await post(url, notification([{ app_id: IOS, pushkey: apnsPushkey('ok', unique * 100 + i) }]))).status).toBe(200);
    if ((await counterValue(gateway, 'dedupFallback', {})) === before) return;
    if (Date.now() > deadline) throw new Error(`${url} did not return to Redis`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('two replicas sharing Redis', () => {
  let redis: RedisServer;
  let e2e: E2E;
  let replicaB: Gateway;
  const logsB: string[] = [];
  let urlA: string;
  let urlB: string;
  const receivedFor = (pushkey: string) => {
    const token = Buffer.from(pushkey, 'base64').toString('hex');
    return e2e.apns.received.filter((r) => r.token === token);
  };

  beforeAll(async () => {
    redis = await startRedisServer();
    e2e = await startE2E({ dedup: { redis_url: redis.url } });
    const sink = new Writable({ write(chunk, _enc, cb) { logsB.push(String(chunk)); cb(); } });
    const loaded = loadConfig(e2e.configFile, {});
    replicaB = await startGateway(loaded, { log: createLogger(loaded.config.log, sink), env: {} });
    urlA = e2e.url;
    urlB = replicaB.urls[0];
  }, 30_000);
  afterAll(async () => {
    await replicaB?.shutdown(500);
    await e2e?.close();
    await redis?.stop();
  });

  test('a retry that lands on the other replica is not sent again', async () => {
    const pushkey = apnsPushkey('ok', 101);
    const body = notification([{ app_id: IOS, pushkey }]);
    expect(await post(urlA, body)).toEqual({ status: 200, body: { rejected: [] } });
    expect(await post(urlB, body)).toEqual({ status: 200, body: { rejected: [] } });
    expect(receivedFor(pushkey)).toHaveLength(1);
    expect(await counterValue(replicaB, 'pushes', { outcome: 'duplicate' })).toBe(1);
  });

  test('a dead key found by one replica is rejected at once by the other', async () => {
    const pushkey = apnsPushkey('gone', 102);
    expect(await post(urlA, notification([{ app_id: IOS, pushkey }]))).toEqual({ status: 200, body: { rejected: [pushkey] } });
    expect(await post(urlB, notification([{ app_id: IOS, pushkey }]))).toEqual({ status: 200, body: { rejected: [pushkey] } });
    expect(receivedFor(pushkey)).toHaveLength(1);
  });

  test('Redis down: both keep delivering, the fallback is counted and logged once; Redis back: shared again', async () => {
    await redis.kill();
    for (let i = 0; i < 6; i++) {
      const pushkey = apnsPushkey('ok', 200 + i);
      const res = await post(i % 2 === 0 ? urlA : urlB, notification([{ app_id: IOS, pushkey }]));
      expect(res).toEqual({ status: 200, body: { rejected: [] } });
      expect(receivedFor(pushkey)).toHaveLength(1);
    }
    // Each delivered push asked is_dead, was_delivered and mark_delivered: three fallbacks.
    expect(await counterValue(e2e.gateway, 'dedupFallback', { op: 'is_dead' })).toBe(3);
    expect(await counterValue(replicaB, 'dedupFallback', {})).toBe(9);
    expect(logsB.filter((l) => l.includes('shared store unavailable'))).toHaveLength(1);
    expect(e2e.logs.filter((l) => l.includes('shared store unavailable'))).toHaveLength(1);

    await redis.restart();
    // Reconnection is each client's own (backoff up to 2 s): probe until each replica is back on Redis.
    await untilOnRedis(e2e.gateway, urlA, 4);
    await untilOnRedis(replicaB, urlB, 5);
    const pushkey = apnsPushkey('ok', 300);
    const body = notification([{ app_id: IOS, pushkey }]);
    expect(await post(urlA, body)).toEqual({ status: 200, body: { rejected: [] } });
    const duplicatesBefore = await counterValue(replicaB, 'pushes', { outcome: 'duplicate' });
    expect(await post(urlB, body)).toEqual({ status: 200, body: { rejected: [] } });
    expect(receivedFor(pushkey)).toHaveLength(1);
    expect(await counterValue(replicaB, 'pushes', { outcome: 'duplicate' })).toBe(duplicatesBefore + 1);
    expect(e2e.logs.filter((l) => l.includes('answering again'))).toHaveLength(1);
    expect(logsB.filter((l) => l.includes('answering again'))).toHaveLength(1);
  }, 60_000);
});
