/**
 * What a content-free fallback push may still say (contract section 5), the same for every
 * backend: each one only decides how to spell it.
 */
import type { CountsOnlyType } from '../config/schema';
import { type Counts, type Notification, isCountsOnly, isEncrypted } from '../notification';

export interface FallbackHints {
  /** Only from plain notifications: an encrypted one never has them in plaintext. */
  eventId?: string;
  roomId?: string;
  /** `counts_only_type: boolean` and the frame was counts-only. */
  countsOnlyFlag: boolean;
  /** `counts_only_type: full`: the plaintext counts, if there were any. */
  counts?: Counts;
}

/** The counts a provider may see: a plain notification's, or an encrypted frame's plaintext hint. */
export function plaintextCounts(n: Notification): Counts | undefined {
  const counts = isEncrypted(n) ? n.encrypted.counts : n.counts;
  if (!counts || (counts.unread === undefined && counts.missed_calls === undefined)) return undefined;
  return counts;
}

/**
 * `send_badge_counts: false` also keeps counts out of the fallback: an operator who turned
 * badges off should not see them come back when a push degrades.
 */
export function fallbackHints(
  n: Notification,
  app: { counts_only_type: CountsOnlyType; send_badge_counts: boolean },
): FallbackHints {
  const hints: FallbackHints = {
    countsOnlyFlag: app.counts_only_type === 'boolean' && isCountsOnly(n),
  };
  if (!isEncrypted(n)) {
    if (n.event_id !== undefined) hints.eventId = n.event_id;
    if (n.room_id !== undefined) hints.roomId = n.room_id;
  }
  if (app.counts_only_type === 'full' && app.send_badge_counts) {
    const counts = plaintextCounts(n);
    if (counts) hints.counts = counts;
  }
  return hints;
}

/** Fallback variants, most informative first: with ids, then without (ids could be huge). */
export function hintVariants(hints: FallbackHints): FallbackHints[] {
  if (hints.eventId === undefined && hints.roomId === undefined) return [hints];
  return [hints, { countsOnlyFlag: hints.countsOnlyFlag, counts: hints.counts }];
}
