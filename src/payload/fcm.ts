/**
 * The FCM HTTP v1 message for one device (contract sections 4–6): data-only, every value a
 * string (Sygnal's v1 shape), fitted to `max_payload_bytes` of data. Pure: inputs never mutated.
 * The message is in REST (snake_case) form, as `fcm_options` is written.
 */
import type { FcmAppConfig } from '../config/schema';
import type { Device, EncryptedNotification, Notification, PlainNotification } from '../notification';
import { isCountsOnly, isEncrypted } from '../notification';
import type { Fit } from '../pushkins/pushkin';
import { fallbackHints, hintVariants, plaintextCounts } from './fallback';
import { type Shortening, fitPayload } from './fit';
import { type JsonObject, cloneJson, isPlainObject, layerPayloads } from './merge';

export { type FcmOptionsProblem, validateFcmOptions } from './fcm-options';

export type FcmData = Record<string, string>;

export interface FcmMessage {
  token: string;
  data: FcmData;
  android: { priority: 'high' | 'normal'; [key: string]: unknown };
  [key: string]: unknown;
}

export interface FcmPush {
  message: FcmMessage;
  /** UTF-8 bytes of the data keys and values: what FCM's 4096-byte limit counts. */
  bytes: number;
  fit: Fit;
}

/** Displayed text FCM may shorten, in the order offered to the fitter. */
const SHORTENABLE_KEYS = ['content_body', 'room_name', 'sender_display_name'] as const;

/** Plain notification fields forwarded as they are (Sygnal v1), before `content_*`. */
const PLAIN_FIELDS = ['event_id', 'type', 'sender', 'room_name', 'room_alias', 'membership', 'sender_display_name', 'room_id'] as const;

/**
 * FCM refuses a message whose data uses these keys. They can only come from a default_payload
 * or `fcm_options.data` (Herald's own keys never match), so they are dropped rather than renamed:
 * a renamed key would mean nothing to the app either.
 */
export function isReservedDataKey(key: string): boolean {
  const lower = key.toLowerCase();
  return lower === 'from' || lower === 'message_type' || lower.startsWith('google') || lower.startsWith('gcm');
}

/** default_payload values as v1 wants them: strings as they are, anything else as JSON. */
function stringifyData(values: JsonObject): FcmData {
  const data: FcmData = {};
  for (const key of Object.keys(values)) {
    const value = values[key];
    if (!isReservedDataKey(key)) data[key] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  return data;
}

export function measureFcmData(data: FcmData): number {
  let bytes = 0;
  for (const key of Object.keys(data)) bytes += Buffer.byteLength(key, 'utf8') + Buffer.byteLength(data[key], 'utf8');
  return bytes;
}

/**
 * The message for `device`, or `null` when there is nothing to say: a badge-only notification
 * with no counts to send (none given, or `send_badge_counts` off), as Sygnal discards it too.
 * A badge clear (`unread: 0`) is sent.
 */
export function buildFcmMessage(n: Notification, device: Device, app: FcmAppConfig): FcmPush | null {
  const options = isPlainObject(app.fcm_options) ? app.fcm_options : {};
  const defaults = stringifyData(layerPayloads(options.data, app.default_payload, device.data?.default_payload));
  const built = isEncrypted(n) ? encryptedData(n, app) : plainData(n, app);
  if (!built) return null;
  const full = { ...defaults, ...built };
  const shortening = isEncrypted(n) ? undefined : shorteningOf(full);
  const fitted = fitPayload({
    limit: app.max_payload_bytes,
    measure: measureFcmData,
    full,
    shortening,
    fallbacks: () => fcmFallbacks(n, app, defaults),
  });
  const prio = isEncrypted(n) ? 'high' : n.prio === 'low' ? 'normal' : 'high';
  return { message: messageOf(options, device.pushkey, fitted.payload, prio), bytes: fitted.bytes, fit: fitted.fit };
}

function countsData(n: Notification, app: FcmAppConfig): FcmData {
  const counts = app.send_badge_counts ? plaintextCounts(n) : undefined;
  const data: FcmData = {};
  if (counts?.unread !== undefined) data.unread = String(counts.unread);
  if (counts?.missed_calls !== undefined) data.missed_calls = String(counts.missed_calls);
  return data;
}

function plainData(n: PlainNotification, app: FcmAppConfig): FcmData | null {
  const counts = countsData(n, app);
  if (n.event_id === undefined && Object.keys(counts).length === 0) return null;
  const data: FcmData = {};
  for (const field of PLAIN_FIELDS) {
    const value = n[field];
    if (value !== undefined) data[field] = value;
  }
  for (const [key, value] of Object.entries(n.content ?? {})) {
    // Sygnal v1 forwards string content only; nested objects (m.relates_to…) would need a schema.
    if (typeof value === 'string') data[`content_${key}`] = value;
  }
  data.prio = n.prio === 'low' ? 'normal' : 'high';
  return { ...data, ...counts };
}

function encryptedData(n: EncryptedNotification, app: FcmAppConfig): FcmData {
  const { ephemeral, ciphertext, mac } = n.encrypted;
  const data: FcmData = { ephemeral, ciphertext, mac };
  if (!isCountsOnly(n)) return data;
  if (n.encrypted.is_counts_only === true) data.is_counts_only = 'true';
  return { ...data, ...countsData(n, app) };
}

function shorteningOf(full: FcmData): Shortening<FcmData> | undefined {
  const keys = SHORTENABLE_KEYS.filter((key) => full[key] !== undefined);
  if (keys.length === 0) return undefined;
  return {
    texts: keys.map((key) => full[key]),
    costModel: 'utf8',
    rebuild: (texts) => {
      const data = { ...full };
      keys.forEach((key, i) => (data[key] = texts[i]));
      return data;
    },
  };
}

/** Content-free data, most informative first; the last is tiny whatever the input. */
function fcmFallbacks(n: Notification, app: FcmAppConfig, defaults: FcmData): FcmData[] {
  const candidates: FcmData[] = [];
  for (const hints of hintVariants(fallbackHints(n, app))) {
    const data: FcmData = { content_omitted: 'true' };
    if (hints.eventId !== undefined) data.event_id = hints.eventId;
    if (hints.roomId !== undefined) data.room_id = hints.roomId;
    if (hints.countsOnlyFlag) data.is_counts_only = 'true';
    if (hints.counts?.unread !== undefined) data.unread = String(hints.counts.unread);
    if (hints.counts?.missed_calls !== undefined) data.missed_calls = String(hints.counts.missed_calls);
    candidates.push({ ...defaults, ...data }, data);
  }
  return candidates;
}

/**
 * `fcm_options` with Herald's token and data; `android.priority` follows `prio` unless the
 * operator set it (their explicit choice wins, e.g. to keep every push normal priority).
 */
function messageOf(options: JsonObject, token: string, data: FcmData, prio: 'high' | 'normal'): FcmMessage {
  const base = cloneJson(options) as JsonObject;
  const android = isPlainObject(base.android) ? base.android : {};
  const priority = android.priority === 'normal' || android.priority === 'high' ? android.priority : prio;
  return { ...base, token, data, android: { ...android, priority } };
}
