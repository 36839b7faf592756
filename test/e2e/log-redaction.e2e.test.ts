/**
 * Logs never carry notification content, full pushkeys, ciphertext or credentials. Notifications
 * whose every client-supplied string holds a unique marker go to APNs and FCM — delivered,
 * rejected, dropped, retried into a 502, refused with a 400 — with logging at debug; then no
 * marker, pushkey, token, ciphertext or key material may appear anywhere in the captured output.
 * The same run checks that every line of a request names its request id.
 */
import { randomBytes } from 'node:crypto';
import { ANDROID, IOS, IOS_CERT, apnsPushkey, defaultApps, notification, startE2E, type E2E } from './harness';

const MARK = `MRK${randomBytes(6).toString('hex')}`;
const mark = (field: string) => `${MARK}${field}`;
/** Lines that belong to the process, not to a request. */
const PROCESS_LINES = /^(herald listening|draining|stopped|apns client certificate expires soon|push memory)/;

function markedNotification(devices: Array<Record<string, unknown>>, n: number) {
  return notification(
    devices.map((d) => ({ ...d, data: { default_payload: { aps: { alert: { body: mark(`devdefault${n}`) } }, extra: mark(`devextra${n}`) } } })),
    {
      event_id: `$${mark(`event${n}`)}`,
      room_id: `!${mark(`room${n}`)}:example.org`,
      sender: `@${mark(`sender${n}`)}:example.org`,
      sender_display_name: mark(`displayname${n}`),
      room_name: mark(`roomname${n}`),
      room_alias: `#${mark(`alias${n}`)}:example.org`,
      content: { msgtype: 'm.text', body: mark(`body${n}`), formatted_body: `<b>${mark(`formatted${n}`)}</b>` },
    },
  );
}

function encrypted(device: Record<string, unknown>, ciphertextBytes: number) {
  return {
    notification: {
      ephemeral: randomBytes(32).toString('base64').replace(/=+$/, ''),
      ciphertext: randomBytes(ciphertextBytes).toString('base64').replace(/=+$/, ''),
      mac: randomBytes(8).toString('base64').replace(/=+$/, ''),
      devices: [{ ...device, data: { algorithm: 'm.curve25519-aes-sha2' } }],
    },
  };
}

/** Every string worth hiding: PEM body lines of keys, long enough not to collide by chance. */
const pemLines = (pem: string) => pem.split('\n').filter((l) => l.length >= 40 && !l.startsWith('-----'));

describe('log redaction and request ids', () => {
  let e2e: E2E;
  const secrets: string[] = [];
  const ids: string[] = [];

  beforeAll(async () => {
    e2e = await startE2E({
      http: { request_timeout_ms: 1500 },
      apps: (f) => ({
        ...defaultApps(f),
        [`${IOS}.alert`]: { ...(defaultApps(f)[IOS] as object), default_payload: { aps: { alert: { body: mark('appdefault') } } } },
      }),
    });
    let n = 0;
    const send = async (body: unknown, pushkeys: string[] = []) => {
      n += 1;
      const id = `redact-${n}`;
      ids.push(id);
      secrets.push(...pushkeys, ...pushkeys.map((k) => Buffer.from(k, 'base64').toString('hex')));
      const res = await e2e.notify(body, { 'X-Request-Id': id });
      expect(res.headers.get('x-request-id')).toBe(id);
      return res;
    };
    const apns = ['ok', 'gone', 'bad', 'fail', 'busy'].map((word, i) => apnsPushkey(word, 0x5e00 + i));
    const fcm = ['ok', 'gone', 'bad', 'mismatch', 'fail'].map((word) => `${word}-${mark('fcmkey')}-${word}`);
    const devices = [
      ...apns.map((pushkey) => ({ app_id: IOS, pushkey })),
      { app_id: IOS_CERT, pushkey: apnsPushkey('ok', 0x5e10) },
      { app_id: `${IOS}.alert`, pushkey: apnsPushkey('ok', 0x5e11) },
      ...fcm.map((pushkey) => ({ app_id: ANDROID, pushkey })),
      { app_id: `unknown.${mark('appid')}`, pushkey: mark('unknownkey') },
    ];
    secrets.push(...fcm, mark('unknownkey'), mark(''));
    expect((await send(markedNotification(devices, 1), [...apns, apnsPushkey('ok', 0x5e10), apnsPushkey('ok', 0x5e11)])).status).toBe(502);
    // Oversized text (shortened) and an oversized MSC3013 frame (content omitted) to both providers.
    const long = markedNotification([{ app_id: IOS, pushkey: apns[0] }, { app_id: ANDROID, pushkey: fcm[0] }], 2);
    (long.notification.content as Record<string, string>).body = mark('longbody').repeat(400);
    expect((await send(long)).status).toBe(200);
    for (const [device, size] of [[{ app_id: IOS, pushkey: apns[0] }, 160], [{ app_id: ANDROID, pushkey: fcm[0] }, 4800], [{ app_id: IOS, pushkey: apns[1] }, 4800]] as const) {
      const body = encrypted(device, size);
      secrets.push(body.notification.ciphertext, body.notification.ephemeral);
      expect((await send(body)).status).toBe(200);
    }
    // Refused bodies: a marker in a value of the wrong type, and in a body that is not JSON.
    const wrongType = markedNotification([{ app_id: IOS, pushkey: apns[0] }], 3);
    (wrongType.notification as Record<string, unknown>).counts = { unread: mark('counts') };
    expect((await send(wrongType)).status).toBe(400);
    expect((await send(`{"notification": ${mark('notjson')}`)).status).toBe(400);
    const badCipher = encrypted({ app_id: IOS, pushkey: apns[0] }, 48);
    badCipher.notification.ciphertext = mark('ciphertext');
    expect((await send(badCipher)).status).toBe(400);
    // No X-Request-Id: one is made up and still names the request's lines.
    const generated = await e2e.notify(markedNotification([{ app_id: ANDROID, pushkey: fcm[3] }], 4));
    ids.push(generated.headers.get('x-request-id')!);

    const m = e2e.material;
    secrets.push(...pemLines(m.apnsKey.privateKeyPem), ...pemLines(m.serviceAccount.private_key), ...pemLines(m.sandboxClient.keyPem));
  }, 60_000);
  afterAll(() => e2e.close());

  test('no marker, pushkey, token, ciphertext or key material appears in any log line', () => {
    const output = e2e.logs.join('');
    expect(e2e.logs.length).toBeGreaterThan(20);
    const leaked = secrets.filter((s) => output.includes(s));
    expect(leaked).toEqual([]);
  });

  test('every line of a request names its request id; every request has its lines', () => {
    const lines = e2e.logs.map((l) => JSON.parse(l) as Record<string, unknown>);
    const anonymous = lines.filter((l) => l.request_id === undefined && !PROCESS_LINES.test(String(l.message)));
    expect(anonymous).toEqual([]);
    for (const id of ids) expect(lines.filter((l) => l.request_id === id).length).toBeGreaterThan(0);
  });

  test('provider reasons and fitting outcomes are logged, with a pushkey reference instead of the key', () => {
    const lines = e2e.logs.map((l) => JSON.parse(l) as Record<string, any>);
    const of = (id: string) => lines.filter((l) => l.request_id === id);
    const notDelivered = of('redact-1').filter((l) => l.message === 'push not delivered');
    // A retried push's final reason is its last attempt's (on a busy machine a 429 retry can end
    // in a connection error at the deadline), so look at every attempt's reason too.
    const reasons = of('redact-1').filter((l) => typeof l.reason === 'string').map((l) => l.reason);
    expect(reasons).toEqual(expect.arrayContaining([
      '410 Unregistered', '400 BadDeviceToken', '429 TooManyRequests',
      'fcm:messaging/registration-token-not-registered', 'fcm:messaging/invalid-argument:token', 'fcm:messaging/mismatched-credential',
    ]));
    expect(notDelivered.every((l) => /^[0-9a-f]{10}$/.test(l.pushkey))).toBe(true);
    expect(of('redact-1').some((l) => l.level === 'error' && /SENDER_ID_MISMATCH|mismatch/i.test(JSON.stringify(l)))).toBe(true);
    expect(of('redact-2').filter((l) => l.message === 'push delivered').map((l) => l.fit).sort()).toEqual(['shortened', 'shortened']);
    expect(of('redact-4').find((l) => l.message === 'push delivered')).toMatchObject({ level: 'info', fit: 'content_omitted' });
    expect(of('redact-1').find((l) => l.message === 'notify handled')).toMatchObject({ status: 502 });
  });
});

describe('log format pretty', () => {
  test('one human-readable line per event, still without content, still naming the request', async () => {
    const e2e = await startE2E({ top: { log: { level: 'info', format: 'pretty' } } });
    try {
      const res = await e2e.notify(markedNotification([{ app_id: ANDROID, pushkey: `mismatch-${mark('pretty')}` }], 9), { 'X-Request-Id': 'pretty-1' });
      expect(res.status).toBe(200);
      const output = e2e.logs.join('');
      expect(output).not.toContain(MARK);
      const requestLines = e2e.logs.filter((l) => l.includes('"request_id":"pretty-1"'));
      expect(requestLines.length).toBeGreaterThan(0);
      // `<ISO time> <level> <message> {fields}`, without colour codes when not written to a terminal.
      for (const line of requestLines) expect(line).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z (info|warn|error) [A-Za-z]/);
      expect(requestLines.map((l) => /^\S+ (\w+)/.exec(l)![1])).toEqual(expect.arrayContaining(['error', 'info']));
      expect(e2e.logs.some((l) => / debug /.test(l))).toBe(false); // log.level info
    } finally {
      await e2e.close();
    }
  }, 30_000);
});
