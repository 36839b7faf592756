import { hkdf } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';

export type MacVariant = 'spec' | 'libolm';

export const MAC_BYTES = 8;
export const AES_BLOCK_BYTES = 16;

export interface DerivedKeys {
  aesKey: Uint8Array;
  macKey: Uint8Array;
  iv: Uint8Array;
}

/** MSC3013 step 2: HKDF-SHA-256, 32 zero bytes of salt, empty info, 80 bytes split 32/32/16. */
export function deriveKeys(sharedSecret: Uint8Array): DerivedKeys {
  const okm = hkdf(sha256, sharedSecret, new Uint8Array(32), new Uint8Array(0), 80);
  return { aesKey: okm.slice(0, 32), macKey: okm.slice(32, 64), iv: okm.slice(64, 80) };
}

/**
 * The truncated HMAC. 'spec' authenticates the ciphertext as MSC3013 says; 'libolm' reproduces
 * libolm's PkEncryption, which MACs the empty string (so it authenticates only the key).
 */
export function computeMac(macKey: Uint8Array, ciphertext: Uint8Array, variant: MacVariant): Uint8Array {
  const message = variant === 'spec' ? ciphertext : new Uint8Array(0);
  return hmac(sha256, macKey, message).slice(0, MAC_BYTES);
}

/** Compares in time independent of where the bytes differ, so a forger learns nothing. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a[i] ^ b[i];
  return difference === 0;
}

/** Removes PKCS#7 padding, or returns undefined when it is not valid padding. */
export function removePkcs7Padding(data: Uint8Array): Uint8Array | undefined {
  if (data.length === 0 || data.length % AES_BLOCK_BYTES !== 0) return undefined;
  const padLength = data[data.length - 1];
  if (padLength < 1 || padLength > AES_BLOCK_BYTES) return undefined;
  for (let i = data.length - padLength; i < data.length; i++) {
    if (data[i] !== padLength) return undefined;
  }
  return data.subarray(0, data.length - padLength);
}
