/**
 * The APNs request for one device (contract sections 4–6): body, push type and priority,
 * fitted to the app's `max_payload_bytes`. Pure: no I/O, no clock, inputs never mutated.
 */
import type { ApnsAppConfig } from '../config/schema';
import type { Device, EncryptedNotification, Notification, PlainNotification } from '../notification';
import { isCountsOnly, isEncrypted } from '../notification';
import type { Fit } from '../pushkins/pushkin';
import { locAlertFor } from './apns-alert';
import { type ApnsCandidate, apnsFallbacks, apnsBadge, hasDefaultAlert, measureApns, priorityFor, visiblePushType } from './apns-candidate';
import { type Shortening, fitPayload } from './fit';
import { type JsonObject, defaultPayloadFor, isPlainObject, layerPayloads } from './merge';

export interface ApnsPush {
  body: JsonObject;
  /** Exactly JSON.stringify(body): the bytes that go on the wire. */
  json: string;
  bytes: number;
  pushType: string;
  priority: 5 | 10;
  fit: Fit;
  collapseId?: string;
}

/**
 * Shown by an encrypted event push when no `default_payload` supplies an alert. A plain body
 * rather than a `loc-key`: an app without that key in its strings file would show the key
 * itself, and the notification service extension replaces the text after decrypting anyway.
 */
export const NEUTRAL_ENCRYPTED_ALERT = { body: 'New message' } as const;

interface Plan {
  full: ApnsCandidate;
  shortening?: Shortening<ApnsCandidate>;
}

/**
 * The push for `device`, or `null` when there is nothing to say (an event that deserves no
 * alert with no badge to set, or a badge-only notification with `send_badge_counts` off):
 * Sygnal sends nothing then either, and the device counts as handled.
 */
export function buildApnsPush(n: Notification, device: Device, app: ApnsAppConfig): ApnsPush | null {
  const defaults = defaultPayloadFor(app.default_payload, device.data);
  const plan = isEncrypted(n) ? encryptedPlan(n, device, app, defaults) : plainPlan(n, device, app, defaults);
  if (!plan) return null;
  const fitted = fitPayload({
    limit: app.max_payload_bytes,
    measure: measureApns,
    full: plan.full,
    shortening: plan.shortening,
    fallbacks: () => apnsFallbacks(n, device, app, defaults),
  });
  const { body, pushType, priority } = fitted.payload;
  return { body, json: fitted.payload.json ?? JSON.stringify(body), bytes: fitted.bytes, pushType, priority, fit: fitted.fit };
}

function plainPlan(n: PlainNotification, device: Device, app: ApnsAppConfig, defaults: JsonObject): Plan | null {
  const visible = (body: JsonObject): ApnsCandidate => {
    const pushType = visiblePushType(app);
    return { body, pushType, priority: priorityFor(pushType, n.prio) };
  };
  const sound = device.tweaks?.sound;
  const badge = app.send_badge_counts ? apnsBadge(n) : undefined;

  if (n.event_id === undefined) {
    // Badge-only (Sygnal): default_payload is an alert template, and a badge update is not an alert.
    return badge === undefined ? null : { full: visible({ aps: { badge } }) };
  }
  if (n.type === undefined || device.data?.format === 'event_id_only') {
    const herald: JsonObject = { room_id: n.room_id, event_id: n.event_id };
    if (n.counts?.unread !== undefined) herald.unread_count = n.counts.unread;
    if (n.counts?.missed_calls !== undefined) herald.missed_calls = n.counts.missed_calls;
    if (sound !== undefined) herald.aps = { sound };
    return withShortening(visible(layerPayloads(defaults, herald)));
  }

  const alert = locAlertFor(n);
  if (!alert && badge === undefined) return null;
  const aps: JsonObject = {};
  if (alert) aps.alert = alert;
  if (badge !== undefined) aps.badge = badge;
  if (alert && sound !== undefined) aps.sound = sound;
  const herald: JsonObject = { aps };
  // Without an alert this is a badge update about the event, not a pointer to it (Sygnal).
  if (alert) Object.assign(herald, { room_id: n.room_id, event_id: n.event_id });
  return withShortening(visible(layerPayloads(defaults, herald)));
}

function encryptedPlan(n: EncryptedNotification, device: Device, app: ApnsAppConfig, defaults: JsonObject): Plan {
  const { ephemeral, ciphertext, mac } = n.encrypted;
  if (isCountsOnly(n)) {
    // A silent badge update; an alert template from default_payload would make it visible.
    const aps: JsonObject = { 'content-available': 1 };
    const badge = app.send_badge_counts ? n.encrypted.counts?.unread : undefined;
    if (badge !== undefined) aps.badge = badge;
    const body: JsonObject = { aps, ephemeral, ciphertext, mac };
    if (n.encrypted.is_counts_only === true) body.is_counts_only = true;
    return { full: { body, pushType: 'background', priority: 5 } };
  }
  const aps: JsonObject = { 'mutable-content': 1 };
  if (!hasDefaultAlert(defaults)) aps.alert = { ...NEUTRAL_ENCRYPTED_ALERT };
  if (device.tweaks?.sound !== undefined) aps.sound = device.tweaks.sound;
  const body = layerPayloads(defaults, { aps, ephemeral, ciphertext, mac });
  const pushType = visiblePushType(app);
  // No prio in plaintext: an encrypted event is always urgent (MSC3013).
  return { full: { body, pushType, priority: priorityFor(pushType, 'high') } };
}

/** Plain pushes may shorten `aps.alert.body` and the string `loc-args`, nothing else. */
function withShortening(full: ApnsCandidate): Plan {
  const aps = full.body.aps;
  const alert = isPlainObject(aps) ? aps.alert : undefined;
  if (!isPlainObject(aps) || !isPlainObject(alert)) return { full };
  const args = Array.isArray(alert['loc-args']) ? (alert['loc-args'] as unknown[]) : [];
  const argSlots = args.flatMap((arg, i) => (typeof arg === 'string' ? [i] : []));
  const hasBody = typeof alert.body === 'string';
  const texts = [...(hasBody ? [alert.body as string] : []), ...argSlots.map((i) => args[i] as string)];
  if (texts.length === 0) return { full };

  const rebuild = (shortened: readonly string[]): ApnsCandidate => {
    const newAlert: JsonObject = { ...alert };
    let next = 0;
    if (hasBody) newAlert.body = shortened[next++];
    if (argSlots.length > 0) {
      const newArgs = [...args];
      for (const slot of argSlots) newArgs[slot] = shortened[next++];
      newAlert['loc-args'] = newArgs;
    }
    return { ...full, body: { ...full.body, aps: { ...aps, alert: newAlert } }, json: undefined };
  };
  return { full, shortening: { texts, costModel: 'json', rebuild } };
}
