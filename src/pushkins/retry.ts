/**
 * The one retry loop every pushkin uses: exponential backoff with full jitter, honouring a
 * provider's Retry-After, never starting an attempt that could not finish before the deadline.
 */
import type { Outcome } from './pushkin';

export interface RetryPolicy {
  baseDelayMs: number;
  maxDelayMs: number;
  maxAttempts: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { baseDelayMs: 100, maxDelayMs: 5000, maxAttempts: 6 };

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
  random(): number;
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
};

export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.round(random() * ceiling);
}

/**
 * Runs `attempt` until it returns anything but a provider temporary failure, attempts run out,
 * or the next wait would pass `deadline`; then returns the last outcome.
 */
export async function sendWithRetry(
  attempt: (attemptNumber: number) => Promise<Outcome>,
  deadline: number,
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
  clock: Clock = realClock,
): Promise<Outcome> {
  for (let n = 0; ; n++) {
    const outcome = await attempt(n);
    if (outcome.kind !== 'temporary' || outcome.inflightLimited) return outcome;
    if (n + 1 >= policy.maxAttempts) return outcome;
    const wait = outcome.retryAfterMs ?? backoffDelay(n, policy, clock.random);
    if (clock.now() + wait >= deadline) return outcome;
    await clock.sleep(wait);
  }
}

/** Parses an HTTP Retry-After (seconds or HTTP date) into milliseconds. */
export function parseRetryAfter(value: string | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined || value === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
