/**
 * Hostile input against the real gateway (real server limits, real pushkins, simulators behind):
 * the malformed corpus, generated monsters (deep, huge, compressed bombs, prototype keys) and
 * slow clients. Each gets a 4xx with a Matrix errcode in bounded time — never a 500, never a
 * crash — and ordinary requests keep being served meanwhile.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync, gzipSync } from 'node:zlib';
import { ANDROID, IOS, apnsPushkey, notification, startE2E, type E2E } from '../e2e/harness';
import { bytesOf, notifyRequest, rawRequest } from './raw-http';

const CORPUS = join(__dirname, '..', 'fixtures', 'malformed');
const REQUEST_TIMEOUT_MS = 1000;
/** Generous: two cores shared with other suites. */
const QUICK_MS = 1500;

const corpus = (folder: string) => readdirSync(join(CORPUS, folder)).map((name) => [name, readFileSync(join(CORPUS, folder, name))] as const);

describe('hostile input', () => {
  let e2e: E2E;
  let served = 0;
  beforeAll(async () => {
    e2e = await startE2E({ http: { request_timeout_ms: REQUEST_TIMEOUT_MS } });
  }, 30_000);
  afterAll(() => e2e.close());

  /** An ordinary request, delivered: the gateway is still serving. */
  async function stillServes(): Promise<number> {
    served += 1;
    const res = await e2e.notify(notification([{ app_id: IOS, pushkey: apnsPushkey('ok', 0x7000_0000 + served) }]));
    expect(res).toMatchObject({ status: 200, body: { rejected: [] } });
    return res.ms;
  }

  async function expectRefused(body: Buffer | string, status: number, errcode: string, headers: Record<string, string> = {}) {
    const res = await e2e.notify(body, headers);
    expect({ status: res.status, errcode: res.body?.errcode }).toEqual({ status, errcode });
    expect(typeof res.body.error).toBe('string');
    expect(res.ms).toBeLessThan(QUICK_MS);
    return res;
  }

  describe('the malformed corpus', () => {
    test.each(corpus('not-json'))('not-json/%s → 400 M_NOT_JSON', async (_name, body) => {
      await expectRefused(body, 400, 'M_NOT_JSON');
    });
    test.each(corpus('bad-json'))('bad-json/%s → 400 M_BAD_JSON', async (_name, body) => {
      await expectRefused(body, 400, 'M_BAD_JSON');
    });
    afterAll(() => stillServes());
  });

  describe('generated monsters', () => {
    const device = { app_id: IOS, pushkey: apnsPushkey('ok', 0x7100_0000) };

    test('10,000 devices (over max_devices) → 400 naming devices, quickly', async () => {
      const devices = Array.from({ length: 10_000 }, (_, i) => ({ app_id: IOS, pushkey: `k${i}` }));
      const res = await expectRefused(JSON.stringify({ notification: { devices } }), 400, 'M_BAD_JSON');
      expect(res.body.error).toMatch(/devices/);
    });

    test('100,000 nested arrays → 400 without parsing them', async () => {
      const body = `{"notification":{"devices":${'['.repeat(100_000)}${']'.repeat(100_000)}}}`;
      await expectRefused(body, 400, 'M_BAD_JSON');
    });

    test('a body over max_body_bytes → 413 M_TOO_LARGE', async () => {
      await expectRefused(JSON.stringify({ notification: { devices: [device], pad: 'x'.repeat(600_000) } }), 413, 'M_TOO_LARGE');
    });

    test.each([
      ['gzip', gzipSync],
      ['deflate', deflateSync],
    ] as const)('a %s bomb (50 MB inflated) → 413 on the inflated size, memory bounded', async (encoding, compress) => {
      const bomb = compress(Buffer.alloc(50 * 1024 * 1024, 0x20));
      expect(bomb.length).toBeLessThan(200_000);
      const heapBefore = process.memoryUsage().heapUsed;
      await expectRefused(bomb, 413, 'M_TOO_LARGE', { 'Content-Encoding': encoding });
      expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(32 * 1024 * 1024);
    });

    test('a small gzip body is inflated and served; an unknown encoding is refused', async () => {
      const body = JSON.stringify(notification([{ app_id: IOS, pushkey: apnsPushkey('ok', 0x7100_0001) }]));
      const res = await e2e.notify(gzipSync(body), { 'Content-Encoding': 'gzip' });
      expect(res).toMatchObject({ status: 200, body: { rejected: [] } });
      const unknown = await e2e.notify(body, { 'Content-Encoding': 'x-unheard-of' });
      expect(unknown.status).toBeGreaterThanOrEqual(400);
      expect(unknown.status).toBeLessThan(500);
      expect(unknown.body.errcode).toBe('M_NOT_JSON');
    });

    test('huge arrays and objects within the size limit are handled, not choked on', async () => {
      const started = Date.now();
      const wide = await e2e.notify(notification([device], { content: { body: 'hi', list: Array(100_000).fill(0) } }));
      expect(wide.status).toBe(200);
      const manyKeys = Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`k${i}`, 'v']));
      const fcm = await e2e.notify(notification([{ app_id: ANDROID, pushkey: 'hostile-many-keys' }], { content: manyKeys }));
      expect(fcm).toMatchObject({ status: 200, body: { rejected: [] } });
      const sent = e2e.fcm.received.find((r) => r.token === 'hostile-many-keys');
      expect(sent?.payloadBytes).toBeLessThanOrEqual(4096);
      expect(Date.now() - started).toBeLessThan(3 * QUICK_MS);
    });

    test('__proto__ / constructor / prototype keys everywhere: no pollution, sane answers and payloads', async () => {
      const evil = '{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}},"prototype":{"polluted":"yes"}}';
      const devicesJson = [
        `{"app_id":"${IOS}","pushkey":"${apnsPushkey('ok', 0x7100_0002)}","__proto__":{"polluted":"yes"},"data":{"__proto__":{"polluted":"yes"},"default_payload":${evil.replace(/}$/, ',"aps":' + evil + '}')}},"tweaks":${evil}}`,
        `{"app_id":"${ANDROID}","pushkey":"hostile-proto","data":{"default_payload":${evil}},"tweaks":${evil}}`,
      ];
      const body = `{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}},"notification":{"__proto__":{"polluted":"yes"},`
        + `"event_id":"$proto","room_id":"!r:x","type":"m.room.message","counts":${evil.replace(/}$/, ',"unread":1}')},"content":${evil.replace(/}$/, ',"body":"hi"}')},`
        + `"devices":[${devicesJson.join(',')}]}}`;
      const res = await e2e.notify(body);
      expect(res).toMatchObject({ status: 200, body: { rejected: [] } });
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(Object.prototype).not.toHaveProperty('polluted');
      const apnsBody = JSON.stringify(e2e.apns.received.at(-1)?.body);
      expect(apnsBody).not.toMatch(/__proto__|constructor|prototype|polluted/);
      const fcmSent = e2e.fcm.received.find((r) => r.token === 'hostile-proto');
      expect(fcmSent?.status).toBe(200);
      expect(JSON.stringify(fcmSent?.body)).not.toMatch(/"__proto__"|"prototype"|polluted/);
    });

    test('accepted quirks: a UTF-8 BOM (RFC 8259 allows ignoring it), duplicate keys (last wins), any content type', async () => {
      const body = JSON.stringify(notification([{ app_id: IOS, pushkey: apnsPushkey('ok', 0x7100_0003) }]));
      const bom = await e2e.notify(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(body)]));
      expect(bom.status).toBe(200);
      const lastWins = await e2e.notify(body.replace('{"notification":{', '{"notification":{"devices":"none",'));
      expect(lastWins.status).toBe(200);
      const firstLoses = await e2e.notify(body.replace(/}}$/, ',"devices":"none"}}'));
      expect(firstLoses.body.errcode).toBe('M_BAD_JSON');
      for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/octet-stream', 'multipart/form-data; boundary=x']) {
        const res = await e2e.notify(body, { 'Content-Type': type });
        expect(res.status).toBe(200);
      }
    });

    test('malformed HTTP and oversized headers → 400 / 431 with a Matrix body', async () => {
      const garbage = await rawRequest(e2e.url, ['BLAH /\x00 HTTP/9.9\r\n\r\n']);
      expect(garbage.status).toBe(400);
      expect(JSON.parse(garbage.body).errcode).toBe('M_NOT_JSON');
      const big = await rawRequest(e2e.url, [notifyRequest('{}', { 'X-Big': 'x'.repeat(64 * 1024) })]);
      expect(big.status).toBe(431);
      expect(JSON.parse(big.body).errcode).toBe('M_NOT_JSON');
      await stillServes();
    });
  });

  describe('slow clients', () => {
    const body = JSON.stringify(notification([{ app_id: IOS, pushkey: apnsPushkey('ok', 0x7200_0000) }]));
    const request = notifyRequest(body, { 'Content-Type': 'application/json' });
    const headerEnd = request.indexOf('\r\n\r\n') + 4;

    test('headers trickled byte by byte are cut (408) while other requests are served', async () => {
      const loris = rawRequest(e2e.url, bytesOf(request.subarray(0, headerEnd)), { gapMs: 50 });
      for (let i = 0; i < 5; i++) expect(await stillServes()).toBeLessThan(QUICK_MS);
      const answer = await loris;
      expect(answer).toMatchObject({ status: 408, closedByServer: true });
      expect(JSON.parse(answer.body).errcode).toBe('M_NOT_JSON');
      expect(answer.ms).toBeLessThan(REQUEST_TIMEOUT_MS + QUICK_MS);
    }, 15_000);

    test('a body trickled byte by byte is cut (408) within the request timeout', async () => {
      const answer = await rawRequest(e2e.url, [request.subarray(0, headerEnd), ...bytesOf(request.subarray(headerEnd))], { gapMs: 50 });
      expect(answer).toMatchObject({ status: 408, closedByServer: true });
      expect(JSON.parse(answer.body).errcode).toBe('M_NOT_JSON');
      expect(answer.ms).toBeLessThan(2 * REQUEST_TIMEOUT_MS + QUICK_MS);
    }, 15_000);

    test('a chunked body that never ends is cut (408)', async () => {
      const head = 'POST /_matrix/push/v1/notify HTTP/1.1\r\nHost: herald\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n';
      const answer = await rawRequest(e2e.url, [head, `${(10).toString(16)}\r\n{"notifica\r\n`]);
      expect(answer).toMatchObject({ status: 408, closedByServer: true });
      expect(answer.ms).toBeLessThan(2 * REQUEST_TIMEOUT_MS + QUICK_MS);
    }, 15_000);

    test('fifty slow clients at once do not stop ordinary requests', async () => {
      const loris = Array.from({ length: 50 }, (_, i) =>
        rawRequest(e2e.url, i % 2 === 0 ? bytesOf(request.subarray(0, headerEnd)) : [request.subarray(0, headerEnd), ...bytesOf(request.subarray(headerEnd))], { gapMs: 100 }),
      );
      for (let i = 0; i < 5; i++) expect(await stillServes()).toBeLessThan(QUICK_MS);
      const answers = await Promise.all(loris);
      expect(answers.map((a) => a.status)).toEqual(answers.map(() => 408));
      expect(answers.every((a) => a.closedByServer)).toBe(true);
    }, 20_000);
  });
});
