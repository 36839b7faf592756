/**
 * Finds the pushkin for a device's app_id with Sygnal's rules: an exact key wins; otherwise
 * exactly one matching glob (`*`, `?`); two or more matching globs is ambiguous.
 */
import type { Pushkin } from '../pushkins/pushkin';

export type Lookup = { pushkin: Pushkin } | { problem: 'unknown_app' | 'ambiguous_app' };

const LOOKUP_CACHE_LIMIT = 10_000;

export function isGlob(appId: string): boolean {
  return /[*?]/.test(appId);
}

export function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

export class AppRegistry {
  private readonly exact = new Map<string, Pushkin>();
  private readonly globs: Array<{ pattern: RegExp; pushkin: Pushkin }> = [];
  // Client-supplied app ids: the cache is bounded so it cannot be grown without limit.
  private readonly cache = new Map<string, Lookup>();

  constructor(pushkins: Iterable<Pushkin>) {
    for (const p of pushkins) {
      if (isGlob(p.appId)) this.globs.push({ pattern: globToRegExp(p.appId), pushkin: p });
      else this.exact.set(p.appId, p);
    }
  }

  find(appId: string): Lookup {
    const exact = this.exact.get(appId);
    if (exact) return { pushkin: exact };
    const cached = this.cache.get(appId);
    if (cached) return cached;
    const matches = this.globs.filter((g) => g.pattern.test(appId));
    const result: Lookup =
      matches.length === 1 ? { pushkin: matches[0].pushkin } : { problem: matches.length === 0 ? 'unknown_app' : 'ambiguous_app' };
    if (this.cache.size >= LOOKUP_CACHE_LIMIT) this.cache.clear();
    this.cache.set(appId, result);
    return result;
  }

  all(): Pushkin[] {
    return [...this.exact.values(), ...this.globs.map((g) => g.pushkin)];
  }

  async closeAll(): Promise<void> {
    await Promise.allSettled(this.all().map((p) => p.close()));
  }
}
