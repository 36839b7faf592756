/**
 * `dedup.redis_url`: dedup and dead-key memory in Redis, so that a homeserver's retry landing on
 * another replica is still recognised. Redis must never stall a push: commands are bounded,
 * nothing queues while disconnected, and the client reconnects on its own with backoff; while
 * it is away, SharedPushMemory falls back to the process's own memory.
 */
import { Redis } from 'ioredis';
import type { Logger } from 'winston';
import type { MemoryKind, SharedStore } from './shared-push-memory';
import { SharedPushMemory, type MemoryOp } from './shared-push-memory';

export interface RedisStoreOptions {
  /** Per-command bound. A slower answer counts as a failure (the push goes on without it). */
  commandTimeoutMs?: number;
  connectTimeoutMs?: number;
  /** Longest pause between reconnection attempts. */
  maxReconnectDelayMs?: number;
  /** Prepended to every key. Default `herald:`. */
  keyPrefix?: string;
}

export const REDIS_DEFAULTS = { commandTimeoutMs: 100, connectTimeoutMs: 1000, maxReconnectDelayMs: 2000, keyPrefix: 'herald:' };

/** Keys: `herald:delivered:<sha256>` and `herald:dead:<sha256>` (see memoryKey). */
export class RedisStore implements SharedStore {
  readonly name = 'redis';
  private readonly client: Redis;
  private readonly prefix: string;
  /** Until the first connection is up (bounded by the connect timeout), calls wait for it. */
  private startup: Promise<void> | undefined;

  constructor(url: string, options: RedisStoreOptions = {}) {
    const o = { ...REDIS_DEFAULTS, ...options };
    this.prefix = o.keyPrefix;
    this.client = new Redis(url, {
      commandTimeout: o.commandTimeoutMs,
      connectTimeout: o.connectTimeoutMs,
      // Fail at once while disconnected instead of queueing pushes behind a reconnect.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      // Reconnect for ever, backing off: Redis coming back is picked up without a restart.
      retryStrategy: (attempt) => Math.min(50 * 2 ** Math.min(attempt, 10), o.maxReconnectDelayMs),
      lazyConnect: false,
    });
    // Every failed reconnect emits 'error'; SharedPushMemory logs the change of state once instead.
    this.client.on('error', () => undefined);
    this.startup = firstReady(this.client, o.connectTimeoutMs).finally(() => (this.startup = undefined));
  }

  async has(kind: MemoryKind, key: string): Promise<boolean> {
    if (this.startup) await this.startup;
    return (await this.client.exists(this.prefix + kind + ':' + key)) === 1;
  }

  async add(kind: MemoryKind, key: string, ttlMs: number): Promise<void> {
    if (this.startup) await this.startup;
    await this.client.set(this.prefix + kind + ':' + key, '1', 'PX', ttlMs, 'NX');
  }

  async close(): Promise<void> {
    // QUIT lets Redis finish what it has; when Redis is away it fails at once (no offline queue).
    await this.client.quit().catch(() => undefined);
    this.client.disconnect();
  }
}

/** Resolves when the client is first ready, or after `timeoutMs` (then calls fail fast until it is). */
function firstReady(client: Redis, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, timeoutMs);
    timer.unref();
    client.once('ready', done);
    function done() {
      clearTimeout(timer);
      client.off('ready', done);
      resolve();
    }
  });
}

export interface RedisPushMemoryDeps {
  settings: { ttl_seconds: number; max_entries: number; redis_url: string };
  log: Logger;
  countFallback: (op: MemoryOp) => void;
  options?: RedisStoreOptions;
}

export function createRedisPushMemory(deps: RedisPushMemoryDeps): SharedPushMemory {
  return new SharedPushMemory({
    store: new RedisStore(deps.settings.redis_url, deps.options),
    settings: deps.settings,
    log: deps.log,
    countFallback: deps.countFallback,
  });
}
