/**
 * What Herald remembers between requests (contract section 3): events already delivered to an
 * app + pushkey (homeservers retry whole requests after a 502) and pushkeys the provider called
 * dead (so a retry rejects them at once). Bounded in entries and time. Redis-backed in redis-memory.ts.
 */

export interface PushMemory {
  wasDelivered(appId: string, pushkey: string, eventId: string): Promise<boolean>;
  markDelivered(appId: string, pushkey: string, eventId: string): Promise<void>;
  isDead(appId: string, pushkey: string): Promise<boolean>;
  markDead(appId: string, pushkey: string): Promise<void>;
  close(): Promise<void>;
}

/** Insertion-ordered map with expiry: the oldest entry goes first when full. */
export class ExpiringSet {
  private readonly entries = new Map<string, number>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
    private readonly now: () => number = Date.now,
  ) {}

  has(key: string): boolean {
    const expiry = this.entries.get(key);
    if (expiry === undefined) return false;
    if (expiry > this.now()) return true;
    this.entries.delete(key);
    return false;
  }

  add(key: string): void {
    this.entries.delete(key);
    this.entries.set(key, this.now() + this.ttlMs);
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  get size(): number {
    return this.entries.size;
  }
}

const key = (...parts: string[]) => parts.join('\u0000');

export class InMemoryPushMemory implements PushMemory {
  private readonly delivered: ExpiringSet;
  private readonly dead: ExpiringSet;

  constructor(settings: { ttl_seconds: number; max_entries: number }, now: () => number = Date.now) {
    this.delivered = new ExpiringSet(settings.ttl_seconds * 1000, settings.max_entries, now);
    this.dead = new ExpiringSet(settings.ttl_seconds * 1000, settings.max_entries, now);
  }

  async wasDelivered(appId: string, pushkey: string, eventId: string): Promise<boolean> {
    return this.delivered.has(key(appId, pushkey, eventId));
  }
  async markDelivered(appId: string, pushkey: string, eventId: string): Promise<void> {
    this.delivered.add(key(appId, pushkey, eventId));
  }
  async isDead(appId: string, pushkey: string): Promise<boolean> {
    return this.dead.has(key(appId, pushkey));
  }
  async markDead(appId: string, pushkey: string): Promise<void> {
    this.dead.add(key(appId, pushkey));
  }
  async close(): Promise<void> {}
}
