/**
 * Why an MSC3013 operation refused its input. Each code is a different mistake, so a
 * developer debugging an integration can tell a wrong key from a corrupted payload.
 */
export type Msc3013ErrorCode =
  /** A public, private or ephemeral key is not strict unpadded base64 of exactly 32 bytes. */
  | 'bad_key'
  /** `ciphertext` or `mac` is not strict unpadded base64. */
  | 'bad_base64'
  /** The MAC matches neither the spec variant nor the libolm variant (wrong key or altered data). */
  | 'bad_mac'
  /** The MAC was right but the decrypted data does not end in valid PKCS#7 padding. */
  | 'bad_padding'
  /** The decrypted bytes are not UTF-8, so they cannot be the JSON a homeserver encrypts. */
  | 'bad_utf8'
  /** The peer key is a low-order point: the shared secret would be all zeros, i.e. public. */
  | 'zero_shared_secret'
  /** The ciphertext is empty or not a whole number of 16-byte AES blocks. */
  | 'bad_ciphertext_length';

export class Msc3013Error extends Error {
  override name = 'Msc3013Error';

  constructor(
    readonly code: Msc3013ErrorCode,
    message: string,
  ) {
    super(message);
  }
}
