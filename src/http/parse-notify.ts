/**
 * Validates a notify body into a typed Notification. Pure: bytes in, value or MatrixError out.
 * Every message names the offending field so a homeserver developer can fix it at once.
 */
import { MatrixError } from './errors';
import { nestsDeeperThan } from './json-depth';
import { decodeUnpaddedBase64 } from '../msc3013/base64';
import {
  ENCRYPTED_ALGORITHMS,
  type Counts,
  type Device,
  type EncryptedEnvelope,
  type Notification,
} from '../notification';

export interface ParseLimits {
  maxDevices: number;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Far beyond any real notification (content and default_payload are a few levels deep). */
export const MAX_JSON_DEPTH = 64;

const STRING_FIELDS = [
  'event_id', 'room_id', 'type', 'sender', 'sender_display_name', 'room_name', 'room_alias', 'membership',
] as const;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const bad = (message: string) => new MatrixError('M_BAD_JSON', message);

export function parseNotifyBody(body: Buffer, limits: ParseLimits): Notification | MatrixError {
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    return new MatrixError('M_NOT_JSON', 'body is not valid UTF-8');
  }
  if (nestsDeeperThan(text, MAX_JSON_DEPTH)) return bad(`body: nested more than ${MAX_JSON_DEPTH} levels deep`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return new MatrixError('M_NOT_JSON', 'body is not valid JSON');
  }
  if (!isObject(parsed)) return bad('body must be a JSON object');
  const n = parsed.notification;
  if (!isObject(n)) return bad('notification: required object');
  return parseNotification(n, limits);
}

function parseNotification(n: Json, limits: ParseLimits): Notification | MatrixError {
  const devices = parseDevices(n.devices, limits);
  if (devices instanceof MatrixError) return devices;
  const encrypted = devices.some((d) => ENCRYPTED_ALGORITHMS.has(d.data?.algorithm ?? '')) || 'ciphertext' in n;
  if (encrypted) {
    const envelope = parseEnvelope(n);
    if (envelope instanceof MatrixError) return envelope;
    if (devices.length !== 1) return bad('devices: an encrypted notification must have exactly one device');
    return { encrypted: envelope, devices };
  }
  for (const key of STRING_FIELDS) {
    if (n[key] !== undefined && typeof n[key] !== 'string') return bad(`notification.${key}: must be a string`);
  }
  if (n.prio !== undefined && n.prio !== 'high' && n.prio !== 'low') return bad('notification.prio: must be "high" or "low"');
  if (n.content !== undefined && !isObject(n.content)) return bad('notification.content: must be an object');
  if (n.user_is_target !== undefined && typeof n.user_is_target !== 'boolean') {
    return bad('notification.user_is_target: must be a boolean');
  }
  const counts = parseCounts(n.counts);
  if (counts instanceof MatrixError) return counts;
  const plain: Notification = { devices };
  for (const key of STRING_FIELDS) if (typeof n[key] === 'string') plain[key] = n[key];
  if (n.prio !== undefined) plain.prio = n.prio as 'high' | 'low';
  if (n.content !== undefined) plain.content = n.content as Json;
  if (n.user_is_target !== undefined) plain.user_is_target = n.user_is_target as boolean;
  if (counts !== undefined) plain.counts = counts;
  return plain;
}

function parseDevices(value: unknown, limits: ParseLimits): Device[] | MatrixError {
  if (!Array.isArray(value) || value.length === 0) return bad('notification.devices: must be a non-empty list');
  if (value.length > limits.maxDevices) {
    return bad(`notification.devices: ${value.length} devices, more than the limit of ${limits.maxDevices}`);
  }
  const devices: Device[] = [];
  for (let i = 0; i < value.length; i++) {
    const d: unknown = value[i];
    const at = `notification.devices[${i}]`;
    if (!isObject(d)) return bad(`${at}: must be an object`);
    if (typeof d.app_id !== 'string' || d.app_id === '') return bad(`${at}.app_id: must be a non-empty string`);
    if (typeof d.pushkey !== 'string' || d.pushkey === '') return bad(`${at}.pushkey: must be a non-empty string`);
    if (d.pushkey_ts !== undefined && typeof d.pushkey_ts !== 'number') return bad(`${at}.pushkey_ts: must be a number`);
    if (d.data !== undefined && d.data !== null && !isObject(d.data)) return bad(`${at}.data: must be an object`);
    if (d.tweaks !== undefined && d.tweaks !== null && !isObject(d.tweaks)) return bad(`${at}.tweaks: must be an object`);
    const data = isObject(d.data) ? d.data : undefined;
    if (data?.algorithm !== undefined && typeof data.algorithm !== 'string') return bad(`${at}.data.algorithm: must be a string`);
    if (data?.format !== undefined && typeof data.format !== 'string') return bad(`${at}.data.format: must be a string`);
    if (data?.default_payload !== undefined && !isObject(data.default_payload)) {
      return bad(`${at}.data.default_payload: must be an object`);
    }
    const tweaks = isObject(d.tweaks) ? d.tweaks : undefined;
    if (tweaks?.sound !== undefined && typeof tweaks.sound !== 'string') return bad(`${at}.tweaks.sound: must be a string`);
    const device: Device = { app_id: d.app_id, pushkey: d.pushkey };
    if (typeof d.pushkey_ts === 'number') device.pushkey_ts = d.pushkey_ts;
    if (data !== undefined) device.data = data;
    if (tweaks !== undefined) device.tweaks = tweaks;
    devices.push(device);
  }
  return devices;
}

function parseCounts(value: unknown): Counts | undefined | MatrixError {
  if (value === undefined) return undefined;
  if (!isObject(value)) return bad('notification.counts: must be an object');
  const counts: Counts = {};
  for (const key of ['unread', 'missed_calls'] as const) {
    const v = value[key];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
      return bad(`notification.counts.${key}: must be a non-negative integer`);
    }
    counts[key] = v;
  }
  return counts;
}

/** MSC3013 fields, checked strictly (contract section 6). */
function parseEnvelope(n: Json): EncryptedEnvelope | MatrixError {
  const field = (name: string, check: (bytes: Uint8Array) => string | undefined): string | MatrixError => {
    const v = n[name];
    if (typeof v !== 'string') return bad(`notification.${name}: required unpadded base64 string for an encrypted notification`);
    const bytes = decodeUnpaddedBase64(v);
    if (bytes === undefined) return bad(`notification.${name}: not unpadded standard base64`);
    const problem = check(bytes);
    return problem === undefined ? v : bad(`notification.${name}: ${problem}`);
  };
  const ephemeral = field('ephemeral', (b) => (b.length === 32 ? undefined : `must be 32 bytes, got ${b.length}`));
  if (ephemeral instanceof MatrixError) return ephemeral;
  const ciphertext = field('ciphertext', (b) =>
    b.length > 0 && b.length % 16 === 0 ? undefined : `must be a non-empty whole number of 16-byte blocks, got ${b.length} bytes`,
  );
  if (ciphertext instanceof MatrixError) return ciphertext;
  const mac = field('mac', (b) => (b.length === 8 ? undefined : `must be 8 bytes, got ${b.length}`));
  if (mac instanceof MatrixError) return mac;
  const envelope: EncryptedEnvelope = { ephemeral, ciphertext, mac };
  if (n.is_counts_only !== undefined) {
    if (typeof n.is_counts_only !== 'boolean') return bad('notification.is_counts_only: must be a boolean');
    envelope.is_counts_only = n.is_counts_only;
  }
  const counts = parseCounts(n.counts);
  if (counts instanceof MatrixError) return counts;
  if (counts !== undefined) envelope.counts = counts;
  return envelope;
}
