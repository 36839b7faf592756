/**
 * The Push Gateway API's request, as Herald understands it after validation.
 * Parsing lives in http/parse-notify.ts; everything downstream receives these types.
 */

export interface Counts {
  unread?: number;
  missed_calls?: number;
}

export interface DeviceData {
  format?: string;
  /** MSC3013: m.plain / m.curve25519-aes-sha2 (and com.famedly.* spellings). */
  algorithm?: string;
  default_payload?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface Device {
  app_id: string;
  pushkey: string;
  pushkey_ts?: number;
  data?: DeviceData;
  tweaks?: { sound?: string; highlight?: boolean; [key: string]: unknown };
}

/** The MSC3013 envelope, only present on encrypted notifications (validated strictly). */
export interface EncryptedEnvelope {
  ephemeral: string;
  ciphertext: string;
  mac: string;
  /** Plaintext hints the homeserver adds only to counts-only frames. */
  is_counts_only?: boolean;
  counts?: Counts;
}

export interface PlainNotification {
  encrypted?: undefined;
  event_id?: string;
  room_id?: string;
  type?: string;
  sender?: string;
  sender_display_name?: string;
  room_name?: string;
  room_alias?: string;
  membership?: string;
  user_is_target?: boolean;
  prio?: 'high' | 'low';
  content?: Record<string, unknown>;
  counts?: Counts;
  devices: Device[];
}

export interface EncryptedNotification {
  encrypted: EncryptedEnvelope;
  devices: Device[];
}

export type Notification = PlainNotification | EncryptedNotification;

export function isEncrypted(n: Notification): n is EncryptedNotification {
  return n.encrypted !== undefined;
}

/** A counts-only frame: encrypted with a plaintext hint, or plain with neither event nor content. */
export function isCountsOnly(n: Notification): boolean {
  if (isEncrypted(n)) return n.encrypted.is_counts_only === true || n.encrypted.counts !== undefined;
  return n.event_id === undefined;
}

export const ENCRYPTED_ALGORITHMS: ReadonlySet<string> = new Set([
  'm.curve25519-aes-sha2',
  'com.famedly.curve25519-aes-sha2',
]);
export const PLAIN_ALGORITHMS: ReadonlySet<string> = new Set(['m.plain', 'com.famedly.plain']);
