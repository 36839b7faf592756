/**
 * Push memory shared between processes: replicas through Redis (`dedup.redis_url`), cluster
 * workers through their primary. The shared store is never on the critical path of a push:
 * every call is bounded by the store, and when it fails Herald keeps delivering with this
 * process's own memory (logged once per change of state, counted per call).
 */
import { createHash } from 'node:crypto';
import type { Logger } from 'winston';
import { ExpiringSet, type PushMemory } from './push-memory';

export type MemoryKind = 'delivered' | 'dead';

/** A store several processes share. Every call must settle within a bounded time; failures reject. */
export interface SharedStore {
  /** For logs: "redis", "cluster primary". Never a URL (it may hold a password). */
  readonly name: string;
  has(kind: MemoryKind, key: string): Promise<boolean>;
  /** Remembers `key` for `ttlMs`; an entry already there keeps its expiry (SET … NX). */
  add(kind: MemoryKind, key: string, ttlMs: number): Promise<void>;
  close(): Promise<void>;
}

export type MemoryOp = 'is_dead' | 'was_delivered' | 'mark_dead' | 'mark_delivered';

export interface SharedPushMemoryDeps {
  store: SharedStore;
  settings: { ttl_seconds: number; max_entries: number };
  log: Logger;
  /** Incremented once per call the store failed (`herald_dedup_fallback_total`). */
  countFallback: (op: MemoryOp) => void;
  now?: () => number;
}

/**
 * A bounded, opaque key: no pushkey reaches the store in clear, and a long pushkey or event id
 * cannot make keys grow. The parts are length-prefixed so that no two tuples collide.
 */
export function memoryKey(...parts: string[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(`${Buffer.byteLength(part)}:${part}`);
  return hash.digest('base64url');
}

export class SharedPushMemory implements PushMemory {
  private readonly ttlMs: number;
  /** What this process itself saw: answers "yes" without a round trip, and is the fallback. */
  private readonly local: Record<MemoryKind, ExpiringSet>;
  private storeAnswering = true;

  constructor(private readonly deps: SharedPushMemoryDeps) {
    this.ttlMs = deps.settings.ttl_seconds * 1000;
    const set = () => new ExpiringSet(this.ttlMs, deps.settings.max_entries, deps.now);
    this.local = { delivered: set(), dead: set() };
  }

  wasDelivered(appId: string, pushkey: string, eventId: string): Promise<boolean> {
    return this.has('delivered', 'was_delivered', memoryKey(appId, pushkey, eventId));
  }
  markDelivered(appId: string, pushkey: string, eventId: string): Promise<void> {
    return this.add('delivered', 'mark_delivered', memoryKey(appId, pushkey, eventId));
  }
  isDead(appId: string, pushkey: string): Promise<boolean> {
    return this.has('dead', 'is_dead', memoryKey(appId, pushkey));
  }
  markDead(appId: string, pushkey: string): Promise<void> {
    return this.add('dead', 'mark_dead', memoryKey(appId, pushkey));
  }
  close(): Promise<void> {
    return this.deps.store.close();
  }

  private async has(kind: MemoryKind, op: MemoryOp, key: string): Promise<boolean> {
    // A "yes" seen here stays true for the TTL wherever it was recorded; only a "no" needs the store.
    if (this.local[kind].has(key)) return true;
    return (await this.attempt(op, () => this.deps.store.has(kind, key))) ?? false;
  }

  private async add(kind: MemoryKind, op: MemoryOp, key: string): Promise<void> {
    // Written here first, so that while the store is down this process still remembers.
    this.local[kind].add(key);
    await this.attempt(op, () => this.deps.store.add(kind, key, this.ttlMs));
  }

  /** The store's answer, or undefined when it failed (then the local answer stands). */
  private async attempt<T>(op: MemoryOp, call: () => Promise<T>): Promise<T | undefined> {
    try {
      const result = await call();
      if (!this.storeAnswering) {
        this.storeAnswering = true;
        this.deps.log.info('push memory: shared store answering again; using it', { store: this.deps.store.name });
      }
      return result;
    } catch (err) {
      this.deps.countFallback(op);
      if (this.storeAnswering) {
        this.storeAnswering = false;
        this.deps.log.warn('push memory: shared store unavailable; deduplicating with this process\'s memory until it answers', {
          store: this.deps.store.name,
          error: err instanceof Error ? err.message : String(err),
        });
      }
      return undefined;
    }
  }
}
