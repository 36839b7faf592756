import apn from '@parse/node-apn';
import { ApnsSimulator, startApnsSimulator } from '../../src/simulators/apns';
import { createEs256Key, issueApnsClientCert } from '../../src/simulators/ca';
import { TEAM_ID, TOPIC, TestMaterial, makeMaterial, MATERIAL_TIMEOUT_MS } from './fixtures';

const HEX_TOKEN = 'b'.repeat(64);

describe('APNs simulator with the real node-apn client', () => {
  let material: TestMaterial;
  let sim: ApnsSimulator;
  const providers: apn.Provider[] = [];

  const provider = (auth: Partial<apn.ProviderOptions>): apn.Provider => {
    const created = new apn.Provider({
      production: false,
      address: '127.0.0.1',
      port: sim.port,
      ca: material.ca.certPem,
      connectionRetryLimit: 0,
      ...auth,
    } as apn.ProviderOptions);
    providers.push(created);
    return created;
  };
  const tokenProvider = () =>
    provider({ token: { key: material.apnsKey.privateKeyPem, keyId: material.apnsKey.keyId, teamId: TEAM_ID } });
  const note = (payload: object = { room_id: '!r:x' }): apn.Notification => {
    const notification = new apn.Notification();
    notification.topic = TOPIC;
    notification.alert = 'hello';
    notification.payload = payload;
    return notification;
  };

  beforeAll(async () => {
    material = makeMaterial();
    sim = await startApnsSimulator({
      tls: material.server,
      clientCa: material.ca.certPem,
      providerKeys: [{ keyId: material.apnsKey.keyId, teamId: TEAM_ID, keyPem: material.apnsKey.privateKeyPem }],
      slowMs: 50,
    });
  }, MATERIAL_TIMEOUT_MS);
  afterAll(async () => {
    for (const created of providers) await created.shutdown();
    await sim.close();
  });
  beforeEach(() => sim.reset());

  it('delivers with token auth and reports token failures the way APNs does', async () => {
    const client = tokenProvider();
    const result = await client.send(note(), [HEX_TOKEN, 'gone0123', 'bad0123', 'busy0123', 'slow0123']);
    expect(result.sent.map((sent) => sent.device).sort()).toEqual([HEX_TOKEN, 'slow0123'].sort());
    const failures = Object.fromEntries(result.failed.map((failed) => [failed.device, failed]));
    expect(failures.gone0123.status).toBe(410);
    expect(failures.gone0123.response?.reason).toBe('Unregistered');
    expect(typeof (failures.gone0123.response as { timestamp?: number }).timestamp).toBe('number');
    expect([failures.bad0123.status, failures.bad0123.response?.reason]).toEqual([400, 'BadDeviceToken']);
    expect([failures.busy0123.status, failures.busy0123.response?.reason]).toEqual([429, 'TooManyRequests']);

    const delivered = sim.received.find((record) => record.token === HEX_TOKEN);
    expect(delivered?.headers.authorization).toMatch(/^bearer /);
    expect(delivered?.body).toMatchObject({ aps: { alert: 'hello' }, room_id: '!r:x' });
  });

  it('recovers from flaky 503 when the caller retries', async () => {
    const client = tokenProvider();
    const first = await client.send(note(), 'flaky0123');
    expect(first.failed[0].status).toBe(503);
    const second = await client.send(note(), 'flaky0123');
    expect(second.sent).toHaveLength(1);
  });

  it('reports 413 for an oversized payload', async () => {
    const result = await tokenProvider().send(note({ pad: 'x'.repeat(5000) }), HEX_TOKEN);
    expect([result.failed[0].status, result.failed[0].response?.reason]).toEqual([413, 'PayloadTooLarge']);
  });

  it('rejects a provider token signed by an unknown key', async () => {
    const stranger = provider({
      token: { key: createEs256Key().privateKeyPem, keyId: material.apnsKey.keyId, teamId: TEAM_ID },
    });
    const result = await stranger.send(note(), HEX_TOKEN);
    expect([result.failed[0].status, result.failed[0].response?.reason]).toEqual([403, 'InvalidProviderToken']);
  });

  it('authenticates with a sandbox client certificate (no provider token)', async () => {
    const client = provider({ cert: material.sandboxClient.certPem, key: material.sandboxClient.keyPem });
    const result = await client.send(note(), HEX_TOKEN);
    expect(result.failed).toEqual([]);
    expect(result.sent).toHaveLength(1);
    expect(sim.received[0].headers.authorization).toBeUndefined();
  });

  it('accepts the single-file cert+key PEM form', async () => {
    const pem = material.sandboxClient.certPem + material.sandboxClient.keyPem;
    const result = await provider({ cert: pem, key: pem }).send(note(), HEX_TOKEN);
    expect(result.sent).toHaveLength(1);
  });

  it('refuses a certificate topic that does not match apns-topic', async () => {
    const other = issueApnsClientCert(material.ca, { environment: 'sandbox', topic: 'org.other.app' });
    const result = await provider({ cert: other.certPem, key: other.keyPem }).send(note(), HEX_TOKEN);
    expect([result.failed[0].status, result.failed[0].response?.reason]).toEqual([400, 'TopicDisallowed']);
  });

  it('issues certificates node-apn validates against the configured environment', () => {
    const production = issueApnsClientCert(material.ca, { environment: 'production', topic: TOPIC });
    // node-apn treats any custom address as sandbox, so a production-only certificate is refused up front.
    expect(() => provider({ cert: production.certPem, key: production.keyPem })).toThrow(/environment/);
  });
});
