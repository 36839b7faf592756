/**
 * Fitting a payload to the app's byte limit (contract section 5), for every backend:
 * 1. the full payload; 2. (plain only) the displayed text shortened; 3. a content-free fallback.
 * The backend supplies the byte measure, the displayed strings and the fallback candidates;
 * this module decides which one goes out.
 */
import type { Fit } from '../pushkins/pushkin';
import { type CostModel, ELLIPSIS_BYTES, shortenTo, textCost } from './text';

export interface Shortening<P> {
  /** The displayed strings of the full payload, in a fixed order. */
  texts: readonly string[];
  /** How one of those strings' bytes count towards `measure` (must agree with it). */
  costModel: CostModel;
  /** The full payload with `texts` replaced (same order). */
  rebuild(texts: readonly string[]): P;
}

export interface FitRequest<P> {
  limit: number;
  measure(payload: P): number;
  full: P;
  /** Absent when nothing may be shortened (encrypted payloads: a ciphertext is never cut). */
  shortening?: Shortening<P>;
  /** Content-free payloads, most informative first; the last one must fit any limit ≥ 256. */
  fallbacks(): P[];
}

export interface Fitted<P> {
  payload: P;
  fit: Fit;
  bytes: number;
}

/**
 * The measure should agree with the cost model exactly, so the first shortened payload fits;
 * these extra rounds only absorb a disagreement (each one cuts the overshoot more).
 */
const MAX_SHORTENING_ROUNDS = 3;

export function fitPayload<P>(request: FitRequest<P>): Fitted<P> {
  const { limit, measure, full, shortening } = request;
  const costs = shortening?.texts.map((text) => boundedCost(text, shortening.costModel, limit));
  const fullBytes = shortening && costs ? estimateFull(shortening, costs, limit, measure, full) : measure(full);
  if (fullBytes <= limit) return { payload: full, fit: 'full', bytes: fullBytes };

  if (shortening && costs) {
    const shortened = shorten(shortening, costs, fullBytes - limit, limit, measure);
    if (shortened) return shortened;
  }

  const candidates = request.fallbacks();
  for (const payload of candidates) {
    const bytes = measure(payload);
    if (bytes <= limit) return { payload, fit: 'content_omitted', bytes };
  }
  // Every backend's last fallback is a few dozen bytes and limits are at least 256.
  throw new Error(`payload fallback does not fit ${limit} bytes (a bug in its builder)`);
}

/**
 * A text's cost, or for a text longer than the limit (every character costs at least a byte)
 * the cost of a prefix that already exceeds the limit. Cut levels never exceed the limit, so
 * such a text is cut whatever its exact cost, and the cut levels do not depend on it: a 64 KiB
 * body is scanned no further than about `limit` characters.
 */
function boundedCost(text: string, model: CostModel, limit: number): number {
  return textCost(text.length > limit ? text.slice(0, limit + 1) : text, model);
}

/**
 * The full payload's size without serialising its (possibly huge) texts: its size with every
 * text empty plus what the texts cost. Measured for real when it may fit; when a text's cost
 * was bounded this understates the size, which only matters to planCuts, where it cancels out.
 */
function estimateFull<P>(shortening: Shortening<P>, costs: readonly number[], limit: number, measure: (p: P) => number, full: P): number {
  const withoutTexts = measure(shortening.rebuild(shortening.texts.map(() => '')));
  const estimate = costs.reduce((sum, cost) => sum + cost, withoutTexts);
  return estimate <= limit ? measure(full) : estimate;
}

function shorten<P>(
  shortening: Shortening<P>, costs: readonly number[], excess: number, limit: number, measure: (p: P) => number,
): Fitted<P> | undefined {
  let toFree = excess;
  for (let round = 0; round < MAX_SHORTENING_ROUNDS; round++) {
    const budgets = planCuts(costs, toFree);
    if (!budgets) return undefined;
    const texts = shortening.texts.map((text, i) => {
      const budget = budgets[i];
      return budget === undefined ? text : shortenTo(text, budget, shortening.costModel);
    });
    const payload = shortening.rebuild(texts);
    const bytes = measure(payload);
    if (bytes <= limit) return { payload, fit: 'shortened', bytes };
    toFree += bytes - limit;
  }
  return undefined;
}

/**
 * Byte budgets, one per text (`undefined`: leave it whole), that free at least `toFree` bytes by
 * cutting the longest texts first down to one common level, as high as possible so that no more
 * is cut than needed. `undefined` when even cutting every text to a bare `…` is not enough.
 * A text cut to budget b (its prefix plus `…`) costs at most b, so it frees at least cost − b.
 */
export function planCuts(costs: readonly number[], toFree: number): Array<number | undefined> | undefined {
  if (toFree <= 0) return costs.map(() => undefined);
  const longestFirst = costs.map((_, i) => i).sort((a, b) => costs[b] - costs[a]);
  let sumOfCut = 0;
  for (let k = 1; k <= longestFirst.length; k++) {
    sumOfCut += costs[longestFirst[k - 1]];
    // Cutting the k longest to `level` frees sumOfCut − k·level ≥ toFree.
    const level = Math.floor((sumOfCut - toFree) / k);
    const nextLongest = k < longestFirst.length ? costs[longestFirst[k]] : -Infinity;
    if (level < nextLongest) continue;
    if (level < ELLIPSIS_BYTES) return undefined;
    return costs.map((cost) => (cost > level ? level : undefined));
  }
  return undefined;
}
