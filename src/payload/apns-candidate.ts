/**
 * Pieces shared by the APNs plans: the candidate shape the fitter weighs, its byte measure,
 * push type and priority rules, the badge, and the content-free fallbacks (contract section 5).
 */
import type { ApnsAppConfig } from '../config/schema';
import type { Device, Notification } from '../notification';
import { isCountsOnly, isEncrypted } from '../notification';
import { type FallbackHints, fallbackHints, hintVariants } from './fallback';
import { type JsonObject, isPlainObject, layerPayloads } from './merge';

export interface ApnsCandidate {
  body: JsonObject;
  pushType: string;
  priority: 5 | 10;
  /** Filled by measureApns so the winner is serialised once. */
  json?: string;
}

export function measureApns(candidate: ApnsCandidate): number {
  candidate.json ??= JSON.stringify(candidate.body);
  return Buffer.byteLength(candidate.json, 'utf8');
}

/** The configured push type for pushes a user sees (Sygnal's `push_type`), alert by default. */
export function visiblePushType(app: ApnsAppConfig): string {
  return app.push_type ?? 'alert';
}

/** `prio: low` → 5, else 10; APNs refuses background pushes at priority 10. */
export function priorityFor(pushType: string, prio: 'high' | 'low' | undefined): 5 | 10 {
  return prio === 'low' || pushType === 'background' ? 5 : 10;
}

/**
 * The badge the provider may set: unread + missed calls for a plain notification (Sygnal),
 * `counts.unread` for an encrypted frame's plaintext counts (MSC3013's iOS note).
 */
export function apnsBadge(n: Notification): number | undefined {
  if (isEncrypted(n)) return n.encrypted.counts?.unread;
  const { unread, missed_calls } = n.counts ?? {};
  if (unread === undefined && missed_calls === undefined) return undefined;
  return (unread ?? 0) + (missed_calls ?? 0);
}

export function hasDefaultAlert(defaults: JsonObject): boolean {
  return isPlainObject(defaults.aps) && defaults.aps.alert !== undefined;
}

function hintFields(hints: FallbackHints, n: Notification): { top: JsonObject; badge?: number } {
  const top: JsonObject = { content_omitted: true };
  if (hints.eventId !== undefined) top.event_id = hints.eventId;
  if (hints.roomId !== undefined) top.room_id = hints.roomId;
  if (hints.countsOnlyFlag) top.is_counts_only = true;
  return { top, badge: hints.counts ? apnsBadge(n) : undefined };
}

/**
 * Content-free pushes, most informative first; each later one drops what could make it big
 * (default_payload, then the ids), so the last is a few dozen bytes whatever the input.
 * Visible only when default_payload supplies an alert and the frame was about an event;
 * otherwise a background push (a counts-only frame never pops an alert).
 */
export function apnsFallbacks(n: Notification, device: Device, app: ApnsAppConfig, defaults: JsonObject): ApnsCandidate[] {
  const countsOnly = isCountsOnly(n);
  const prio = isEncrypted(n) ? 'high' : n.prio;
  const candidates: ApnsCandidate[] = [];
  for (const hints of hintVariants(fallbackHints(n, app))) {
    const { top, badge } = hintFields(hints, n);
    for (const layer of [defaults, {}]) {
      if (!countsOnly && hasDefaultAlert(layer)) {
        const aps: JsonObject = {};
        if (badge !== undefined) aps.badge = badge;
        if (device.tweaks?.sound !== undefined) aps.sound = device.tweaks.sound;
        const pushType = visiblePushType(app);
        candidates.push({ body: layerPayloads(layer, { aps }, top), pushType, priority: priorityFor(pushType, prio) });
      } else {
        const aps: JsonObject = { 'content-available': 1 };
        if (badge !== undefined) aps.badge = badge;
        const { aps: _ignored, ...rest } = layer;
        candidates.push({ body: layerPayloads(rest, top, { aps }), pushType: 'background', priority: 5 });
      }
    }
  }
  return candidates;
}
