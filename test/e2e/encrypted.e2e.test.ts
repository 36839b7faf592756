/**
 * Issue 3, end to end: notifications encrypted by `herald encrypt` (its Command object) go
 * through the real gateway, node-apn and firebase-admin; the simulators receive the MSC3013
 * fields byte-exact, a counts-only frame becomes a background push, and oversized frames
 * degrade to the content_omitted fallback shaped by each app's counts_only_type.
 */
import { Readable, Writable } from 'node:stream';
import { encryptCommand } from '../../src/cli/encrypt';
import { decrypt, generateKeyPair } from '../../src/msc3013';
import { ANDROID, IOS, apnsPushkey, defaultApps, startE2E, type E2E } from './harness';
import { sampleValue, scrape } from './metrics-text';

const KEYS = generateKeyPair();
const COUNTS_ONLY_TYPES = ['none', 'boolean', 'full'] as const;
type CountsOnlyType = (typeof COUNTS_ONLY_TYPES)[number];
const iosApp = (t: CountsOnlyType) => `${IOS}.${t}`;
const androidApp = (t: CountsOnlyType) => `${ANDROID}.${t}`;
const IOS_WITH_ALERT = `${IOS}.alert`;
const DEFAULT_ALERT = { 'loc-key': 'ENCRYPTED_MESSAGE' };

const SECRET = {
  event_id: '$secret-event',
  room_id: '!secret-room:example.org',
  type: 'm.room.message',
  sender_display_name: 'Alice',
  content: { msgtype: 'm.text', body: 'Grüße aus Köln 🚀 — only the phone can read this' },
  counts: { unread: 4, missed_calls: 1 },
};
const COUNTS_FRAME = { counts: { unread: 4, missed_calls: 1 } };
/** Large enough that its ciphertext alone is over 4096 bytes. */
const HUGE = { ...SECRET, content: { msgtype: 'm.text', body: 'ü'.repeat(3000) } };

/** Runs `herald encrypt` as the CLI would, with in-memory streams. */
async function heraldEncrypt(notification: object, device: object, flags: string[] = []): Promise<{ notification: any }> {
  let out = '';
  const stdout = new Writable({ write(chunk, _enc, done) { out += String(chunk); done(); } });
  const stderr = new Writable({ write(_chunk, _enc, done) { done(); } });
  const stdin = Readable.from([Buffer.from(JSON.stringify({ notification: { ...notification, devices: [device] } }))]);
  const code = await encryptCommand.run(['--public-key', KEYS.publicKey, ...flags], { stdin, stdout, stderr, env: {}, cwd: process.cwd() });
  if (code !== 0) throw new Error(`herald encrypt exited ${code}`);
  return JSON.parse(out);
}

describe('encrypted push end to end', () => {
  let e2e: E2E;
  beforeAll(async () => {
    e2e = await startE2E({
      apnsOptions: { decryptKey: KEYS.privateKey },
      fcmOptions: { decryptKey: KEYS.privateKey },
      apps: (f) => {
        const apps = defaultApps(f);
        const entries: Array<[string, unknown]> = [];
        for (const t of COUNTS_ONLY_TYPES) {
          entries.push([iosApp(t), { ...(apps[IOS] as object), counts_only_type: t }]);
          entries.push([androidApp(t), { ...(apps[ANDROID] as object), counts_only_type: t }]);
        }
        entries.push([IOS_WITH_ALERT, { ...(apps[IOS] as object), default_payload: { aps: { alert: DEFAULT_ALERT } } }]);
        return Object.fromEntries(entries);
      },
    });
  }, 30_000);
  afterAll(() => e2e.close());
  beforeEach(() => {
    e2e.apns.reset();
    e2e.fcm.reset();
  });

  const apnsDevice = (t: CountsOnlyType | 'alert', n: number) => ({ app_id: t === 'alert' ? IOS_WITH_ALERT : iosApp(t), pushkey: apnsPushkey('ok', n), data: { public_key: KEYS.publicKey } });
  const fcmDevice = (t: CountsOnlyType, n: number) => ({ app_id: androidApp(t), pushkey: `android-ok-${n}`, data: { public_key: KEYS.publicKey } });
  const fieldsOf = (n: { ephemeral: string; ciphertext: string; mac: string }) => ({ ephemeral: n.ephemeral, ciphertext: n.ciphertext, mac: n.mac });

  test.each(['spec', 'libolm'])('APNs: an event frame (%s MAC) arrives byte-exact with mutable-content and decrypts', async (mac) => {
    const body = await heraldEncrypt(SECRET, apnsDevice('none', 300), ['--mac', mac]);
    const res = await e2e.notify(body);
    expect(res).toMatchObject({ status: 200, body: { rejected: [] } });
    const [push] = e2e.apns.received;
    expect(push.status).toBe(200);
    expect(push.body).toEqual({ ...fieldsOf(body.notification), aps: { 'mutable-content': 1, alert: { body: 'New message' } } });
    expect(push.headers).toMatchObject({ 'apns-push-type': 'alert', 'apns-priority': '10' });
    const opened = decrypt(push.body as never, KEYS.privateKey);
    expect(opened.mac).toBe(mac);
    expect(JSON.parse(opened.plaintext)).toEqual(SECRET);
    expect(push.decrypted).toMatchObject({ ok: true, mac });
  });

  test('APNs: an app default_payload alert replaces the neutral one', async () => {
    const body = await heraldEncrypt(SECRET, apnsDevice('alert', 301));
    expect((await e2e.notify(body)).status).toBe(200);
    expect(e2e.apns.received[0].body).toEqual({ ...fieldsOf(body.notification), aps: { 'mutable-content': 1, alert: DEFAULT_ALERT } });
  });

  test('FCM: an event frame arrives byte-exact in data, high priority, and decrypts', async () => {
    const body = await heraldEncrypt(SECRET, fcmDevice('none', 302));
    const res = await e2e.notify(body);
    expect(res).toMatchObject({ status: 200, body: { rejected: [] } });
    const [push] = e2e.fcm.received;
    expect(push.status).toBe(200);
    const message = (push.body as { message: any }).message;
    expect(message.data).toEqual(fieldsOf(body.notification));
    expect(message.android.priority).toBe('high');
    expect(JSON.parse(decrypt(message.data, KEYS.privateKey).plaintext)).toEqual(SECRET);
    expect(push.decrypted).toMatchObject({ ok: true, mac: 'spec' });
  });

  test.each([
    ['the com.famedly algorithm name', { algorithm: 'com.famedly.curve25519-aes-sha2' }],
    ['no algorithm, recognised by its ciphertext', {}],
  ])('a device with %s is served as encrypted', async (_name, data) => {
    const body = await heraldEncrypt(SECRET, apnsDevice('none', 303));
    body.notification.devices[0].data = data;
    expect((await e2e.notify(body)).status).toBe(200);
    expect(e2e.apns.received[0].body).toEqual({ ...fieldsOf(body.notification), aps: { 'mutable-content': 1, alert: { body: 'New message' } } });
  });

  test.each([
    ['boolean', { is_counts_only: true }, {}],
    ['full', {}, { badge: 4 }],
  ] as const)('APNs: a counts-only frame (--counts-only %s) is a background push', async (flag, top, aps) => {
    const body = await heraldEncrypt(COUNTS_FRAME, apnsDevice('none', 310), ['--counts-only', flag]);
    expect((await e2e.notify(body)).status).toBe(200);
    const [push] = e2e.apns.received;
    expect(push.status).toBe(200);
    expect(push.headers).toMatchObject({ 'apns-push-type': 'background', 'apns-priority': '5' });
    expect(push.body).toEqual({ ...fieldsOf(body.notification), ...top, aps: { 'content-available': 1, ...aps } });
    expect(JSON.parse(decrypt(push.body as never, KEYS.privateKey).plaintext)).toEqual(COUNTS_FRAME);
  });

  test.each([
    ['boolean', { is_counts_only: 'true' }],
    ['full', { unread: '4', missed_calls: '1' }],
  ] as const)('FCM: a counts-only frame (--counts-only %s) forwards its hints as strings', async (flag, hints) => {
    const body = await heraldEncrypt(COUNTS_FRAME, fcmDevice('none', 311), ['--counts-only', flag]);
    expect((await e2e.notify(body)).status).toBe(200);
    expect((e2e.fcm.received[0].body as { message: any }).message.data).toEqual({ ...fieldsOf(body.notification), ...hints });
  });

  test.each([
    ['a MAC of the wrong length', { mac: 'AAAAAAAA' }, 'notification.mac'],
    ['a padded ephemeral key', { ephemeral: 'A'.repeat(43) + '=' }, 'notification.ephemeral'],
    ['a ciphertext that is not whole blocks', { ciphertext: 'AAAAAAAAAAAAAAAAAAAA' }, 'notification.ciphertext'],
    ['no ciphertext on an encrypted device', { ciphertext: undefined }, 'notification.ciphertext'],
  ])('400 M_BAD_JSON for %s', async (_name, change, field) => {
    const body = await heraldEncrypt(SECRET, apnsDevice('none', 320));
    const res = await e2e.notify({ notification: { ...body.notification, ...change } });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ errcode: 'M_BAD_JSON' });
    expect(res.body.error).toContain(field);
    expect(e2e.apns.received).toHaveLength(0);
  });

  test('400 M_BAD_JSON for an encrypted notification with two devices', async () => {
    const body = await heraldEncrypt(SECRET, apnsDevice('none', 321));
    const devices = [body.notification.devices[0], { ...body.notification.devices[0], pushkey: apnsPushkey('ok', 322) }];
    const res = await e2e.notify({ notification: { ...body.notification, devices } });
    expect(res.status).toBe(400);
    expect(res.body.error).toContain('exactly one device');
  });

  // Each row: the app's counts_only_type, how the frame was made, and what the fallback may show.
  const FALLBACKS: Array<[CountsOnlyType, string[], object, object, object]> = [
    // type, encrypt flags, APNs top-level hints, APNs aps hints, FCM data hints
    ['none', [], {}, {}, {}],
    ['none', ['--counts-only', 'full'], {}, {}, {}],
    ['boolean', [], {}, {}, {}],
    ['boolean', ['--counts-only', 'boolean'], { is_counts_only: true }, {}, { is_counts_only: 'true' }],
    ['full', ['--counts-only', 'full'], {}, { badge: 4 }, { unread: '4', missed_calls: '1' }],
  ];

  test.each(FALLBACKS)('oversized, counts_only_type %s, frame %j: APNs and FCM get the content_omitted fallback (200)', async (type, flags, top, aps, data) => {
    const before = await scrape(e2e.metricsUrl);
    const apnsBody = await heraldEncrypt(HUGE, apnsDevice(type, 330), flags);
    const fcmBody = await heraldEncrypt(HUGE, fcmDevice(type, 331), flags);
    expect(Buffer.byteLength(apnsBody.notification.ciphertext)).toBeGreaterThan(4096);

    expect(await e2e.notify(apnsBody)).toMatchObject({ status: 200, body: { rejected: [] } });
    expect(await e2e.notify(fcmBody)).toMatchObject({ status: 200, body: { rejected: [] } });

    const [apnsPush] = e2e.apns.received;
    expect(apnsPush.status).toBe(200);
    expect(apnsPush.body).toEqual({ content_omitted: true, ...top, aps: { 'content-available': 1, ...aps } });
    expect(apnsPush.headers).toMatchObject({ 'apns-push-type': 'background', 'apns-priority': '5' });
    const [fcmPush] = e2e.fcm.received;
    expect(fcmPush.status).toBe(200);
    expect((fcmPush.body as { message: any }).message.data).toEqual({ content_omitted: 'true', ...data });

    const after = await scrape(e2e.metricsUrl);
    for (const app of [iosApp(type), androidApp(type)]) {
      const labels = { app, fit: 'content_omitted' };
      expect(sampleValue(after, 'herald_payload_fits_total', labels)).toBe((sampleValue(before, 'herald_payload_fits_total', labels) ?? 0) + 1);
    }
  });

  test('the gateway log (at debug level) names no pushkey, ciphertext or plaintext content', async () => {
    const body = await heraldEncrypt(SECRET, apnsDevice('none', 350));
    const plainDevice = { app_id: iosApp('none'), pushkey: apnsPushkey('gone', 351) };
    await e2e.notify(body);
    await e2e.notify({ notification: { ...SECRET, devices: [plainDevice] } });
    const logs = e2e.logs.join('');
    expect(logs).toContain('notify handled');
    for (const secret of [body.notification.ciphertext, body.notification.mac, body.notification.devices[0].pushkey, plainDevice.pushkey, SECRET.content.body, SECRET.sender_display_name]) {
      expect(logs).not.toContain(secret);
    }
  });

  test('oversized on an app whose default_payload has an alert: a visible content-free push', async () => {
    const body = await heraldEncrypt(HUGE, apnsDevice('alert', 340));
    expect((await e2e.notify(body)).status).toBe(200);
    const [push] = e2e.apns.received;
    expect(push.body).toEqual({ content_omitted: true, aps: { alert: DEFAULT_ALERT } });
    expect(push.headers).toMatchObject({ 'apns-push-type': 'alert', 'apns-priority': '10' });
  });
});
