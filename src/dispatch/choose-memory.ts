/**
 * Which push memory a process uses: Redis when `dedup.redis_url` is set (replicas and workers
 * share it); else a store shared with sibling processes when there is one (cluster workers ask
 * their primary); else this process's own memory.
 */
import type { Logger } from 'winston';
import type { HeraldConfig } from '../config/schema';
import type { Metrics } from '../observability/metrics';
import { InMemoryPushMemory, type PushMemory } from './push-memory';
import { createRedisPushMemory } from './redis-push-memory';
import { SharedPushMemory, type SharedStore } from './shared-push-memory';

export interface MemoryDeps {
  log: Logger;
  metrics: Metrics;
  /** The store shared with sibling processes when there is no Redis (a cluster worker's primary). */
  siblingStore?: () => SharedStore;
}

export function choosePushMemory(dedup: HeraldConfig['dedup'], deps: MemoryDeps): PushMemory {
  const countFallback = (op: string) => deps.metrics.dedupFallback.inc({ op });
  if (dedup.redis_url !== undefined) {
    deps.log.info('push memory: redis', { ttl_seconds: dedup.ttl_seconds });
    return createRedisPushMemory({ settings: { ...dedup, redis_url: dedup.redis_url }, log: deps.log, countFallback });
  }
  if (deps.siblingStore) {
    return new SharedPushMemory({ store: deps.siblingStore(), settings: dedup, log: deps.log, countFallback });
  }
  return new InMemoryPushMemory(dedup);
}
