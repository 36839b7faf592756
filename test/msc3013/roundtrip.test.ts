import fc from 'fast-check';
import { decodeUnpaddedBase64 } from '../../src/msc3013/base64';
import { decrypt, encrypt, generateKeyPair } from '../../src/msc3013';

describe('generateKeyPair', () => {
  test('gives 32-byte keys as unpadded base64, different each time', () => {
    const first = generateKeyPair();
    const second = generateKeyPair();
    expect(decodeUnpaddedBase64(first.publicKey)).toHaveLength(32);
    expect(decodeUnpaddedBase64(first.privateKey)).toHaveLength(32);
    expect(first.publicKey).toMatch(/^[A-Za-z0-9+/]{43}$/);
    expect(second.privateKey).not.toBe(first.privateKey);
  });
});

describe('round trip', () => {
  const recipient = generateKeyPair();

  test('any JSON value encrypted with either MAC decrypts to the same JSON and names its MAC', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom('spec' as const, 'libolm' as const), (value, mac) => {
        const text = JSON.stringify(value);
        const payload = encrypt(text, recipient.publicKey, { mac });
        expect(decrypt(payload, recipient.privateKey)).toEqual({ plaintext: text, mac });
      }),
      { numRuns: 60 },
    );
  });

  test('any unicode string survives, including astral characters', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), (text) => {
        expect(decrypt(encrypt(text, recipient.publicKey), recipient.privateKey).plaintext).toBe(text);
      }),
      { numRuns: 60 },
    );
  });

  test('the envelope has the lengths section 6 of the contract demands', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const payload = encrypt(JSON.stringify(value), recipient.publicKey);
        expect(payload.ephemeral).toHaveLength(43);
        expect(payload.mac).toHaveLength(11);
        expect(decodeUnpaddedBase64(payload.ciphertext)!.length % 16).toBe(0);
      }),
      { numRuns: 30 },
    );
  });

  test('two encryptions of one plaintext use fresh ephemeral keys', () => {
    const a = encrypt('{"a":1}', recipient.publicKey);
    const b = encrypt('{"a":1}', recipient.publicKey);
    expect(a.ephemeral).not.toBe(b.ephemeral);
    expect(a.ciphertext).not.toBe(b.ciphertext);
  });
});
