import https from 'node:https';
import { FcmSimulator, startFcmSimulator } from '../../src/simulators/fcm';
import { PROJECT, TestMaterial, fetchAccessToken, httpsRequest, makeMaterial, MATERIAL_TIMEOUT_MS } from './fixtures';

describe('FCM simulator faults', () => {
  let material: TestMaterial;
  let sim: FcmSimulator;
  let accessToken: string;

  beforeAll(async () => {
    material = makeMaterial();
    sim = await startFcmSimulator({ tls: material.server, serviceAccounts: [material.serviceAccount] });
    accessToken = JSON.parse((await fetchAccessToken(material.serviceAccount, sim.tokenUri, material.ca.certPem)).body).access_token;
  }, MATERIAL_TIMEOUT_MS);
  afterAll(() => sim.close());
  beforeEach(() => sim.reset());

  // A fresh agent per request: a faulty connection must not be reused by the next one.
  const send = () =>
    httpsRequest(`${sim.url}/v1/projects/${PROJECT}/messages:send`, {
      ca: material.ca.certPem,
      agent: new https.Agent({ keepAlive: false }),
      headers: { authorization: `Bearer ${accessToken}` },
      body: JSON.stringify({ message: { token: 'device' } }),
    });

  it('adds latency', async () => {
    sim.setFaults({ latencyMs: 120 });
    const started = Date.now();
    expect((await send()).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(110);
  });

  it('answers a burst of 503 UNAVAILABLE, then recovers', async () => {
    sim.setFaults({ status5xxBurst: 1 });
    const first = await send();
    expect([first.status, JSON.parse(first.body).error.status]).toEqual([503, 'UNAVAILABLE']);
    expect((await send()).status).toBe(200);
  });

  it('stalls without answering', async () => {
    sim.setFaults({ stall: true });
    const outcome = await Promise.race([
      send().then(() => 'answered', () => 'failed'),
      new Promise((resolve) => setTimeout(() => resolve('still waiting'), 200)),
    ]);
    expect(outcome).toBe('still waiting');
    expect(sim.received[0].status).toBeUndefined();
  });

  it('destroys the socket mid-request', async () => {
    sim.setFaults({ resetAfterMs: 10 });
    await expect(send()).rejects.toMatchObject({ code: 'ECONNRESET' });
  });

  it('refuses TLS handshakes while tlsFail is set', async () => {
    sim.setFaults({ tlsFail: true });
    await expect(send()).rejects.toThrow(/handshake failure/i);
    sim.setFaults({});
    expect((await send()).status).toBe(200);
  });
});
