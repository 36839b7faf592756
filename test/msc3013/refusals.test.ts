import { cbc } from '@noble/ciphers/aes.js';
import { decodeUnpaddedBase64, encodeUnpaddedBase64 } from '../../src/msc3013/base64';
import { decrypt, encrypt, EncryptedPayload, generateKeyPair, Msc3013Error, Msc3013ErrorCode } from '../../src/msc3013';
import { parseKey, publicKeyOf, sharedSecret } from '../../src/msc3013/keys';
import { computeMac, deriveKeys } from '../../src/msc3013/primitives';
import { loadVectors } from './vectors';

const vector = loadVectors().find((v) => v.name === 'msc3013_example_notification')!;
const specPayload: EncryptedPayload = { ephemeral: vector.ephemeral, ciphertext: vector.ciphertext, mac: vector.mac_spec };
const libolmPayload: EncryptedPayload = { ...specPayload, mac: vector.mac_libolm };
const ZERO_KEY = encodeUnpaddedBase64(new Uint8Array(32));

function codeOf(run: () => unknown): Msc3013ErrorCode | 'no error' {
  try {
    run();
  } catch (error) {
    if (error instanceof Msc3013Error) return error.code;
    throw error;
  }
  return 'no error';
}

function flipBit(base64: string, byteIndex: number): string {
  const bytes = decodeUnpaddedBase64(base64)!;
  bytes[byteIndex] ^= 0x01;
  return encodeUnpaddedBase64(bytes);
}

/** Builds a payload whose spec MAC is correct over arbitrary raw ciphertext bytes. */
function payloadWithValidMac(recipientPublicKey: string, rawBlocks: Uint8Array): EncryptedPayload {
  const ephemeralPrivate = parseKey(generateKeyPair().privateKey, 'ephemeral');
  const keys = deriveKeys(sharedSecret(ephemeralPrivate, parseKey(recipientPublicKey, 'recipient')));
  const ciphertext = cbc(keys.aesKey, keys.iv, { disablePadding: true }).encrypt(rawBlocks);
  return {
    ephemeral: encodeUnpaddedBase64(publicKeyOf(ephemeralPrivate)),
    ciphertext: encodeUnpaddedBase64(ciphertext),
    mac: encodeUnpaddedBase64(computeMac(keys.macKey, ciphertext, 'spec')),
  };
}

describe('tampering', () => {
  test.each([0, 17, 100, decodeUnpaddedBase64(vector.ciphertext)!.length - 1])(
    'a flipped bit in ciphertext byte %i breaks the spec MAC',
    (index) => {
      expect(codeOf(() => decrypt({ ...specPayload, ciphertext: flipBit(vector.ciphertext, index) }, vector.recipient_private_key))).toBe('bad_mac');
    },
  );

  test.each([0, 7])('a flipped bit in MAC byte %i is refused for either variant', (index) => {
    expect(codeOf(() => decrypt({ ...specPayload, mac: flipBit(vector.mac_spec, index) }, vector.recipient_private_key))).toBe('bad_mac');
    expect(codeOf(() => decrypt({ ...libolmPayload, mac: flipBit(vector.mac_libolm, index) }, vector.recipient_private_key))).toBe('bad_mac');
  });

  test('a flipped bit in the ephemeral key is refused', () => {
    expect(codeOf(() => decrypt({ ...specPayload, ephemeral: flipBit(vector.ephemeral, 3) }, vector.recipient_private_key))).toBe('bad_mac');
  });

  test('the libolm MAC does not cover the ciphertext: an altered one never yields the original', () => {
    // Documents libolm's weakness: the MAC only proves the key, so tampering shows up later or not at all.
    const altered = { ...libolmPayload, ciphertext: flipBit(vector.ciphertext, 20) };
    let result: string | Msc3013ErrorCode;
    try {
      result = decrypt(altered, vector.recipient_private_key).plaintext;
    } catch (error) {
      result = (error as Msc3013Error).code;
    }
    expect(result).not.toBe(vector.plaintext);
  });
});

describe('wrong keys', () => {
  test.each(['spec', 'libolm'] as const)('another private key fails the %s MAC', (variant) => {
    const payload = variant === 'spec' ? specPayload : libolmPayload;
    expect(codeOf(() => decrypt(payload, generateKeyPair().privateKey))).toBe('bad_mac');
  });
});

describe('malformed keys', () => {
  test.each([
    ['31 bytes', encodeUnpaddedBase64(new Uint8Array(31))],
    ['33 bytes', encodeUnpaddedBase64(new Uint8Array(33))],
    ['padded base64', ZERO_KEY + '='],
    ['url-safe alphabet', '_' + vector.recipient_public_key.slice(1)],
    ['non-canonical trailing bits', ZERO_KEY.slice(0, -1) + 'B'],
    ['zero-length', ''],
  ])('a %s public key is refused when encrypting', (_label, key) => {
    expect(codeOf(() => encrypt('{}', key))).toBe('bad_key');
  });

  test('a malformed private key is refused when decrypting', () => {
    expect(codeOf(() => decrypt(specPayload, vector.recipient_private_key.slice(0, -2)))).toBe('bad_key');
  });

  test('a malformed ephemeral key is refused when decrypting', () => {
    expect(codeOf(() => decrypt({ ...specPayload, ephemeral: vector.ephemeral.slice(0, 40) }, vector.recipient_private_key))).toBe('bad_key');
  });

  test('a key of the wrong byte length is refused', () => {
    expect(codeOf(() => encrypt('{}', new Uint8Array(16)))).toBe('bad_key');
  });
});

describe('low-order keys (all-zero shared secret)', () => {
  // u = 0 and u = 1 are low-order points: any private key gives a public, all-zero secret.
  const ONE_KEY = encodeUnpaddedBase64(Uint8Array.from({ length: 32 }, (_, i) => (i === 0 ? 1 : 0)));

  test.each([['all zeros', ZERO_KEY], ['u = 1', ONE_KEY]])('encrypting to a public key of %s is refused', (_label, key) => {
    expect(codeOf(() => encrypt('{}', key))).toBe('zero_shared_secret');
  });

  test('a payload with an all-zero ephemeral key is refused', () => {
    expect(codeOf(() => decrypt({ ...specPayload, ephemeral: ZERO_KEY }, vector.recipient_private_key))).toBe('zero_shared_secret');
  });
});

describe('malformed payload fields', () => {
  test.each([
    ['ciphertext', { ...specPayload, ciphertext: vector.ciphertext + '=' }],
    ['ciphertext', { ...specPayload, ciphertext: 'not base64!' }],
    ['mac', { ...specPayload, mac: vector.mac_spec + '==' }],
  ])('non-base64 %s is refused', (_field, payload) => {
    expect(codeOf(() => decrypt(payload, vector.recipient_private_key))).toBe('bad_base64');
  });

  test.each([
    ['empty', ''],
    ['15 bytes', encodeUnpaddedBase64(new Uint8Array(15))],
    ['33 bytes', encodeUnpaddedBase64(decodeUnpaddedBase64(vector.ciphertext)!.slice(0, 33))],
  ])('a ciphertext of %s is refused for its length', (_label, ciphertext) => {
    expect(codeOf(() => decrypt({ ...specPayload, ciphertext }, vector.recipient_private_key))).toBe('bad_ciphertext_length');
  });

  test('a MAC of the wrong length is refused as a bad MAC', () => {
    expect(codeOf(() => decrypt({ ...specPayload, mac: encodeUnpaddedBase64(decodeUnpaddedBase64(vector.mac_spec)!.slice(0, 6)) }, vector.recipient_private_key))).toBe('bad_mac');
  });
});

describe('content under a valid MAC', () => {
  const recipient = generateKeyPair();

  test.each([
    ['a zero pad byte', Uint8Array.from({ length: 16 }, (_, i) => (i === 15 ? 0 : 0x41))],
    ['a pad byte over 16', Uint8Array.from({ length: 16 }, (_, i) => (i === 15 ? 17 : 0x41))],
    ['inconsistent pad bytes', Uint8Array.from({ length: 16 }, (_, i) => (i === 15 ? 3 : i === 14 ? 3 : 0x41))],
  ])('a plaintext ending in %s is refused as bad padding', (_label, blocks) => {
    const payload = payloadWithValidMac(recipient.publicKey, blocks);
    expect(codeOf(() => decrypt(payload, recipient.privateKey))).toBe('bad_padding');
  });

  test('valid padding under the same construction decrypts (the crafting itself is sound)', () => {
    const blocks = Uint8Array.from({ length: 16 }, (_, i) => (i >= 13 ? 3 : 0x41));
    const payload = payloadWithValidMac(recipient.publicKey, blocks);
    expect(decrypt(payload, recipient.privateKey)).toEqual({ plaintext: 'A'.repeat(13), mac: 'spec' });
  });

  test('bytes that are not UTF-8 are refused', () => {
    const blocks = Uint8Array.from({ length: 16 }, (_, i) => (i === 0 ? 0xff : i >= 12 ? 4 : 0x41));
    const payload = payloadWithValidMac(recipient.publicKey, blocks);
    expect(codeOf(() => decrypt(payload, recipient.privateKey))).toBe('bad_utf8');
  });
});
