/**
 * Issue 2, end to end: Sygnal's APNs test-table shapes as the APNs simulator receives them
 * through node-apn (body bytes and headers), not as the builder returns them.
 */
import { EVENT_ID, ROOM_ID, message } from '../payload/fixtures';
import { IOS, TOPIC, apnsPushkey, defaultApps, startE2E, type E2E } from './harness';

const NO_BADGE = 'org.herald.test.ios.nobadge';
const SYGNAL_ALERT = {
  'loc-key': 'MSG_FROM_USER_IN_ROOM_WITH_CONTENT',
  'loc-args': ['Major Tom', 'Mission Control', "I'm floating in a most peculiar way."],
};
const DEVICE_DEFAULT_PAYLOAD = { aps: { 'mutable-content': 1, alert: { 'loc-key': 'SINGLE_UNREAD', 'loc-args': [] } } };

/** Sygnal's test notification (the payload tests' fixture), each case's event id made unique so dedup keeps out of the way. */
function sygnalMessage(n: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const { devices: _devices, ...fields } = message({ event_id: `${EVENT_ID}-${n}` });
  return { ...fields, ...extra };
}

interface Case {
  name: string;
  app?: string;
  notification: (n: number) => Record<string, unknown>;
  device?: Record<string, unknown>;
  body: (n: number) => unknown;
  priority?: string;
}

const CASES: Case[] = [
  {
    name: 'full message: loc-key/loc-args, badge = unread + missed_calls, ids at top level',
    notification: (n) => sygnalMessage(n),
    body: (n) => ({ room_id: ROOM_ID, event_id: `${EVENT_ID}-${n}`, aps: { alert: SYGNAL_ALERT, badge: 3 } }),
  },
  {
    name: 'event_id_only with the device default_payload',
    notification: (n) => ({ room_id: ROOM_ID, event_id: `${EVENT_ID}-${n}`, counts: { unread: 2 } }),
    device: { data: { default_payload: DEVICE_DEFAULT_PAYLOAD } },
    body: (n) => ({ ...DEVICE_DEFAULT_PAYLOAD, room_id: ROOM_ID, event_id: `${EVENT_ID}-${n}`, unread_count: 2 }),
  },
  {
    name: 'event_id_only by device data format',
    notification: (n) => sygnalMessage(n),
    device: { data: { format: 'event_id_only' } },
    body: (n) => ({ room_id: ROOM_ID, event_id: `${EVENT_ID}-${n}`, unread_count: 2, missed_calls: 1 }),
  },
  {
    name: 'badge-only (no event_id), default_payload alert template left out',
    notification: () => ({ counts: { unread: 2 } }),
    device: { data: { default_payload: DEVICE_DEFAULT_PAYLOAD } },
    body: () => ({ aps: { badge: 2 } }),
  },
  {
    name: 'badge clear (unread: 0) is sent',
    notification: () => ({ counts: { unread: 0 } }),
    body: () => ({ aps: { badge: 0 } }),
  },
  {
    name: 'send_badge_counts: false leaves the badge out',
    app: NO_BADGE,
    notification: (n) => sygnalMessage(n),
    body: (n) => ({ room_id: ROOM_ID, event_id: `${EVENT_ID}-${n}`, aps: { alert: SYGNAL_ALERT } }),
  },
  {
    name: 'tweaks.sound becomes aps.sound',
    notification: (n) => sygnalMessage(n),
    device: { tweaks: { sound: 'default' } },
    body: (n) => ({ room_id: ROOM_ID, event_id: `${EVENT_ID}-${n}`, aps: { alert: SYGNAL_ALERT, badge: 3, sound: 'default' } }),
  },
  {
    name: 'prio low → apns-priority 5',
    notification: (n) => sygnalMessage(n, { prio: 'low' }),
    body: (n) => ({ room_id: ROOM_ID, event_id: `${EVENT_ID}-${n}`, aps: { alert: SYGNAL_ALERT, badge: 3 } }),
    priority: '5',
  },
];

describe('APNs payload shapes as the simulator receives them', () => {
  let e2e: E2E;
  beforeAll(async () => {
    e2e = await startE2E({
      apps: (f) => {
        const apps = defaultApps(f);
        return { [IOS]: apps[IOS], [NO_BADGE]: { ...(apps[IOS] as object), send_badge_counts: false } };
      },
    });
  }, 30_000);
  afterAll(() => e2e.close());
  beforeEach(() => e2e.apns.reset());

  test.each(CASES.map((c, i) => ({ ...c, n: i })))('$name', async (c) => {
    const pushkey = apnsPushkey('ok', 200 + c.n);
    const device = { app_id: c.app ?? IOS, pushkey, ...c.device };
    const res = await e2e.notify({ notification: { ...c.notification(c.n), devices: [device] } });
    expect(res).toMatchObject({ status: 200, body: { rejected: [] } });
    expect(e2e.apns.received).toHaveLength(1);
    const [push] = e2e.apns.received;
    expect(push.status).toBe(200);
    expect(push.token).toBe(Buffer.from(pushkey, 'base64').toString('hex'));
    expect(push.body).toEqual(c.body(c.n));
    expect(push.headers).toMatchObject({
      'apns-priority': c.priority ?? '10',
      'apns-push-type': 'alert',
      'apns-topic': TOPIC,
    });
    expect(push.headers['apns-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  test('an oversized plain message has its alert text shortened to fit 4096 bytes, ending in …', async () => {
    const text = 'Grüße 🚀 '.repeat(800);
    const pushkey = apnsPushkey('ok', 260);
    const res = await e2e.notify({ notification: { ...sygnalMessage(60, { content: { msgtype: 'm.text', body: text } }), devices: [{ app_id: IOS, pushkey }] } });
    expect(res).toMatchObject({ status: 200, body: { rejected: [] } });
    const [push] = e2e.apns.received;
    expect(push.status).toBe(200);
    expect(push.bytes).toBeLessThanOrEqual(4096);
    expect(push.bytes).toBeGreaterThan(4000);
    const args = (push.body as { aps: { alert: { 'loc-args': string[] } } }).aps.alert['loc-args'];
    expect(args.slice(0, 2)).toEqual(['Major Tom', 'Mission Control']);
    expect(args[2].endsWith('…')).toBe(true);
    expect(text.startsWith(args[2].slice(0, -1))).toBe(true);
  });
});
