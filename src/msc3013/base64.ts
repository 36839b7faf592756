/**
 * Strict unpadded standard base64. Node's decoder silently skips invalid characters and
 * accepts non-canonical trailing bits, so it must never be what decides validity.
 */
const ALPHABET = /^[A-Za-z0-9+/]*$/;

const VALUE: Int16Array = (() => {
  const table = new Int16Array(128).fill(-1);
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  for (let i = 0; i < chars.length; i++) table[chars.charCodeAt(i)] = i;
  return table;
})();

/** The decoded bytes, or undefined when `text` is not canonical unpadded standard base64. */
export function decodeUnpaddedBase64(text: string): Uint8Array | undefined {
  if (!ALPHABET.test(text) || text.length % 4 === 1) return undefined;
  const rest = text.length % 4;
  if (rest !== 0) {
    // The unused low bits of the last character must be zero, or two texts would decode alike.
    const last = VALUE[text.charCodeAt(text.length - 1)];
    const unusedBits = rest === 2 ? 4 : 2;
    if ((last & ((1 << unusedBits) - 1)) !== 0) return undefined;
  }
  return new Uint8Array(Buffer.from(text, 'base64'));
}

export function encodeUnpaddedBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64').replace(/=+$/, '');
}

/** Unpadded base64 length of `byteLength` bytes. */
export function unpaddedBase64Length(byteLength: number): number {
  return Math.ceil((byteLength * 4) / 3);
}
