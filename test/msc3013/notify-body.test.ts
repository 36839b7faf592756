import { decrypt, encryptNotifyBody, generateKeyPair } from '../../src/msc3013';

const recipient = generateKeyPair();

const notification = {
  event_id: '$ev:example.org',
  room_id: '!room:example.org',
  type: 'm.room.message',
  content: { msgtype: 'm.text', body: 'hello' },
  counts: { unread: 3, missed_calls: 1 },
  prio: 'high',
  devices: [
    {
      app_id: 'com.example.app.ios',
      pushkey: 'abc',
      data: { format: 'event_id_only', public_key: recipient.publicKey, counts_only_type: 'full' },
    },
  ],
};

function secretOf(result: { notification: Record<string, unknown> }) {
  const { ephemeral, ciphertext, mac } = result.notification as Record<string, string>;
  return decrypt({ ephemeral, ciphertext, mac }, recipient.privateKey);
}

test('everything but devices is replaced by the envelope', () => {
  const result = encryptNotifyBody({ notification }, recipient.publicKey);
  expect(Object.keys(result.notification).sort()).toEqual(['ciphertext', 'devices', 'ephemeral', 'mac']);
  const { devices: _devices, ...rest } = notification;
  expect(JSON.parse(secretOf(result).plaintext)).toEqual(rest);
});

test('a bare notification object is accepted the same way', () => {
  const result = encryptNotifyBody(notification, recipient.publicKey, { mac: 'libolm' });
  expect(secretOf(result).mac).toBe('libolm');
  expect(JSON.parse(secretOf(result).plaintext)).toHaveProperty('event_id', '$ev:example.org');
});

test('devices lose the keys the homeserver keeps and gain the encrypted algorithm', () => {
  const result = encryptNotifyBody({ notification }, recipient.publicKey);
  expect(result.notification.devices).toEqual([
    { app_id: 'com.example.app.ios', pushkey: 'abc', data: { format: 'event_id_only', algorithm: 'm.curve25519-aes-sha2' } },
  ]);
  // The input is left untouched.
  expect(notification.devices[0].data).toHaveProperty('public_key');
});

test('an algorithm already on the device is kept', () => {
  const devices = [{ app_id: 'a', pushkey: 'k', data: { algorithm: 'com.famedly.curve25519-aes-sha2' } }];
  const result = encryptNotifyBody({ notification: { event_id: '$e', devices } }, recipient.publicKey);
  expect(result.notification.devices).toEqual([{ app_id: 'a', pushkey: 'k', data: { algorithm: 'com.famedly.curve25519-aes-sha2' } }]);
});

test('a device without data gets one holding the algorithm', () => {
  const result = encryptNotifyBody({ notification: { devices: [{ app_id: 'a', pushkey: 'k' }] } }, recipient.publicKey);
  expect(result.notification.devices).toEqual([{ app_id: 'a', pushkey: 'k', data: { algorithm: 'm.curve25519-aes-sha2' } }]);
});

describe('counts-only hints', () => {
  const countsOnly = { counts: { unread: 4, missed_calls: 2 }, prio: 'high', devices: notification.devices };

  test("'none' adds nothing: the frame looks like any other", () => {
    const result = encryptNotifyBody({ notification: countsOnly }, recipient.publicKey, { countsOnly: 'none' });
    expect(Object.keys(result.notification).sort()).toEqual(['ciphertext', 'devices', 'ephemeral', 'mac']);
  });

  test("'boolean' adds is_counts_only and no numbers", () => {
    const result = encryptNotifyBody({ notification: countsOnly }, recipient.publicKey, { countsOnly: 'boolean' });
    expect(result.notification.is_counts_only).toBe(true);
    expect(result.notification).not.toHaveProperty('counts');
  });

  test("'full' copies the counts into plaintext and keeps them inside too", () => {
    const result = encryptNotifyBody({ notification: countsOnly }, recipient.publicKey, { countsOnly: 'full' });
    expect(result.notification.counts).toEqual({ unread: 4, missed_calls: 2 });
    expect(result.notification).not.toHaveProperty('is_counts_only');
    expect(JSON.parse(secretOf(result).plaintext).counts).toEqual({ unread: 4, missed_calls: 2 });
  });
});

describe('refusals', () => {
  test('an already encrypted notification', () => {
    const once = encryptNotifyBody({ notification }, recipient.publicKey);
    expect(() => encryptNotifyBody(once, recipient.publicKey)).toThrow(/already encrypted/);
  });

  test('devices that are not a list', () => {
    expect(() => encryptNotifyBody({ notification: { devices: {} } }, recipient.publicKey)).toThrow(/devices/);
  });

  test('a notification that is not an object', () => {
    expect(() => encryptNotifyBody({ notification: [] }, recipient.publicKey)).toThrow(/notification must be an object/);
  });
});
