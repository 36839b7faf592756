/** An app's `inflight_request_limit`, added to any Pushkin by wrapping it. */
import type { Outcome, Pushkin } from './pushkin';

export function withInflightLimit(inner: Pushkin, limit: number, onLimited: () => void): Pushkin {
  let inflight = 0;
  return {
    appId: inner.appId,
    backend: inner.backend,
    async send(notification, device, ctx): Promise<Outcome> {
      if (inflight >= limit) {
        onLimited();
        return { kind: 'temporary', reason: 'inflight_limit', inflightLimited: true, retryAfterMs: 1000 };
      }
      inflight++;
      try {
        return await inner.send(notification, device, ctx);
      } finally {
        inflight--;
      }
    },
    close: () => inner.close(),
  };
}
