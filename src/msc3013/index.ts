/**
 * MSC3013 encrypted push (m.curve25519-aes-sha2), for app and homeserver developers and for
 * Herald's own tools. The gateway itself never decrypts: it has no private key.
 */
export { decodeUnpaddedBase64, encodeUnpaddedBase64 } from './base64';
export { decrypt, encrypt } from './cipher';
export type { Decrypted, EncryptOptions, EncryptedPayload } from './cipher';
export { Msc3013Error } from './errors';
export type { Msc3013ErrorCode } from './errors';
export { generateKeyPair } from './keys';
export type { KeyPair } from './keys';
export { DEFAULT_ENCRYPTED_ALGORITHM, encryptNotifyBody } from './notify-body';
export type { CountsOnlyType, EncryptNotifyBodyOptions } from './notify-body';
export type { MacVariant } from './primitives';
