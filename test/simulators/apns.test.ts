import http2 from 'node:http2';
import { ApnsSimulator, startApnsSimulator } from '../../src/simulators/apns';
import { createEs256Key } from '../../src/simulators/ca';
import { hexTokenFor } from '../../src/simulators/scenarios';
import { TEAM_ID, TOPIC, TestMaterial, h2Request, makeMaterial, providerToken, MATERIAL_TIMEOUT_MS } from './fixtures';

const HEX_TOKEN = 'a'.repeat(64);
const APNS_ID = '123e4567-e89b-12d3-a456-426614174000';

describe('APNs simulator over raw HTTP/2', () => {
  let material: TestMaterial;
  let sim: ApnsSimulator;
  let session: http2.ClientHttp2Session;
  const lines: string[] = [];

  beforeAll(async () => {
    material = makeMaterial();
    sim = await startApnsSimulator({
      tls: material.server,
      providerKeys: [{ keyId: material.apnsKey.keyId, teamId: TEAM_ID, keyPem: material.apnsKey.publicKeyPem }],
      slowMs: 150,
      retryAfterSeconds: 7,
      log: (line) => lines.push(line),
    });
    session = http2.connect(sim.url, { ca: material.ca.certPem });
  }, MATERIAL_TIMEOUT_MS);
  afterAll(async () => {
    session.close();
    await sim.close();
  });
  beforeEach(() => sim.reset());

  const push = (token: string, headers: Record<string, string> = {}, body: string | Buffer = '{"aps":{"alert":"hi"}}') =>
    h2Request(
      session,
      `/3/device/${token}`,
      { authorization: `bearer ${providerToken(material.apnsKey)}`, 'apns-topic': TOPIC, ...headers },
      body,
    );

  it('accepts a valid push, echoes apns-id and records it', async () => {
    const response = await push(HEX_TOKEN, { 'apns-id': APNS_ID, 'apns-priority': '10', 'apns-push-type': 'alert' });
    expect(response.status).toBe(200);
    expect(response.headers['apns-id']).toBe(APNS_ID);
    expect(response.body).toBe('');
    expect(sim.received).toHaveLength(1);
    const record = sim.received[0];
    expect(record).toMatchObject({
      provider: 'apns',
      token: HEX_TOKEN,
      scenario: 'ok',
      method: 'POST',
      status: 200,
      body: { aps: { alert: 'hi' } },
      bytes: Buffer.byteLength('{"aps":{"alert":"hi"}}'),
    });
    expect(record.headers['apns-topic']).toBe(TOPIC);
    expect(lines.at(-1)).toContain('[apns] 200 token=aaaaaaaa…(64)');
  });

  it('invents an apns-id when the request has none', async () => {
    const response = await push(HEX_TOKEN);
    expect(response.headers['apns-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it.each([
    ['textual bad', 400, 'BadDeviceToken', 'bad0token'],
    ['textual gone', 410, 'Unregistered', 'gone0123'],
    ['textual busy', 429, 'TooManyRequests', 'busy0123'],
    ['textual fail', 500, 'InternalServerError', 'fail0123'],
    ['textual mismatch', 400, 'DeviceTokenNotForTopic', 'mismatch1'],
    ['hex-bytes gone', 410, 'Unregistered', hexTokenFor('gone')],
    ['hex-bytes bad', 400, 'BadDeviceToken', hexTokenFor('bad')],
    ['malformed', 400, 'BadDeviceToken', 'not-a-token'],
  ])('answers a %s token with %d %s', async (_label, status, reason, token) => {
    const response = await push(token);
    expect(response.status).toBe(status);
    expect(JSON.parse(response.body).reason).toBe(reason);
    expect(sim.received[0]).toMatchObject({ status, reason });
  });

  it('treats a real-shaped 64-hex token starting with "bad" as a normal token', async () => {
    expect((await push(`bad${'0'.repeat(61)}`)).status).toBe(200);
  });

  it('adds a millisecond timestamp to 410 and retry-after to 429', async () => {
    const before = Date.now();
    const gone = JSON.parse((await push('gone1')).body);
    expect(gone.timestamp).toBeGreaterThanOrEqual(before);
    expect(gone.timestamp).toBeLessThanOrEqual(Date.now());
    expect((await push('busy1')).headers['retry-after']).toBe('7');
  });

  it('fails a flaky token once with 503, then succeeds', async () => {
    const first = await push('flaky1');
    expect([first.status, JSON.parse(first.body).reason]).toEqual([503, 'ServiceUnavailable']);
    expect((await push('flaky1')).status).toBe(200);
    expect((await push('flaky2')).status).toBe(503);
  });

  it('delays a slow token by slowMs', async () => {
    const started = Date.now();
    expect((await push('slow1')).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('rejects bodies over 4096 bytes with 413, and allows 5120 for voip', async () => {
    const body = (size: number) => JSON.stringify({ aps: {}, pad: 'x'.repeat(size - 19) });
    expect(Buffer.byteLength(body(4096))).toBe(4096);
    expect((await push(HEX_TOKEN, {}, body(4096))).status).toBe(200);
    const tooBig = await push(HEX_TOKEN, {}, body(4097));
    expect([tooBig.status, JSON.parse(tooBig.body).reason]).toEqual([413, 'PayloadTooLarge']);
    expect((await push(HEX_TOKEN, { 'apns-push-type': 'voip' }, body(5000))).status).toBe(200);
    expect(sim.received.map((record) => record.payloadBytes)).toEqual([4096, 4097, 5000]);
  });

  it('rejects empty and non-JSON bodies', async () => {
    expect(JSON.parse((await push(HEX_TOKEN, {}, '')).body).reason).toBe('PayloadEmpty');
    expect(JSON.parse((await push(HEX_TOKEN, {}, 'not json')).body).reason).toBe('BadPayload');
    expect(JSON.parse((await push(HEX_TOKEN, {}, '[1]')).body).reason).toBe('BadPayload');
  });

  it('requires a topic', async () => {
    const response = await h2Request(session, `/3/device/${HEX_TOKEN}`, { authorization: `bearer ${providerToken(material.apnsKey)}` }, '{}');
    expect([response.status, JSON.parse(response.body).reason]).toEqual([400, 'MissingTopic']);
  });

  it.each([
    ['background push at priority 10', { 'apns-push-type': 'background', 'apns-priority': '10' }, 'BadPriority'],
    ['unknown priority', { 'apns-priority': '7' }, 'BadPriority'],
    ['unknown push type', { 'apns-push-type': 'shout' }, 'InvalidPushType'],
    ['long collapse id', { 'apns-collapse-id': 'c'.repeat(65) }, 'BadCollapseId'],
    ['non-UUID apns-id', { 'apns-id': 'nope' }, 'BadMessageId'],
    ['non-numeric expiration', { 'apns-expiration': 'soon' }, 'BadExpirationDate'],
  ])('rejects a %s', async (_label, headers, reason) => {
    const response = await push(HEX_TOKEN, headers);
    expect([response.status, JSON.parse(response.body).reason]).toEqual([400, reason]);
  });

  describe('provider tokens', () => {
    const withAuth = (authorization?: string) =>
      h2Request(session, `/3/device/${HEX_TOKEN}`, { 'apns-topic': TOPIC, ...(authorization ? { authorization } : {}) }, '{}');
    const reasonOf = async (authorization?: string) => {
      const response = await withAuth(authorization);
      expect(response.status).toBe(403);
      return JSON.parse(response.body).reason;
    };

    it('answers MissingProviderToken without authorization', async () => {
      expect(await reasonOf()).toBe('MissingProviderToken');
    });

    it('answers InvalidProviderToken for a forged, unknown-key, wrong-team or garbage token', async () => {
      const stranger = createEs256Key(material.apnsKey.keyId);
      expect(await reasonOf(`bearer ${providerToken(stranger)}`)).toBe('InvalidProviderToken');
      expect(await reasonOf(`bearer ${providerToken(createEs256Key('OTHERKEY01'))}`)).toBe('InvalidProviderToken');
      expect(await reasonOf(`bearer ${providerToken(material.apnsKey, 'OTHERTEAM1')}`)).toBe('InvalidProviderToken');
      expect(await reasonOf('bearer not.a.jwt')).toBe('InvalidProviderToken');
    });

    it('answers ExpiredProviderToken when iat is over an hour old', async () => {
      const old = Math.floor(Date.now() / 1000) - 3601;
      expect(await reasonOf(`bearer ${providerToken(material.apnsKey, TEAM_ID, old)}`)).toBe('ExpiredProviderToken');
    });
  });

  it('answers 404 BadPath and 405 MethodNotAllowed', async () => {
    const badPath = await h2Request(session, '/3/other', {}, '{}');
    expect([badPath.status, JSON.parse(badPath.body).reason]).toEqual([404, 'BadPath']);
    const get = await h2Request(session, `/3/device/${HEX_TOKEN}`, { ':method': 'GET' });
    expect([get.status, JSON.parse(get.body).reason]).toEqual([405, 'MethodNotAllowed']);
  });

  it('emits events and lets tests wait for pushes', async () => {
    const requests: string[] = [];
    sim.on('request', (record) => requests.push(record.token));
    const waited = sim.waitForPushes(2);
    await Promise.all([push('gone2'), push(HEX_TOKEN)]);
    expect((await waited).map((record) => record.status).sort()).toEqual([200, 410]);
    expect(requests.sort()).toEqual([HEX_TOKEN, 'gone2'].sort());
  });
});
