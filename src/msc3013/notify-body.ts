import { EncryptOptions, encrypt } from './cipher';

/** How much unread state a counts-only frame shows in plaintext (the pusher's `counts_only_type`). */
export type CountsOnlyType = 'none' | 'boolean' | 'full';

export interface EncryptNotifyBodyOptions extends EncryptOptions {
  /**
   * Treat the notification as a counts-only frame and add the plaintext hint the homeserver
   * adds for this `counts_only_type`. Omitted or 'none': no hint (an ordinary event push).
   */
  countsOnly?: CountsOnlyType;
}

export const DEFAULT_ENCRYPTED_ALGORITHM = 'm.curve25519-aes-sha2';

/** Pusher keys the homeserver keeps to itself: MSC3013 says they never reach the gateway. */
const HOMESERVER_ONLY_DATA_KEYS = ['public_key', 'counts_only_type'];

type JsonObject = Record<string, unknown>;

/**
 * What a homeserver posts for an encrypted pusher, given the body it would post without
 * encryption (`{notification: {...}}`) or a bare notification object: everything except
 * `devices` becomes `ephemeral`/`ciphertext`/`mac`, plus the counts-only hint if asked for.
 * Throws TypeError on input that is not a notification, Msc3013Error on a bad key.
 */
export function encryptNotifyBody(
  body: object,
  publicKey: string | Uint8Array,
  options: EncryptNotifyBodyOptions = {},
): { notification: JsonObject } {
  const notification = notificationOf(body);
  if ('ciphertext' in notification) throw new TypeError('notification is already encrypted');

  const { devices, ...secret } = notification;
  const deviceList: unknown[] | undefined = Array.isArray(devices) ? devices : undefined;
  if (devices !== undefined && deviceList === undefined) throw new TypeError('notification.devices must be a list');

  const encrypted: JsonObject = { ...encrypt(secret, publicKey, options) };
  if (options.countsOnly === 'boolean') encrypted.is_counts_only = true;
  if (options.countsOnly === 'full') encrypted.counts = countsOf(secret);
  if (deviceList !== undefined) encrypted.devices = deviceList.map(asEncryptedDevice);
  return { notification: encrypted };
}

function notificationOf(body: object): JsonObject {
  if (!isObject(body)) throw new TypeError('expected a JSON object');
  if ('notification' in body) {
    if (!isObject(body.notification)) throw new TypeError('notification must be an object');
    return body.notification;
  }
  return body;
}

/** The plaintext copy of the counts that are also inside the ciphertext. */
function countsOf(notification: JsonObject): JsonObject {
  return isObject(notification.counts) ? { ...notification.counts } : {};
}

function asEncryptedDevice(device: unknown): unknown {
  if (!isObject(device)) return device;
  const data: JsonObject = isObject(device.data) ? { ...device.data } : {};
  for (const key of HOMESERVER_ONLY_DATA_KEYS) delete data[key];
  // Without an algorithm a gateway may take the device for a plain one.
  if (data.algorithm === undefined) data.algorithm = DEFAULT_ENCRYPTED_ALGORITHM;
  return { ...device, data };
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
