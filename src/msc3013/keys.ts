import { x25519 } from '@noble/curves/ed25519.js';
import { decodeUnpaddedBase64, encodeUnpaddedBase64 } from './base64';
import { Msc3013Error } from './errors';

export const KEY_BYTES = 32;

export interface KeyPair {
  /** Curve25519 public key, unpadded base64: what the app puts in the pusher's `public_key`. */
  publicKey: string;
  /** Curve25519 private key, unpadded base64: stays on the device. */
  privateKey: string;
}

export function generateKeyPair(): KeyPair {
  const privateKey = x25519.utils.randomSecretKey();
  return {
    publicKey: encodeUnpaddedBase64(x25519.getPublicKey(privateKey)),
    privateKey: encodeUnpaddedBase64(privateKey),
  };
}

/** The 32 key bytes from base64 text or bytes; `role` only names the key in the error. */
export function parseKey(key: string | Uint8Array, role: string): Uint8Array {
  // Callers from plain JavaScript (or parsed JSON) may hand us anything.
  const bytes: Uint8Array | undefined =
    typeof key === 'string' ? decodeUnpaddedBase64(key) : key instanceof Uint8Array ? key : undefined;
  if (bytes === undefined) {
    throw new Msc3013Error('bad_key', `${role} is not unpadded standard base64`);
  }
  if (bytes.length !== KEY_BYTES) {
    throw new Msc3013Error('bad_key', `${role} must be ${KEY_BYTES} bytes, got ${bytes.length}`);
  }
  return bytes;
}

export function publicKeyOf(privateKey: Uint8Array): Uint8Array {
  return x25519.getPublicKey(privateKey);
}

/**
 * X25519 with the low-order check. noble refuses low-order peer keys (which would give an
 * all-zero secret that anyone can compute) before running the ladder; we give that refusal
 * its own code. An all-zero result is checked too, in case the library ever stops refusing.
 */
export function sharedSecret(privateKey: Uint8Array, peerPublicKey: Uint8Array): Uint8Array {
  let secret: Uint8Array;
  try {
    secret = x25519.getSharedSecret(privateKey, peerPublicKey);
  } catch {
    throw new Msc3013Error('zero_shared_secret', 'public key is a low-order point (all-zero shared secret)');
  }
  if (secret.every((byte) => byte === 0)) {
    throw new Msc3013Error('zero_shared_secret', 'public key is a low-order point (all-zero shared secret)');
  }
  return secret;
}
