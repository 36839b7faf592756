import { buildFcmMessage, isReservedDataKey, measureFcmData } from '../../src/payload/fcm';
import type { PlainNotification } from '../../src/notification';
import { badgeOnly, device, encrypted, EVENT_ID, eventIdOnly, fcmApp, message, ROOM_ID } from './fixtures';

const SYGNAL_DATA = {
  event_id: EVENT_ID,
  type: 'm.room.message',
  sender: '@exampleuser:matrix.org',
  room_name: 'Mission Control',
  room_alias: '#exampleroom:matrix.org',
  sender_display_name: 'Major Tom',
  room_id: ROOM_ID,
  content_msgtype: 'm.text',
  content_body: "I'm floating in a most peculiar way.",
  prio: 'high',
  unread: '2',
  missed_calls: '1',
};

describe('buildFcmMessage: Sygnal v1 data shapes', () => {
  const cases: Array<{ name: string; n: PlainNotification; dev?: ReturnType<typeof device>; app?: Record<string, unknown>; data: Record<string, string>; priority?: string }> = [
    { name: 'full message (non-string content dropped)', n: message(), data: SYGNAL_DATA },
    {
      name: 'device default_payload stringified under Herald fields',
      n: message(),
      dev: device({ data: { default_payload: { channel: 'chat', flags: { a: 1 }, n: 3, event_id: 'spoofed' } } }),
      data: { ...SYGNAL_DATA, channel: 'chat', flags: '{"a":1}', n: '3' },
    },
    {
      name: 'app default_payload under device default_payload',
      n: message(),
      app: { default_payload: { shared: 'app', only_app: 'yes' } },
      dev: device({ data: { default_payload: { shared: 'device' } } }),
      data: { ...SYGNAL_DATA, shared: 'device', only_app: 'yes' },
    },
    { name: 'event_id_only', n: eventIdOnly(), data: { event_id: EVENT_ID, room_id: ROOM_ID, prio: 'high', unread: '2' } },
    { name: 'badge-only', n: badgeOnly(), data: { prio: 'high', unread: '2' } },
    { name: 'badge clear is sent', n: badgeOnly({ counts: { unread: 0, missed_calls: 0 } }), data: { prio: 'high', unread: '0', missed_calls: '0' } },
    {
      name: 'send_badge_counts false',
      n: message(),
      app: { send_badge_counts: false },
      data: Object.fromEntries(Object.entries(SYGNAL_DATA).filter(([k]) => k !== 'unread' && k !== 'missed_calls')),
    },
    { name: 'prio low', n: message({ prio: 'low' }), data: { ...SYGNAL_DATA, prio: 'normal' }, priority: 'normal' },
    {
      name: 'invite',
      n: message({ type: 'm.room.member', membership: 'invite', user_is_target: true, content: { membership: 'invite' } }),
      data: { ...SYGNAL_DATA, type: 'm.room.member', membership: 'invite', content_membership: 'invite', content_body: undefined!, content_msgtype: undefined! },
    },
    {
      name: 'call',
      n: message({ type: 'm.call.invite', content: { call_id: 'c1', offer: { sdp: 'm=video' } } }),
      data: { ...SYGNAL_DATA, type: 'm.call.invite', content_call_id: 'c1', content_body: undefined!, content_msgtype: undefined! },
    },
  ];

  it.each(cases)('$name', ({ n, dev, app, data, priority }) => {
    const push = buildFcmMessage(n, dev ?? device(), fcmApp(app))!;
    const expected = Object.fromEntries(Object.entries(data).filter(([, v]) => v !== undefined));
    expect(push.message.data).toEqual(expected);
    expect(push.message.token).toBe('spqr');
    expect(push.message.android.priority).toBe(priority ?? 'high');
    expect(push.bytes).toBe(measureFcmData(push.message.data));
    expect(push.fit).toBe('full');
    for (const value of Object.values(push.message.data)) expect(typeof value).toBe('string');
  });

  it('sends nothing for a badge-only notification without counts to send', () => {
    expect(buildFcmMessage(badgeOnly(), device(), fcmApp({ send_badge_counts: false }))).toBeNull();
    expect(buildFcmMessage(badgeOnly({ counts: {} }), device(), fcmApp())).toBeNull();
  });
});

describe('buildFcmMessage: reserved data keys', () => {
  it.each(['from', 'message_type', 'google.c.a', 'googleFoo', 'gcm.notification', 'GCM_x'])('%s is reserved', (key) => {
    expect(isReservedDataKey(key)).toBe(true);
  });

  it('drops reserved keys from default payloads', () => {
    const dev = device({ data: { default_payload: { from: 'x', 'google.sent_time': '1', gcm: 'y', fromage: 'ok' } } });
    const data = buildFcmMessage(message(), dev, fcmApp())!.message.data;
    expect(Object.keys(data).filter(isReservedDataKey)).toEqual([]);
    expect(data.fromage).toBe('ok');
  });
});

describe('buildFcmMessage: fcm_options', () => {
  it('merges options into the message but keeps Herald token and data', () => {
    const fcm_options = {
      android: { ttl: '60s', collapse_key: 'room' },
      notification: { title: 't' },
      data: { from_options: 'o', prio: 'overridden' },
      token: 'not-this-one',
    };
    const push = buildFcmMessage(message({ prio: 'low' }), device(), fcmApp({ fcm_options }))!;
    expect(push.message).toEqual({
      token: 'spqr',
      notification: { title: 't' },
      android: { ttl: '60s', collapse_key: 'room', priority: 'normal' },
      data: { ...SYGNAL_DATA, prio: 'normal', from_options: 'o' },
    });
  });

  it('an explicit android.priority in options wins', () => {
    const push = buildFcmMessage(message(), device(), fcmApp({ fcm_options: { android: { priority: 'normal' } } }))!;
    expect(push.message.android.priority).toBe('normal');
  });

  it('does not mutate the configuration', () => {
    const app = fcmApp({ fcm_options: { android: { ttl: '1s' } } });
    buildFcmMessage(message(), device(), app);
    expect(app.fcm_options).toEqual({ android: { ttl: '1s' } });
  });
});

describe('buildFcmMessage: encrypted (MSC3013)', () => {
  it('event frame: envelope byte-exact in data, high priority', () => {
    const n = encrypted();
    const push = buildFcmMessage(n, n.devices[0], fcmApp())!;
    const { ephemeral, ciphertext, mac } = n.encrypted;
    expect(push.message.data).toEqual({ ephemeral, ciphertext, mac });
    expect(push.message.android.priority).toBe('high');
  });

  it.each([
    { extra: { is_counts_only: true }, data: { is_counts_only: 'true' } },
    { extra: { counts: { unread: 0, missed_calls: 2 } }, data: { unread: '0', missed_calls: '2' } },
  ])('counts-only frame forwards $extra as strings', ({ extra, data }) => {
    const n = encrypted(extra);
    const push = buildFcmMessage(n, n.devices[0], fcmApp())!;
    const { ephemeral, ciphertext, mac } = n.encrypted;
    expect(push.message.data).toEqual({ ephemeral, ciphertext, mac, ...data });
  });
});

describe('buildFcmMessage: fitting', () => {
  it('shortens content_body first, then the other displayed fields', () => {
    const n = message({ content: { msgtype: 'm.text', body: '😀'.repeat(2000) } });
    const push = buildFcmMessage(n, device(), fcmApp({ max_payload_bytes: 1000 }))!;
    expect(push.fit).toBe('shortened');
    expect(push.bytes).toBeLessThanOrEqual(1000);
    expect(push.message.data.content_body).toMatch(/^(😀)+…$/u);
    expect(push.message.data.room_name).toBe('Mission Control');
  });

  it('falls back when the overflow is not displayed text', () => {
    const n = message({ content: { msgtype: 'm.text', body: 'hi', formatted_body: 'f'.repeat(5000) } });
    const push = buildFcmMessage(n, device(), fcmApp({ counts_only_type: 'full' }))!;
    expect(push.fit).toBe('content_omitted');
    expect(push.message.data).toEqual({ content_omitted: 'true', event_id: EVENT_ID, room_id: ROOM_ID, unread: '2', missed_calls: '1' });
  });

  it('keeps a default_payload that fits in the fallback, drops one that does not', () => {
    const small = device({ data: { default_payload: { channel: 'chat' } } });
    const huge = device({ data: { default_payload: { blob: 'z'.repeat(5000) } } });
    const n = encrypted({}, 300);
    const withSmall = buildFcmMessage(n, small, fcmApp())!;
    expect(withSmall.message.data).toEqual({ channel: 'chat', content_omitted: 'true' });
    const withHuge = buildFcmMessage(n, huge, fcmApp())!;
    expect(withHuge.message.data).toEqual({ content_omitted: 'true' });
  });

  it.each([
    { type: 'none', data: {} },
    { type: 'boolean', data: { is_counts_only: 'true' } },
    { type: 'full', data: { unread: '7' } },
  ])('encrypted counts-only fallback with $type', ({ type, data }) => {
    const n = encrypted({ is_counts_only: true, counts: { unread: 7 } }, 300);
    const push = buildFcmMessage(n, n.devices[0], fcmApp({ counts_only_type: type }))!;
    expect(push.fit).toBe('content_omitted');
    expect(push.message.data).toEqual({ content_omitted: 'true', ...data });
  });
});
