import { cbc } from '@noble/ciphers/aes.js';
import { x25519 } from '@noble/curves/ed25519.js';
import { decodeUnpaddedBase64, encodeUnpaddedBase64 } from './base64';
import { Msc3013Error } from './errors';
import { parseKey, publicKeyOf, sharedSecret } from './keys';
import {
  AES_BLOCK_BYTES,
  MAC_BYTES,
  MacVariant,
  computeMac,
  constantTimeEqual,
  deriveKeys,
  removePkcs7Padding,
} from './primitives';

/** The three MSC3013 fields, as they appear in a notification, APNs body or FCM `data`. */
export interface EncryptedPayload {
  ephemeral: string;
  ciphertext: string;
  mac: string;
}

export interface EncryptOptions {
  /** Which MAC to write; 'spec' (default) is what MSC3013 and its reference homeserver use. */
  mac?: MacVariant;
  /** Fixes the ephemeral key, for reproducing test vectors only: never reuse one in real pushes. */
  ephemeralPrivateKey?: string | Uint8Array;
}

export interface Decrypted {
  plaintext: string;
  /** Which MAC variant the payload carried. */
  mac: MacVariant;
}

/** Encrypts a notification (an object is JSON-serialised; a string is used as-is) for one device key. */
export function encrypt(
  notification: object | string,
  publicKey: string | Uint8Array,
  options: EncryptOptions = {},
): EncryptedPayload {
  const recipient = parseKey(publicKey, 'public key');
  const ephemeralPrivate =
    options.ephemeralPrivateKey === undefined
      ? x25519.utils.randomSecretKey()
      : parseKey(options.ephemeralPrivateKey, 'ephemeral private key');
  const keys = deriveKeys(sharedSecret(ephemeralPrivate, recipient));

  const plaintext = typeof notification === 'string' ? notification : JSON.stringify(notification);
  const ciphertext = cbc(keys.aesKey, keys.iv).encrypt(new TextEncoder().encode(plaintext));
  return {
    ephemeral: encodeUnpaddedBase64(publicKeyOf(ephemeralPrivate)),
    ciphertext: encodeUnpaddedBase64(ciphertext),
    mac: encodeUnpaddedBase64(computeMac(keys.macKey, ciphertext, options.mac ?? 'spec')),
  };
}

/**
 * Decrypts a payload with the device's private key, accepting either MAC variant because both
 * are produced in the wild. The MAC is checked before any decryption, and checked for both
 * variants every time so the timing does not reveal which one was tried.
 */
export function decrypt(payload: EncryptedPayload, privateKey: string | Uint8Array): Decrypted {
  const recipientPrivate = parseKey(privateKey, 'private key');
  const ephemeral = parseKey(payload.ephemeral, 'ephemeral key');
  const ciphertext = decodeField(payload.ciphertext, 'ciphertext');
  const mac = decodeField(payload.mac, 'mac');
  if (ciphertext.length === 0 || ciphertext.length % AES_BLOCK_BYTES !== 0) {
    throw new Msc3013Error(
      'bad_ciphertext_length',
      `ciphertext must be a non-empty multiple of ${AES_BLOCK_BYTES} bytes, got ${ciphertext.length}`,
    );
  }
  if (mac.length !== MAC_BYTES) {
    throw new Msc3013Error('bad_mac', `mac must be ${MAC_BYTES} bytes, got ${mac.length}`);
  }

  const keys = deriveKeys(sharedSecret(recipientPrivate, ephemeral));
  const matchesSpec = constantTimeEqual(mac, computeMac(keys.macKey, ciphertext, 'spec'));
  const matchesLibolm = constantTimeEqual(mac, computeMac(keys.macKey, ciphertext, 'libolm'));
  if (!matchesSpec && !matchesLibolm) {
    throw new Msc3013Error('bad_mac', 'mac matches neither variant (wrong key, or the payload was altered)');
  }

  const padded = cbc(keys.aesKey, keys.iv, { disablePadding: true }).decrypt(ciphertext);
  const unpadded = removePkcs7Padding(padded);
  if (unpadded === undefined) {
    throw new Msc3013Error('bad_padding', 'decrypted data does not end in valid PKCS#7 padding');
  }
  return { plaintext: decodeUtf8(unpadded), mac: matchesSpec ? 'spec' : 'libolm' };
}

function decodeField(text: string, field: string): Uint8Array {
  const bytes = typeof text === 'string' ? decodeUnpaddedBase64(text) : undefined;
  if (bytes === undefined) throw new Msc3013Error('bad_base64', `${field} is not unpadded standard base64`);
  return bytes;
}

function decodeUtf8(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new Msc3013Error('bad_utf8', 'decrypted data is not UTF-8');
  }
}
