import http2 from 'node:http2';
import tls from 'node:tls';
import { ApnsSimulator, startApnsSimulator } from '../../src/simulators/apns';
import { TEAM_ID, TOPIC, TestMaterial, h2Request, makeMaterial, providerToken, MATERIAL_TIMEOUT_MS } from './fixtures';

const HEX_TOKEN = 'c'.repeat(64);

describe('APNs simulator faults', () => {
  let material: TestMaterial;
  let sim: ApnsSimulator;
  let session: http2.ClientHttp2Session | undefined;

  beforeAll(async () => {
    material = makeMaterial();
    sim = await startApnsSimulator({
      tls: material.server,
      providerKeys: [{ keyId: material.apnsKey.keyId, teamId: TEAM_ID, keyPem: material.apnsKey.publicKeyPem }],
    });
  }, MATERIAL_TIMEOUT_MS);
  afterAll(() => sim.close());
  beforeEach(() => {
    sim.reset();
    session = http2.connect(sim.url, { ca: material.ca.certPem });
    session.on('error', () => undefined);
  });
  afterEach(() => session?.destroy());

  const push = (token = HEX_TOKEN) =>
    h2Request(
      session!,
      `/3/device/${token}`,
      { authorization: `bearer ${providerToken(material.apnsKey)}`, 'apns-topic': TOPIC },
      '{"aps":{}}',
    );

  it('adds latency before answering', async () => {
    sim.setFaults({ latencyMs: 120 });
    const started = Date.now();
    expect((await push()).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(110);
  });

  it('answers the next N requests 503 during a 5xx burst', async () => {
    sim.setFaults({ status5xxBurst: 2 });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await push()).status);
    expect(statuses).toEqual([503, 503, 200]);
  });

  it('stalls: records the request but never answers', async () => {
    sim.setFaults({ stall: true });
    const outcome = await Promise.race([push().then(() => 'answered'), delayed(200, 'still waiting')]);
    expect(outcome).toBe('still waiting');
    expect(sim.received).toHaveLength(1);
    expect(sim.received[0].status).toBeUndefined();
  });

  it('resets the stream mid-request with RST_STREAM', async () => {
    sim.setFaults({ resetAfterMs: 20 });
    await expect(push()).rejects.toMatchObject({ code: 'ERR_HTTP2_STREAM_ERROR' });
    sim.setFaults({});
    expect((await push()).status).toBe(200);
  });

  it('sends GOAWAY once, refusing the request, and serves new sessions afterwards', async () => {
    sim.setFaults({ goaway: true });
    const goaway = new Promise<number>((resolve) => session!.once('goaway', (code) => resolve(code)));
    await expect(push()).rejects.toBeDefined();
    expect(await goaway).toBe(http2.constants.NGHTTP2_NO_ERROR);
    session = http2.connect(sim.url, { ca: material.ca.certPem });
    expect((await push()).status).toBe(200);
  });

  it('refuses TLS handshakes while tlsFail is set', async () => {
    sim.setFaults({ tlsFail: true });
    const error = await new Promise<Error>((resolve) => {
      const socket = tls.connect({ host: sim.host, port: sim.port, ca: material.ca.certPem, ALPNProtocols: ['h2'] });
      socket.on('secureConnect', () => resolve(new Error('handshake unexpectedly succeeded')));
      socket.on('error', resolve);
    });
    expect(error.message).toMatch(/handshake failure/i);
    sim.setFaults({});
    session?.destroy();
    session = http2.connect(sim.url, { ca: material.ca.certPem });
    expect((await push()).status).toBe(200);
  });
});

function delayed<T>(ms: number, value: T): Promise<T> {
  return new Promise((resolve) => setTimeout(() => resolve(value), ms));
}
