import type { Outcome } from '../../src/pushkins/pushkin';
import { backoffDelay, parseRetryAfter, sendWithRetry, type Clock, type RetryPolicy } from '../../src/pushkins/retry';

const POLICY: RetryPolicy = { baseDelayMs: 100, maxDelayMs: 1000, maxAttempts: 6 };

/** Virtual time: sleeping advances it at once; `random` replays the given values. */
function fakeClock(randoms: number[] = [0.5], start = 10_000): Clock & { sleeps: number[]; time: () => number } {
  let now = start;
  let i = 0;
  const sleeps: number[] = [];
  return {
    now: () => now,
    random: () => randoms[Math.min(i++, randoms.length - 1)],
    async sleep(ms) {
      sleeps.push(ms);
      now += ms;
    },
    sleeps,
    time: () => now,
  };
}

const temporary = (retryAfterMs?: number): Outcome => ({ kind: 'temporary', reason: '503', ...(retryAfterMs === undefined ? {} : { retryAfterMs }) });
const delivered: Outcome = { kind: 'delivered', fit: 'full' };

/** An attempt function that answers the given outcomes in turn (the last one repeats). */
function script(outcomes: Outcome[]) {
  const calls: number[] = [];
  const attempt = async (n: number) => {
    calls.push(n);
    return outcomes[Math.min(n, outcomes.length - 1)];
  };
  return { attempt, calls };
}

describe('backoffDelay', () => {
  test.each([0, 1, 2, 3, 4, 5, 10, 40])('attempt %i: between 0 and min(maxDelay, base·2^n), full jitter', (attempt) => {
    const ceiling = Math.min(POLICY.maxDelayMs, POLICY.baseDelayMs * 2 ** attempt);
    expect(backoffDelay(attempt, POLICY, () => 0)).toBe(0);
    expect(backoffDelay(attempt, POLICY, () => 0.5)).toBe(Math.round(ceiling / 2));
    expect(backoffDelay(attempt, POLICY, () => 0.999999)).toBe(ceiling);
  });
});

describe('sendWithRetry', () => {
  test.each<[string, Outcome]>([
    ['delivered', delivered],
    ['rejected', { kind: 'rejected', reason: 'Unregistered' }],
    ['dropped', { kind: 'dropped', reason: 'Forbidden' }],
    ['an in-flight limit', { kind: 'temporary', reason: 'inflight_limit', inflightLimited: true, retryAfterMs: 1000 }],
  ])('%s is returned after one attempt', async (_name, outcome) => {
    const clock = fakeClock();
    const { attempt, calls } = script([outcome]);
    expect(await sendWithRetry(attempt, clock.now() + 60_000, POLICY, clock)).toEqual(outcome);
    expect(calls).toEqual([0]);
    expect(clock.sleeps).toEqual([]);
  });

  test('temporary failures are retried with growing jittered backoff until one succeeds', async () => {
    const clock = fakeClock([1 - 1e-9]);
    const { attempt, calls } = script([temporary(), temporary(), temporary(), delivered]);
    expect(await sendWithRetry(attempt, clock.now() + 60_000, POLICY, clock)).toEqual(delivered);
    expect(calls).toEqual([0, 1, 2, 3]);
    expect(clock.sleeps).toEqual([100, 200, 400]);
  });

  test('a provider Retry-After is honoured exactly, even beyond the backoff ceiling', async () => {
    const clock = fakeClock([0]);
    const { attempt } = script([temporary(3000), temporary(1500), delivered]);
    expect(await sendWithRetry(attempt, clock.now() + 60_000, POLICY, clock)).toEqual(delivered);
    expect(clock.sleeps).toEqual([3000, 1500]);
  });

  test('gives up after maxAttempts with the last outcome', async () => {
    const clock = fakeClock([0]);
    const { attempt, calls } = script([temporary()]);
    expect(await sendWithRetry(attempt, clock.now() + 60_000, POLICY, clock)).toEqual(temporary());
    expect(calls).toHaveLength(POLICY.maxAttempts);
  });

  test('never waits past the deadline: a Retry-After that does not fit ends the retries at once', async () => {
    const clock = fakeClock();
    const start = clock.now();
    const { attempt, calls } = script([temporary(5000)]);
    expect(await sendWithRetry(attempt, start + 4000, POLICY, clock)).toEqual(temporary(5000));
    expect(calls).toEqual([0]);
    expect(clock.time()).toBe(start);
  });

  test('with backoff alone, every wait ends before the deadline', async () => {
    for (const r of [0.1, 0.5, 0.9, 1 - 1e-9]) {
      const clock = fakeClock([r]);
      const deadline = clock.now() + 700;
      const { attempt, calls } = script([temporary()]);
      await sendWithRetry(attempt, deadline, { ...POLICY, maxAttempts: 100 }, clock);
      expect(clock.time()).toBeLessThan(deadline);
      expect(calls.length).toBeGreaterThanOrEqual(2);
    }
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  test.each<[string | undefined, number | undefined]>([
    [undefined, undefined],
    ['', undefined],
    ['0', 0],
    ['2', 2000],
    ['1.5', 1500],
    ['Thu, 01 Jan 2026 00:00:30 GMT', 30_000],
    ['Wed, 31 Dec 2025 23:59:00 GMT', 0],
    ['soon', undefined],
  ])('%j → %j ms', (value, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected);
  });
});
