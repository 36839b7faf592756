import http2 from 'node:http2';
import { encrypt } from '../../src/msc3013';
import { ApnsSimulator, startApnsSimulator } from '../../src/simulators/apns';
import { createMsc3013DemoKey } from '../../src/simulators/demo-material';
import { FcmSimulator, startFcmSimulator } from '../../src/simulators/fcm';
import { PROJECT, TEAM_ID, TOPIC, TestMaterial, fetchAccessToken, h2Request, httpsRequest, makeMaterial, providerToken, MATERIAL_TIMEOUT_MS } from './fixtures';

describe('simulators decrypt MSC3013 payloads for display', () => {
  const key = createMsc3013DemoKey();
  const notification = { event_id: '$secret', room_id: '!room:x', content: { body: 'top secret' } };
  let material: TestMaterial;
  let apns: ApnsSimulator;
  let fcm: FcmSimulator;
  const lines: string[] = [];

  beforeAll(async () => {
    material = makeMaterial();
    const log = (line: string) => lines.push(line);
    apns = await startApnsSimulator({
      tls: material.server,
      providerKeys: [{ keyId: material.apnsKey.keyId, teamId: TEAM_ID, keyPem: material.apnsKey.publicKeyPem }],
      decryptKey: key.privateKey,
      log,
    });
    fcm = await startFcmSimulator({ tls: material.server, serviceAccounts: [material.serviceAccount], decryptKey: key.privateKey, log });
  }, MATERIAL_TIMEOUT_MS);
  afterAll(async () => {
    await apns.close();
    await fcm.close();
  });

  const sendApns = async (body: object) => {
    const session = http2.connect(apns.url, { ca: material.ca.certPem });
    try {
      const headers = { authorization: `bearer ${providerToken(material.apnsKey)}`, 'apns-topic': TOPIC };
      return await h2Request(session, `/3/device/${'e'.repeat(64)}`, headers, JSON.stringify(body));
    } finally {
      session.close();
    }
  };

  it('shows the plaintext of an APNs body (either MAC variant) in the record and the log', async () => {
    const spec = encrypt(notification, key.publicKey, { mac: 'spec' });
    expect((await sendApns({ aps: { 'mutable-content': 1, alert: 'New message' }, ...spec })).status).toBe(200);
    expect(apns.received[0].decrypted).toEqual({ ok: true, mac: 'spec', plaintext: JSON.stringify(notification) });
    expect(lines.at(-1)).toContain('decrypted(spec mac)=');
    expect(lines.at(-1)).toContain('top secret');

    await sendApns({ aps: {}, ...encrypt(notification, key.publicKey, { mac: 'libolm' }) });
    expect(apns.received[1].decrypted).toMatchObject({ ok: true, mac: 'libolm' });
  });

  it('reports a payload it cannot decrypt, and leaves plain payloads alone', async () => {
    const other = createMsc3013DemoKey();
    await sendApns({ aps: {}, ...encrypt(notification, other.publicKey) });
    expect(apns.received.at(-1)?.decrypted).toMatchObject({ ok: false });
    expect(lines.at(-1)).toContain('decrypt failed');
    await sendApns({ aps: { alert: 'plain' } });
    expect(apns.received.at(-1)?.decrypted).toBeUndefined();
  });

  it('decrypts the FCM data map', async () => {
    const token = JSON.parse((await fetchAccessToken(material.serviceAccount, fcm.tokenUri, material.ca.certPem)).body).access_token;
    const response = await httpsRequest(`${fcm.url}/v1/projects/${PROJECT}/messages:send`, {
      ca: material.ca.certPem,
      headers: { authorization: `Bearer ${token}` },
      body: JSON.stringify({ message: { token: 'device', data: encrypt(notification, key.publicKey) } }),
    });
    expect(response.status).toBe(200);
    expect(fcm.received[0].decrypted).toEqual({ ok: true, mac: 'spec', plaintext: JSON.stringify(notification) });
  });
});
