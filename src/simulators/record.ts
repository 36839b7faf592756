/** What a simulator remembers about each push request, and the display-only MSC3013 decryption. */
import { decrypt } from '../msc3013';
import { Scenario } from './scenarios';

export type DecryptedDisplay =
  | { ok: true; plaintext: string; mac: 'spec' | 'libolm' }
  | { ok: false; error: string };

export interface ReceivedPush {
  provider: 'apns' | 'fcm';
  /** The device token exactly as received (APNs: from the path; FCM: `message.token`). */
  token: string;
  scenario: Scenario;
  method: string;
  path: string;
  /** Request headers, lower-case names, HTTP/2 pseudo-headers left out. */
  headers: Record<string, string>;
  /** The parsed JSON body (APNs: the payload; FCM: `{message, validate_only?}`); undefined if not JSON. */
  body: unknown;
  /** Raw request body length in bytes. */
  bytes: number;
  /** The size the provider limits: APNs the body; FCM the UTF-8 bytes of `data` keys and values. */
  payloadBytes: number;
  receivedAt: number;
  /** Set once answered; a stalled or reset request keeps them undefined. */
  status?: number;
  /** APNs `reason`; FCM `errorCode` (or `status` when there is none). */
  reason?: string;
  answeredAt?: number;
  /** Present when the simulator holds a decrypt key and the payload carried MSC3013 fields. */
  decrypted?: DecryptedDisplay;
}

/** Decrypts `ephemeral`/`ciphertext`/`mac` found in `fields` for display; undefined when absent. */
export function decryptForDisplay(fields: unknown, privateKey: string | undefined): DecryptedDisplay | undefined {
  if (privateKey === undefined || typeof fields !== 'object' || fields === null) return undefined;
  const { ephemeral, ciphertext, mac } = fields as Record<string, unknown>;
  if (typeof ephemeral !== 'string' || typeof ciphertext !== 'string' || typeof mac !== 'string') return undefined;
  try {
    const result = decrypt({ ephemeral, ciphertext, mac }, privateKey);
    return { ok: true, plaintext: result.plaintext, mac: result.mac };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

/** Sum of UTF-8 bytes of an FCM `data` map's keys and values (the 4096-byte limit). */
export function dataBytes(data: unknown): number {
  if (typeof data !== 'object' || data === null) return 0;
  let total = 0;
  for (const [key, value] of Object.entries(data)) {
    total += Buffer.byteLength(key, 'utf8') + Buffer.byteLength(typeof value === 'string' ? value : JSON.stringify(value) ?? '', 'utf8');
  }
  return total;
}
