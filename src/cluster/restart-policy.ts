/**
 * When to replace a worker that died: soon after a crash following a long life, later and later
 * when workers keep dying young (a crash loop must not burn the CPU the survivors need).
 */
export interface RestartPolicy {
  /** A worker that lived this long is healthy: its slot's crash streak starts again. */
  stableAfterMs: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = { stableAfterMs: 30_000, baseDelayMs: 250, maxDelayMs: 10_000 };

/** The slot's new crash streak and the pause before its replacement starts. */
export function nextRestart(policy: RestartPolicy, streak: number, livedMs: number): { streak: number; delayMs: number } {
  const next = livedMs >= policy.stableAfterMs ? 0 : streak + 1;
  return { streak: next, delayMs: Math.min(policy.baseDelayMs * 2 ** Math.min(next, 20), policy.maxDelayMs) };
}
