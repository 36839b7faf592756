import { buildApnsPush, NEUTRAL_ENCRYPTED_ALERT } from '../../src/payload/apns';
import type { PlainNotification } from '../../src/notification';
import {
  apnsApp, badgeOnly, DEFAULT_PAYLOAD_DEVICE, device, encrypted, EVENT_ID, eventIdOnly, message, ROOM_ID,
} from './fixtures';

const SYGNAL_ALERT = {
  'loc-key': 'MSG_FROM_USER_IN_ROOM_WITH_CONTENT',
  'loc-args': ['Major Tom', 'Mission Control', "I'm floating in a most peculiar way."],
};

describe('buildApnsPush: Sygnal test-table shapes', () => {
  const cases: Array<{ name: string; n: PlainNotification; dev?: ReturnType<typeof device>; app?: Record<string, unknown>; body: unknown }> = [
    {
      name: 'full message',
      n: message(),
      body: { room_id: ROOM_ID, event_id: EVENT_ID, aps: { alert: SYGNAL_ALERT, badge: 3 } },
    },
    {
      name: 'full message with device default_payload (aps merged key by key)',
      n: message(),
      dev: DEFAULT_PAYLOAD_DEVICE,
      body: { room_id: ROOM_ID, event_id: EVENT_ID, aps: { alert: SYGNAL_ALERT, badge: 3, 'mutable-content': 1 } },
    },
    {
      name: 'event_id_only with default_payload',
      n: eventIdOnly(),
      dev: DEFAULT_PAYLOAD_DEVICE,
      body: {
        room_id: ROOM_ID, event_id: EVENT_ID, unread_count: 2,
        aps: { alert: { 'loc-key': 'SINGLE_UNREAD', 'loc-args': [] }, 'mutable-content': 1 },
      },
    },
    {
      name: 'event_id_only with missed calls',
      n: eventIdOnly({ counts: { unread: 0, missed_calls: 4 } }),
      body: { room_id: ROOM_ID, event_id: EVENT_ID, unread_count: 0, missed_calls: 4 },
    },
    {
      name: 'badge-only ignores the alert template of default_payload',
      n: badgeOnly(),
      dev: DEFAULT_PAYLOAD_DEVICE,
      body: { aps: { badge: 2 } },
    },
    {
      name: 'badge clear is sent',
      n: badgeOnly({ counts: { unread: 0 } }),
      body: { aps: { badge: 0 } },
    },
    {
      name: 'send_badge_counts false leaves the badge out',
      n: message(),
      app: { send_badge_counts: false },
      body: { room_id: ROOM_ID, event_id: EVENT_ID, aps: { alert: SYGNAL_ALERT } },
    },
    {
      name: 'tweaks.sound becomes aps.sound',
      n: message(),
      dev: device({ tweaks: { sound: 'default' } }),
      body: { room_id: ROOM_ID, event_id: EVENT_ID, aps: { alert: SYGNAL_ALERT, badge: 3, sound: 'default' } },
    },
    {
      name: 'app default_payload under device default_payload under Herald',
      n: message(),
      app: { default_payload: { aps: { sound: 'app.caf', 'thread-id': 'a' }, app_key: 'app', shared: 'app' } },
      dev: device({ data: { default_payload: { aps: { sound: 'device.caf' }, shared: 'device', event_id: 'spoofed' } } }),
      body: {
        room_id: ROOM_ID, event_id: EVENT_ID, app_key: 'app', shared: 'device',
        aps: { alert: SYGNAL_ALERT, badge: 3, sound: 'device.caf', 'thread-id': 'a' },
      },
    },
  ];

  it.each(cases)('$name', ({ n, dev, app, body }) => {
    const push = buildApnsPush(n, dev ?? device(), apnsApp(app));
    expect(push).not.toBeNull();
    expect(push!.body).toEqual(body);
    expect(push!.json).toBe(JSON.stringify(push!.body));
    expect(push!.bytes).toBe(Buffer.byteLength(push!.json));
    expect(push!.fit).toBe('full');
  });
});

describe('buildApnsPush: purity', () => {
  it('leaves the app config, the device and the notification as they were', () => {
    const app = apnsApp({ default_payload: { aps: { alert: { title: 'T' } }, k: [1] } });
    const dev = device({ data: { default_payload: { aps: { alert: { subtitle: 'S' } } } }, tweaks: { sound: 'x' } });
    const n = message({ content: { msgtype: 'm.text', body: 'y'.repeat(9000) } });
    const before = JSON.stringify([app, dev, n]);
    buildApnsPush(n, dev, app);
    expect(JSON.stringify([app, dev, n])).toBe(before);
  });
});

describe('buildApnsPush: headers', () => {
  it.each([
    { prio: 'high' as const, priority: 10 },
    { prio: undefined, priority: 10 },
    { prio: 'low' as const, priority: 5 },
  ])('prio $prio → apns-priority $priority', ({ prio, priority }) => {
    const push = buildApnsPush(message({ prio }), device(), apnsApp())!;
    expect(push.priority).toBe(priority);
    expect(push.pushType).toBe('alert');
  });

  it('uses the configured push_type for visible pushes', () => {
    expect(buildApnsPush(message(), device(), apnsApp({ push_type: 'voip' }))!.pushType).toBe('voip');
  });

  it('has no sound unless tweaked', () => {
    expect(buildApnsPush(message(), device(), apnsApp())!.json).not.toContain('sound');
  });
});

describe('buildApnsPush: loc-key table', () => {
  const inRoom = { room_name: 'Room' };
  const direct = { room_name: undefined, room_alias: undefined };
  const cases: Array<[string, Partial<PlainNotification>, string, string[]]> = [
    ['text in room', { ...inRoom, content: { msgtype: 'm.text', body: 'hi' } }, 'MSG_FROM_USER_IN_ROOM_WITH_CONTENT', ['Major Tom', 'Room', 'hi']],
    ['text, alias names the room', { room_name: undefined, content: { msgtype: 'm.text', body: 'hi' } }, 'MSG_FROM_USER_IN_ROOM_WITH_CONTENT', ['Major Tom', '#exampleroom:matrix.org', 'hi']],
    ['text direct', { ...direct, content: { msgtype: 'm.text', body: 'hi' } }, 'MSG_FROM_USER_WITH_CONTENT', ['Major Tom', 'hi']],
    ['notice shows its body', { ...direct, content: { msgtype: 'm.notice', body: 'bot' } }, 'MSG_FROM_USER_WITH_CONTENT', ['Major Tom', 'bot']],
    ['emote in room', { ...inRoom, content: { msgtype: 'm.emote', body: 'waves' } }, 'ACTION_FROM_USER_IN_ROOM', ['Room', 'Major Tom', 'waves']],
    ['emote direct', { ...direct, content: { msgtype: 'm.emote', body: 'waves' } }, 'ACTION_FROM_USER', ['Major Tom', 'waves']],
    ['image in room', { ...inRoom, content: { msgtype: 'm.image', body: 'cat.png' } }, 'IMAGE_FROM_USER_IN_ROOM', ['Major Tom', 'cat.png', 'Room']],
    ['image direct', { ...direct, content: { msgtype: 'm.image', body: 'cat.png' } }, 'IMAGE_FROM_USER', ['Major Tom', 'cat.png']],
    ['no content in room', { ...inRoom, content: undefined }, 'MSG_FROM_USER_IN_ROOM', ['Major Tom', 'Room']],
    ['no content direct', { ...direct, content: {} }, 'MSG_FROM_USER', ['Major Tom']],
    ['encrypted event (m.room.encrypted)', { ...inRoom, type: 'm.room.encrypted', content: { algorithm: 'm.megolm.v1.aes-sha2' } }, 'MSG_FROM_USER_IN_ROOM', ['Major Tom', 'Room']],
    ['no display name: user id', { ...direct, sender_display_name: undefined, content: {} }, 'MSG_FROM_USER', ['@exampleuser:matrix.org']],
    ['no sender at all: blank', { ...direct, sender_display_name: undefined, sender: undefined, content: {} }, 'MSG_FROM_USER', [' ']],
    ['invite to named room', { type: 'm.room.member', membership: 'invite', user_is_target: true, ...inRoom }, 'USER_INVITE_TO_NAMED_ROOM', ['Major Tom', 'Room']],
    ['invite to aliased room', { type: 'm.room.member', membership: 'invite', user_is_target: true, room_name: undefined }, 'USER_INVITE_TO_NAMED_ROOM', ['Major Tom', '#exampleroom:matrix.org']],
    ['invite to chat', { type: 'm.room.member', membership: 'invite', user_is_target: true, ...direct }, 'USER_INVITE_TO_CHAT', ['Major Tom']],
    ['voice call', { type: 'm.call.invite', content: { offer: { sdp: 'v=0\r\nm=audio 9 UDP' } } }, 'VOICE_CALL_FROM_USER', ['Major Tom']],
    ['video call', { type: 'm.call.invite', content: { offer: { sdp: 'v=0\r\nm=audio 9\r\nm=video 9 UDP' } } }, 'VIDEO_CALL_FROM_USER', ['Major Tom']],
    ['call without offer is voice', { type: 'm.call.invite', content: {} }, 'VOICE_CALL_FROM_USER', ['Major Tom']],
    ['unknown type is generic', { type: 'org.example.custom', content: {} }, 'MSG_FROM_USER', ['Major Tom']],
  ];

  it.each(cases)('%s', (_name, overrides, locKey, locArgs) => {
    const body = buildApnsPush(message(overrides), device(), apnsApp())!.body as { aps: { alert: unknown } };
    expect(body.aps.alert).toEqual({ 'loc-key': locKey, 'loc-args': locArgs });
  });

  it('a membership event that is not an invite for the user only updates the badge', () => {
    const push = buildApnsPush(message({ type: 'm.room.member', membership: 'join', user_is_target: false }), device(), apnsApp());
    expect(push!.body).toEqual({ aps: { badge: 3 } });
  });

  it('sends nothing when there is neither alert nor badge', () => {
    const n = message({ type: 'm.room.member', membership: 'leave', counts: undefined });
    expect(buildApnsPush(n, device(), apnsApp())).toBeNull();
    expect(buildApnsPush(badgeOnly(), device(), apnsApp({ send_badge_counts: false }))).toBeNull();
  });
});

describe('buildApnsPush: encrypted (MSC3013)', () => {
  it('event frame: mutable-content, neutral alert, envelope byte-exact at top level, priority 10', () => {
    const n = encrypted();
    const push = buildApnsPush(n, n.devices[0], apnsApp())!;
    const { ephemeral, ciphertext, mac } = n.encrypted;
    expect(push.body).toEqual({ aps: { 'mutable-content': 1, alert: NEUTRAL_ENCRYPTED_ALERT }, ephemeral, ciphertext, mac });
    expect(push.json).toContain(`"ciphertext":"${ciphertext}"`);
    expect(push.priority).toBe(10);
    expect(push.pushType).toBe('alert');
  });

  it('event frame takes its alert from default_payload when there is one', () => {
    const n = encrypted();
    const push = buildApnsPush(n, DEFAULT_PAYLOAD_DEVICE, apnsApp())!;
    expect((push.body.aps as Record<string, unknown>).alert).toEqual({ 'loc-key': 'SINGLE_UNREAD', 'loc-args': [] });
  });

  it.each([
    { name: 'boolean frame', extra: { is_counts_only: true }, aps: { 'content-available': 1 }, top: { is_counts_only: true } },
    { name: 'full frame', extra: { counts: { unread: 5, missed_calls: 1 } }, aps: { 'content-available': 1, badge: 5 }, top: {} },
  ])('counts-only $name: background push at priority 5', ({ extra, aps, top }) => {
    const n = encrypted(extra);
    const push = buildApnsPush(n, DEFAULT_PAYLOAD_DEVICE, apnsApp())!;
    const { ephemeral, ciphertext, mac } = n.encrypted;
    expect(push.body).toEqual({ aps, ephemeral, ciphertext, mac, ...top });
    expect(push.pushType).toBe('background');
    expect(push.priority).toBe(5);
  });
});
