import { decodeUnpaddedBase64, encodeUnpaddedBase64 } from '../../src/msc3013/base64';
import { decrypt, encrypt, MacVariant } from '../../src/msc3013';
import { publicKeyOf } from '../../src/msc3013/keys';
import { loadVectors } from './vectors';

const vectors = loadVectors();
const variants: MacVariant[] = ['spec', 'libolm'];
const macOf = (vector: (typeof vectors)[number], variant: MacVariant) =>
  variant === 'spec' ? vector.mac_spec : vector.mac_libolm;

test('the shared vectors file is present and non-trivial', () => {
  expect(vectors.length).toBeGreaterThanOrEqual(5);
});

describe.each(vectors.map((v) => [v.name, v] as const))('vector %s', (_name, vector) => {
  test('its recipient key pair belongs together', () => {
    const derived = publicKeyOf(decodeUnpaddedBase64(vector.recipient_private_key)!);
    expect(encodeUnpaddedBase64(derived)).toBe(vector.recipient_public_key);
  });

  test.each(variants)('decrypts with the %s MAC and reports that variant', (variant) => {
    const payload = { ephemeral: vector.ephemeral, ciphertext: vector.ciphertext, mac: macOf(vector, variant) };
    expect(decrypt(payload, vector.recipient_private_key)).toEqual({ plaintext: vector.plaintext, mac: variant });
  });

  test.each(variants)('accepts the private key as bytes too (%s MAC)', (variant) => {
    const payload = { ephemeral: vector.ephemeral, ciphertext: vector.ciphertext, mac: macOf(vector, variant) };
    const keyBytes = decodeUnpaddedBase64(vector.recipient_private_key)!;
    expect(decrypt(payload, keyBytes).plaintext).toBe(vector.plaintext);
  });

  // The reference homeserver's real payload comes without its ephemeral private key.
  if (vector.ephemeral_private_key === null) return;
  test.each(variants)('encrypt reproduces ephemeral, ciphertext and the %s MAC byte for byte', (variant) => {
    const produced = encrypt(vector.plaintext, vector.recipient_public_key, {
      mac: variant,
      ephemeralPrivateKey: vector.ephemeral_private_key!,
    });
    expect(produced).toEqual({ ephemeral: vector.ephemeral, ciphertext: vector.ciphertext, mac: macOf(vector, variant) });
  });
});

test('the spec MAC is the default when encrypting', () => {
  const vector = vectors.find((v) => v.ephemeral_private_key !== null)!;
  const produced = encrypt(vector.plaintext, vector.recipient_public_key, {
    ephemeralPrivateKey: vector.ephemeral_private_key!,
  });
  expect(produced.mac).toBe(vector.mac_spec);
});

test('an object is encrypted as its JSON text', () => {
  const vector = vectors.find((v) => v.name === 'small_ascii_json')!;
  const produced = encrypt(JSON.parse(vector.plaintext) as object, vector.recipient_public_key, {
    ephemeralPrivateKey: vector.ephemeral_private_key!,
  });
  expect(produced.ciphertext).toBe(vector.ciphertext);
});
