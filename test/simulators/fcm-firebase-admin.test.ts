import https from 'node:https';
import { Duplex } from 'node:stream';
import tls from 'node:tls';
import { App, deleteApp, initializeApp } from 'firebase-admin/app';
import { getMessaging } from 'firebase-admin/messaging';
import { FcmSimulator, startFcmSimulator } from '../../src/simulators/fcm';
import { PROJECT, TestMaterial, fetchAccessToken, makeMaterial, MATERIAL_TIMEOUT_MS } from './fixtures';

/** Sends firebase-admin's requests for fcm.googleapis.com:443 to the simulator instead. */
function redirectingAgent(sim: FcmSimulator, ca: string): https.Agent {
  const agent = new https.Agent({ keepAlive: true });
  (agent as unknown as { createConnection: (options: tls.ConnectionOptions) => Duplex }).createConnection = (options) => {
    // The simulator's certificate names 127.0.0.1, so the Google host name is not sent or checked.
    const { servername: _ignored, ...rest } = options;
    return tls.connect({ ...rest, host: sim.host, port: sim.port, ca });
  };
  return agent;
}

describe('FCM simulator with the real firebase-admin client', () => {
  let material: TestMaterial;
  let sim: FcmSimulator;
  let agent: https.Agent;
  const apps: App[] = [];

  const app = (getAccessToken?: () => Promise<{ access_token: string; expires_in: number }>): App => {
    const credential = {
      getAccessToken:
        getAccessToken ??
        (async () => JSON.parse((await fetchAccessToken(material.serviceAccount, sim.tokenUri, material.ca.certPem)).body)),
    };
    const created = initializeApp({ credential, projectId: PROJECT, httpAgent: agent }, `simulator-test-${apps.length}`);
    apps.push(created);
    return created;
  };

  beforeAll(async () => {
    material = makeMaterial();
    sim = await startFcmSimulator({ tls: material.server, serviceAccounts: [material.serviceAccount], slowMs: 50 });
    agent = redirectingAgent(sim, material.ca.certPem);
  }, MATERIAL_TIMEOUT_MS);
  afterAll(async () => {
    for (const created of apps) await deleteApp(created);
    agent.destroy();
    await sim.close();
  });
  beforeEach(() => sim.reset());

  it('delivers a data message through send() and the OAuth token grant', async () => {
    const messaging = getMessaging(app());
    const name = await messaging.send({ token: 'device-token-1', data: { event_id: '$e', unread: '1' }, android: { priority: 'high', ttl: 60_000 } });
    expect(name).toMatch(new RegExp(`^projects/${PROJECT}/messages/\\d+$`));
    expect(sim.tokensIssued).toBeGreaterThanOrEqual(1);
    const record = sim.received[0];
    expect(record.headers.authorization).toMatch(/^Bearer sim\./);
    expect(record.body).toMatchObject({ message: { token: 'device-token-1', android: { priority: 'high', ttl: '60s' } } });
  });

  it.each([
    ['gone', 'messaging/registration-token-not-registered'],
    ['bad', 'messaging/invalid-argument'],
    ['mismatch', 'messaging/mismatched-credential'],
    ['busy', 'messaging/message-rate-exceeded'],
    ['fail', 'messaging/internal-error'],
  ])('maps a %s… token to %s', async (prefix, code) => {
    await expect(getMessaging(app()).send({ token: `${prefix}-device`, data: {} })).rejects.toMatchObject({ code });
  });

  it('lets the SDK retry a flaky 503 to success', async () => {
    await expect(getMessaging(app()).send({ token: 'flaky-device' })).resolves.toMatch(/messages/);
    expect(sim.received.map((record) => record.status)).toEqual([503, 200]);
  });

  it('reports an oversized data payload as invalid-argument', async () => {
    const send = getMessaging(app()).send({ token: 'device', data: { big: 'x'.repeat(4094) } });
    await expect(send).rejects.toMatchObject({ code: 'messaging/invalid-argument', message: expect.stringMatching(/too big/) });
  });

  it('maps a token the simulator never issued to third-party-auth-error', async () => {
    const forged = app(async () => ({ access_token: 'forged', expires_in: 3600 }));
    await expect(getMessaging(forged).send({ token: 'device' })).rejects.toMatchObject({ code: 'messaging/third-party-auth-error' });
  });
});
