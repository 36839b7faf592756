/** Sygnal's test-table notifications and configs built through the real schema (real defaults). */
import { apnsAppSchema, fcmAppSchema, type ApnsAppConfig, type FcmAppConfig } from '../../src/config/schema';
import type { Device, EncryptedNotification, PlainNotification } from '../../src/notification';

export function apnsApp(overrides: Record<string, unknown> = {}): ApnsAppConfig {
  return apnsAppSchema.parse({ type: 'apns', certfile: 'cert.pem', ...overrides });
}

export function fcmApp(overrides: Record<string, unknown> = {}): FcmAppConfig {
  return fcmAppSchema.parse({ type: 'fcm', service_account_file: 'sa.json', ...overrides });
}

export function device(overrides: Partial<Device> = {}): Device {
  return { app_id: 'com.example.app', pushkey: 'spqr', pushkey_ts: 42, ...overrides };
}

export const DEFAULT_PAYLOAD_DEVICE = device({
  data: { default_payload: { aps: { 'mutable-content': 1, alert: { 'loc-key': 'SINGLE_UNREAD', 'loc-args': [] } } } },
});

export const ROOM_ID = '!slw48wfj34rtnrf:example.com';
export const EVENT_ID = '$qTOWWTEL48yPm3uT-gdNhFcoHxfKbZuqRVnnWWSkGBs';

export function message(overrides: Partial<PlainNotification> = {}): PlainNotification {
  return {
    room_id: ROOM_ID,
    event_id: EVENT_ID,
    type: 'm.room.message',
    sender: '@exampleuser:matrix.org',
    sender_display_name: 'Major Tom',
    room_name: 'Mission Control',
    room_alias: '#exampleroom:matrix.org',
    prio: 'high',
    content: { msgtype: 'm.text', body: "I'm floating in a most peculiar way.", other: 1 },
    counts: { unread: 2, missed_calls: 1 },
    devices: [device()],
    ...overrides,
  };
}

export function eventIdOnly(overrides: Partial<PlainNotification> = {}): PlainNotification {
  return { room_id: ROOM_ID, event_id: EVENT_ID, counts: { unread: 2 }, devices: [device()], ...overrides };
}

export function badgeOnly(overrides: Partial<PlainNotification> = {}): PlainNotification {
  return { counts: { unread: 2 }, devices: [device()], ...overrides };
}

/** A well-formed envelope: 43-char ephemeral, 11-char mac, ciphertext of whole 16-byte blocks. */
export function encrypted(extra: Partial<EncryptedNotification['encrypted']> = {}, blocks = 4): EncryptedNotification {
  const ciphertext = Buffer.alloc(16 * blocks, 0xa7).toString('base64').replace(/=+$/, '');
  return {
    encrypted: { ephemeral: 'E'.repeat(42) + 'A', ciphertext, mac: 'M'.repeat(10) + 'A', ...extra },
    devices: [device({ data: { algorithm: 'm.curve25519-aes-sha2' } })],
  };
}
