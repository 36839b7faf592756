import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { choosePushMemory } from '../../src/dispatch/choose-memory';
import { createRedisPushMemory } from '../../src/dispatch/redis-push-memory';
import type { MemoryOp, SharedPushMemory } from '../../src/dispatch/shared-push-memory';
import { createLogger } from '../../src/observability/logger';
import { createMetrics } from '../../src/observability/metrics';
import { startRedisServer, type RedisServer } from './redis-server';

const PUSHKEY = 'pushkey-that-must-never-reach-redis-in-clear';

interface Replica {
  memory: SharedPushMemory;
  logs: string[];
  fallbacks: Partial<Record<MemoryOp, number>>;
}

function replica(redisUrl: string, ttlSeconds = 60): Replica {
  const logs: string[] = [];
  const fallbacks: Replica['fallbacks'] = {};
  const sink = new Writable({ write(chunk, _enc, cb) { logs.push(String(chunk)); cb(); } });
  const memory = createRedisPushMemory({
    settings: { ttl_seconds: ttlSeconds, max_entries: 1000, redis_url: redisUrl },
    log: createLogger({ level: 'debug', format: 'json' }, sink),
    countFallback: (op) => (fallbacks[op] = (fallbacks[op] ?? 0) + 1),
    options: { maxReconnectDelayMs: 200 },
  });
  return { memory, logs, fallbacks };
}

const linesWith = (logs: string[], text: string) => logs.filter((l) => l.includes(text));

async function eventually(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('Redis push memory against a real redis-server', () => {
  let redis: RedisServer;
  let raw: Redis;
  const open: Replica[] = [];
  const make = (ttl?: number) => {
    const r = replica(redis.url, ttl);
    open.push(r);
    return r;
  };

  beforeAll(async () => {
    redis = await startRedisServer();
    raw = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    raw.on('error', () => undefined);
  }, 20_000);
  afterEach(async () => {
    await Promise.all(open.splice(0).map((r) => r.memory.close()));
  });
  afterAll(async () => {
    raw.disconnect();
    await redis.stop();
  });

  test('two replicas share delivered events and dead keys; keys are hashed and expire', async () => {
    const a = make();
    const b = make();
    await a.memory.markDelivered('app.ios', PUSHKEY, '$event1');
    await a.memory.markDead('app.ios', 'dead-key');
    expect(await b.memory.wasDelivered('app.ios', PUSHKEY, '$event1')).toBe(true);
    expect(await b.memory.wasDelivered('app.ios', PUSHKEY, '$event2')).toBe(false);
    expect(await b.memory.wasDelivered('app.android', PUSHKEY, '$event1')).toBe(false);
    expect(await b.memory.isDead('app.ios', 'dead-key')).toBe(true);
    expect(await b.memory.isDead('app.ios', PUSHKEY)).toBe(false);

    const keys = (await raw.keys('*')).sort();
    expect(keys).toHaveLength(2);
    expect(keys[0]).toMatch(/^herald:dead:[A-Za-z0-9_-]{43}$/);
    expect(keys[1]).toMatch(/^herald:delivered:[A-Za-z0-9_-]{43}$/);
    for (const key of keys) {
      const ttl = await raw.pttl(key);
      expect(ttl).toBeGreaterThan(55_000);
      expect(ttl).toBeLessThanOrEqual(60_000);
    }
    expect(JSON.stringify(keys)).not.toContain('pushkey');
    expect(a.fallbacks).toEqual({});
    expect(b.fallbacks).toEqual({});
    await raw.flushall();
  });

  test('with redis_url, Redis is chosen even where a sibling store exists (cluster workers)', async () => {
    const siblingStore = jest.fn(() => { throw new Error('cluster workers must use Redis when it is configured'); });
    const memory = choosePushMemory(
      { ttl_seconds: 60, max_entries: 10, redis_url: redis.url },
      { log: createLogger({ level: 'error', format: 'json' }, new Writable({ write(_c, _e, cb) { cb(); } })), metrics: createMetrics(new Registry(), { defaultMetrics: false }), siblingStore },
    );
    try {
      await memory.markDead('app', PUSHKEY);
      expect(await raw.keys('herald:dead:*')).toHaveLength(1);
      expect(siblingStore).not.toHaveBeenCalled();
    } finally {
      await memory.close();
      await raw.flushall();
    }
  });

  test('a second mark keeps the first expiry (SET NX), and entries expire after ttl_seconds', async () => {
    const a = make(1);
    const b = make(1);
    await a.memory.markDelivered('app', PUSHKEY, '$short');
    const [key] = await raw.keys('herald:delivered:*');
    await new Promise((resolve) => setTimeout(resolve, 300));
    await b.memory.markDelivered('app', PUSHKEY, '$short');
    expect(await raw.pttl(key)).toBeLessThanOrEqual(750);
    expect(await b.memory.wasDelivered('app', PUSHKEY, '$short')).toBe(true);
    await eventually(async () => (await raw.exists(key)) === 0, 3000);
    await new Promise((resolve) => setTimeout(resolve, 100)); // A's own copy dates from its mark
    expect(await a.memory.wasDelivered('app', PUSHKEY, '$short')).toBe(false);
    // B's own copy dates from its later mark, so it outlives the Redis key by up to 300 ms.
    await eventually(async () => !(await b.memory.wasDelivered('app', PUSHKEY, '$short')), 1500);
  });

  test('Redis killed: every call answers at once from local memory, counted, logged once; used again after restart', async () => {
    const a = make();
    const b = make();
    await a.memory.markDelivered('app', PUSHKEY, '$before');
    await redis.kill();

    const started = Date.now();
    for (let i = 0; i < 20; i++) {
      expect(await a.memory.isDead('app', `key-${i}`)).toBe(false);
      expect(await a.memory.wasDelivered('app', `key-${i}`, '$during')).toBe(false);
      await a.memory.markDelivered('app', `key-${i}`, '$during');
    }
    expect(Date.now() - started).toBeLessThan(2000);
    // What this replica saw itself, it still remembers; the other replica cannot know.
    expect(await a.memory.wasDelivered('app', 'key-3', '$during')).toBe(true);
    expect(await a.memory.wasDelivered('app', PUSHKEY, '$before')).toBe(true);
    expect(a.fallbacks).toEqual({ is_dead: 20, was_delivered: 20, mark_delivered: 20 });
    expect(linesWith(a.logs, 'shared store unavailable')).toHaveLength(1);
    expect(linesWith(a.logs, '"level":"warn"')).toHaveLength(1);

    await redis.restart();
    await eventually(async () => {
      await a.memory.markDelivered('app', PUSHKEY, '$after');
      return b.memory.wasDelivered('app', PUSHKEY, '$after');
    });
    expect(linesWith(a.logs, 'answering again')).toHaveLength(1);
    expect(linesWith(a.logs, 'shared store unavailable')).toHaveLength(1);
    const fallbacksAfterRecovery = { ...a.fallbacks };
    await a.memory.markDead('app', 'dead-after');
    expect(await b.memory.isDead('app', 'dead-after')).toBe(true);
    expect(a.fallbacks).toEqual(fallbacksAfterRecovery);
    for (const line of a.logs) expect(line).not.toContain(PUSHKEY);
  }, 30_000);

  test('Redis down at start-up: the first call waits at most the connect timeout, later ones fail fast', async () => {
    const logs: string[] = [];
    const fallbacks: string[] = [];
    const sink = new Writable({ write(chunk, _enc, cb) { logs.push(String(chunk)); cb(); } });
    const memory = createRedisPushMemory({
      settings: { ttl_seconds: 60, max_entries: 10, redis_url: 'redis://127.0.0.1:1' },
      log: createLogger({ level: 'debug', format: 'json' }, sink),
      countFallback: (op) => fallbacks.push(op),
      options: { connectTimeoutMs: 300 },
    });
    try {
      let started = Date.now();
      expect(await memory.isDead('app', 'k')).toBe(false);
      expect(Date.now() - started).toBeLessThan(1000);
      started = Date.now();
      await memory.markDead('app', 'k');
      expect(await memory.isDead('app', 'k')).toBe(true);
      expect(Date.now() - started).toBeLessThan(100);
      expect(fallbacks).toEqual(['is_dead', 'mark_dead']);
      expect(linesWith(logs, 'shared store unavailable')).toHaveLength(1);
    } finally {
      await memory.close();
    }
  });

  test('a Redis that stops answering costs at most the command timeout per call', async () => {
    const a = make();
    expect(await a.memory.isDead('app', 'warm-up')).toBe(false);
    redis.freeze();
    try {
      const started = Date.now();
      expect(await a.memory.isDead('app', 'frozen')).toBe(false);
      await a.memory.markDead('app', 'frozen');
      expect(Date.now() - started).toBeLessThan(1000);
      expect(await a.memory.isDead('app', 'frozen')).toBe(true);
      expect(a.fallbacks).toEqual({ is_dead: 1, mark_dead: 1 });
    } finally {
      redis.thaw();
    }
  });
});
