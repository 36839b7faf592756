import { nextRestart, type RestartPolicy } from '../../src/cluster/restart-policy';

const policy: RestartPolicy = { stableAfterMs: 30_000, baseDelayMs: 250, maxDelayMs: 10_000 };

describe('worker restart policy', () => {
  test('workers that keep dying young wait longer and longer, up to the maximum', () => {
    let streak = 0;
    const delays: number[] = [];
    for (let i = 0; i < 8; i++) {
      const next = nextRestart(policy, streak, 1000);
      streak = next.streak;
      delays.push(next.delayMs);
    }
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000, 10_000, 10_000, 10_000]);
  });

  test('a worker that lived past stableAfterMs resets its slot\'s streak', () => {
    expect(nextRestart(policy, 6, 30_000)).toEqual({ streak: 0, delayMs: 250 });
    expect(nextRestart(policy, 6, 29_999)).toEqual({ streak: 7, delayMs: 10_000 });
  });

  test('a very long streak does not overflow the delay', () => {
    expect(nextRestart(policy, 10_000, 0).delayMs).toBe(10_000);
  });
});
