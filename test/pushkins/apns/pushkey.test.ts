import { MAX_DEVICE_TOKEN_BYTES, decodeStandardBase64, deviceTokenFromPushkey } from '../../../src/pushkins/apns/pushkey';

const TOKEN_BYTES = Buffer.from('9f2c4e6a8b0d1f3a5c7e9b1d3f5a7c9e0b2d4f6a8c0e2b4d6f8a0c2e4b6d8f0a', 'hex');
const TOKEN_HEX = TOKEN_BYTES.toString('hex');

describe('deviceTokenFromPushkey with convert_device_token_to_hex', () => {
  it.each([
    ['padded standard base64', TOKEN_BYTES.toString('base64')],
    ['unpadded standard base64', TOKEN_BYTES.toString('base64').replace(/=+$/, '')],
  ])('decodes %s to lowercase hex', (_label, pushkey) => {
    expect(deviceTokenFromPushkey(pushkey, true)).toBe(TOKEN_HEX);
  });

  it.each([
    ['an empty pushkey', ''],
    ['whitespace inside', 'nyxObqLDR86Fx+s=  '],
    ['URL-safe alphabet', Buffer.from([0xfb, 0xff, 0xfe]).toString('base64url')],
    ['a stray character', TOKEN_BYTES.toString('base64').replace(/^./, '!')],
    ['wrong padding count', 'QUJD=' /* "ABC" needs none */],
    ['padding on an unpadded-length text', 'QUI=='],
    ['non-canonical trailing bits', 'QUJ'],
    ['an impossible length', 'QUJDR'],
    ['only padding', '=='],
    ['dashes (a UUID, not base64)', '3f2504e0-4f89-11d3-9a0c-0305e82c3301'],
  ])('refuses %s', (_label, pushkey) => {
    expect(deviceTokenFromPushkey(pushkey, true)).toBeUndefined();
  });

  it('refuses absurdly long tokens but accepts lengths other than 32 bytes', () => {
    expect(deviceTokenFromPushkey(Buffer.alloc(100, 7).toString('base64'), true)).toBe(Buffer.alloc(100, 7).toString('hex'));
    expect(deviceTokenFromPushkey(Buffer.alloc(MAX_DEVICE_TOKEN_BYTES + 1, 7).toString('base64'), true)).toBeUndefined();
  });

  it('round-trips any byte string through padded and unpadded base64', () => {
    for (let length = 1; length <= 40; length++) {
      const bytes = Buffer.from(Array.from({ length }, (_, i) => (i * 37 + length) & 0xff));
      const padded = bytes.toString('base64');
      expect(decodeStandardBase64(padded)).toEqual(new Uint8Array(bytes));
      expect(decodeStandardBase64(padded.replace(/=+$/, ''))).toEqual(new Uint8Array(bytes));
    }
  });
});

describe('deviceTokenFromPushkey without conversion', () => {
  it('accepts hex in either case and normalises it to lowercase', () => {
    expect(deviceTokenFromPushkey(TOKEN_HEX.toUpperCase(), false)).toBe(TOKEN_HEX);
  });

  it.each([
    ['an empty pushkey', ''],
    ['an odd number of digits', TOKEN_HEX.slice(1)],
    ['non-hex characters', 'gone' + TOKEN_HEX.slice(4)],
    ['base64', TOKEN_BYTES.toString('base64')],
  ])('refuses %s', (_label, pushkey) => {
    expect(deviceTokenFromPushkey(pushkey, false)).toBeUndefined();
  });
});
