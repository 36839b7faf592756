/**
 * The app's `fcm_options` (Sygnal): checked at start-up against the HTTP v1 `Message` shape,
 * and merged into every message. Sygnal operators often carry legacy-API keys over; those now
 * fail at FCM (or are silently ignored), so each one is named with its v1 equivalent.
 */
import { type JsonObject, isPlainObject } from './merge';

/** v1 Message fields an operator may set; token/topic/condition/name are Herald's or FCM's. */
const MESSAGE_FIELDS: ReadonlySet<string> = new Set(['android', 'apns', 'webpush', 'fcm_options', 'notification', 'data']);

const ANDROID_FIELDS: ReadonlySet<string> = new Set([
  'collapse_key', 'priority', 'ttl', 'restricted_package_name', 'data', 'notification', 'fcm_options', 'direct_boot_ok',
]);

/** Legacy HTTP API keys, each with what replaces it in v1. */
const LEGACY_KEYS: Readonly<Record<string, string>> = {
  priority: 'android.priority ("high" or "normal")',
  time_to_live: 'android.ttl (a duration string such as "3600s")',
  collapse_key: 'android.collapse_key',
  content_available: 'apns.payload.aps["content-available"]',
  mutable_content: 'apns.payload.aps["mutable-content"]',
  restricted_package_name: 'android.restricted_package_name',
  dry_run: 'nothing per message (v1 has validate_only on the send request)',
  delay_while_idle: 'nothing (removed from FCM)',
  to: 'nothing: Herald sets message.token per device',
  registration_ids: 'nothing: Herald sends one v1 message per device',
};

const HERALD_FIELDS: Readonly<Record<string, string>> = {
  token: 'set per device by Herald',
  topic: 'Herald sends to device tokens, not topics',
  condition: 'Herald sends to device tokens, not conditions',
  name: 'an output-only field of v1 messages',
};

/** Legacy spellings inside `android` that v1 renamed. */
const ANDROID_RENAMED: Readonly<Record<string, string>> = {
  time_to_live: 'ttl (a duration string such as "3600s")',
  collapseKey: 'collapse_key',
  restrictedPackageName: 'restricted_package_name',
  directBootOk: 'direct_boot_ok',
};

const OBJECT_FIELDS = ['apns', 'webpush', 'fcm_options', 'notification', 'data'] as const;

/** One problem, its path relative to `fcm_options` (the config checker prefixes the app's path). */
export interface FcmOptionsProblem {
  path: string[];
  message: string;
}

const problem = (path: string[], message: string): FcmOptionsProblem => ({ path, message });

/** Problems with `fcm_options`; empty when it is usable. */
export function validateFcmOptions(options: unknown): FcmOptionsProblem[] {
  if (!isPlainObject(options)) return [problem([], 'must be an object (fields of an HTTP v1 Message)')];
  const problems: FcmOptionsProblem[] = [];
  for (const key of Object.keys(options)) {
    if (key in LEGACY_KEYS) problems.push(problem([key], `a legacy FCM API key; in HTTP v1 use ${LEGACY_KEYS[key]}`));
    else if (key in HERALD_FIELDS) problems.push(problem([key], `not allowed (${HERALD_FIELDS[key]})`));
    else if (!MESSAGE_FIELDS.has(key)) problems.push(problem([key], `not a field of an HTTP v1 Message (allowed: ${[...MESSAGE_FIELDS].join(', ')})`));
  }
  for (const key of OBJECT_FIELDS) {
    if (options[key] !== undefined && !isPlainObject(options[key])) problems.push(problem([key], 'must be an object'));
  }
  if (isPlainObject(options.data)) problems.push(...stringValues(options.data, ['data']));
  if (options.android !== undefined) problems.push(...validateAndroid(options.android));
  return problems;
}

function validateAndroid(android: unknown): FcmOptionsProblem[] {
  if (!isPlainObject(android)) return [problem(['android'], 'must be an object (an HTTP v1 AndroidConfig)')];
  const problems: FcmOptionsProblem[] = [];
  for (const key of Object.keys(android)) {
    const at = ['android', key];
    if (key in ANDROID_RENAMED) problems.push(problem(at, `not an HTTP v1 AndroidConfig field; use android.${ANDROID_RENAMED[key]}`));
    else if (!ANDROID_FIELDS.has(key)) problems.push(problem(at, `not a field of an HTTP v1 AndroidConfig (allowed: ${[...ANDROID_FIELDS].join(', ')})`));
  }
  const { priority, ttl } = android;
  if (priority !== undefined && priority !== 'high' && priority !== 'normal') {
    problems.push(problem(['android', 'priority'], 'must be "high" or "normal"'));
  }
  if (ttl !== undefined && (typeof ttl !== 'string' || !/^\d+(\.\d{1,9})?s$/.test(ttl))) {
    problems.push(problem(['android', 'ttl'], 'must be a duration string in seconds such as "3600s"'));
  }
  if (isPlainObject(android.data)) problems.push(...stringValues(android.data, ['android', 'data']));
  return problems;
}

function stringValues(data: JsonObject, at: string[]): FcmOptionsProblem[] {
  return Object.keys(data)
    .filter((key) => typeof data[key] !== 'string')
    .map((key) => problem([...at, key], 'HTTP v1 data values must be strings'));
}
