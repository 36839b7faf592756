/**
 * Pushkey → APNs device token (contract section 3). Sygnal's `convert_device_token_to_hex`
 * apps register base64 of the token bytes; others register the hex token itself. A pushkey that
 * cannot be a token is rejected without a request, so its validation must be strict: Node's
 * base64 decoder skips stray characters and would turn garbage into a plausible token.
 */
import { decodeUnpaddedBase64 } from '../../msc3013/base64';

/**
 * Today's tokens are 32 bytes, but Apple says their length may change, and a wrongly refused
 * pushkey makes the homeserver delete a working pusher: only absurd lengths are refused.
 */
export const MAX_DEVICE_TOKEN_BYTES = 256;

const HEX = /^[0-9a-fA-F]+$/;

/** The lowercase hex device token for `pushkey`, or undefined when it cannot be one. */
export function deviceTokenFromPushkey(pushkey: string, convertToHex: boolean): string | undefined {
  const bytes = convertToHex ? decodeStandardBase64(pushkey) : decodeHex(pushkey);
  if (bytes === undefined || bytes.length === 0 || bytes.length > MAX_DEVICE_TOKEN_BYTES) return undefined;
  return Buffer.from(bytes).toString('hex');
}

/** Canonical standard-alphabet base64, padded or unpadded (iOS apps send either). */
export function decodeStandardBase64(text: string): Uint8Array | undefined {
  const unpadded = text.replace(/={1,2}$/, '');
  const padding = text.length - unpadded.length;
  // Padding, when present, must be exactly what completes the last quantum.
  if (padding > 0 && (text.length % 4 !== 0 || (4 - (unpadded.length % 4)) % 4 !== padding)) return undefined;
  return decodeUnpaddedBase64(unpadded);
}

function decodeHex(text: string): Uint8Array | undefined {
  if (text.length % 2 !== 0 || !HEX.test(text)) return undefined;
  return new Uint8Array(Buffer.from(text, 'hex'));
}
