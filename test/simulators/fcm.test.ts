import https from 'node:https';
import { createServiceAccount } from '../../src/simulators/ca';
import { FcmSimulator, startFcmSimulator } from '../../src/simulators/fcm';
import { PROJECT, TestMaterial, fetchAccessToken, httpsRequest, makeMaterial, MATERIAL_TIMEOUT_MS } from './fixtures';

describe('FCM simulator over raw HTTPS', () => {
  let material: TestMaterial;
  let sim: FcmSimulator;
  let accessToken: string;
  const agent = new https.Agent({ keepAlive: true });

  beforeAll(async () => {
    material = makeMaterial();
    sim = await startFcmSimulator({
      tls: material.server,
      serviceAccounts: [material.serviceAccount],
      slowMs: 100,
      retryAfterSeconds: 3,
    });
    const granted = await fetchAccessToken(material.serviceAccount, sim.tokenUri, material.ca.certPem);
    accessToken = JSON.parse(granted.body).access_token;
  }, MATERIAL_TIMEOUT_MS);
  afterAll(async () => {
    agent.destroy();
    await sim.close();
  });
  beforeEach(() => sim.reset());

  const send = (message: object, options: { project?: string; token?: string; raw?: string } = {}) =>
    httpsRequest(`${sim.url}/v1/projects/${options.project ?? PROJECT}/messages:send`, {
      ca: material.ca.certPem,
      agent,
      headers: { authorization: `Bearer ${options.token ?? accessToken}`, 'content-type': 'application/json' },
      body: options.raw ?? JSON.stringify({ message }),
    });
  const errorOf = (body: string) => JSON.parse(body).error;

  describe('OAuth token endpoint', () => {
    it('grants a bearer token for a correctly signed assertion', async () => {
      const before = sim.tokensIssued;
      const response = await fetchAccessToken(material.serviceAccount, sim.tokenUri, material.ca.certPem);
      expect(response.status).toBe(200);
      const body = JSON.parse(response.body);
      expect(body).toMatchObject({ expires_in: 3600, token_type: 'Bearer' });
      expect(typeof body.access_token).toBe('string');
      expect(sim.tokensIssued).toBe(before + 1);
    });

    it.each([
      ['a bad signature', { keyPem: createServiceAccount({ tokenUri: 'x', projectId: 'y' }).private_key }, 'invalid_grant'],
      ['an unknown issuer', { claims: { iss: 'nobody@example.com' } }, 'invalid_grant'],
      ['a wrong audience', { claims: { aud: 'https://oauth2.googleapis.com/token' } }, 'invalid_grant'],
      ['no messaging scope', { claims: { scope: 'https://www.googleapis.com/auth/userinfo.email' } }, 'invalid_scope'],
      ['an expired assertion', { claims: { iat: 1000, exp: 4600 } }, 'invalid_grant'],
      ['a lifetime over an hour', { claims: { exp: Math.floor(Date.now() / 1000) + 7200 } }, 'invalid_grant'],
      ['another grant type', { grantType: 'client_credentials' }, 'unsupported_grant_type'],
    ])('refuses %s', async (_label, overrides, error) => {
      const response = await fetchAccessToken(material.serviceAccount, sim.tokenUri, material.ca.certPem, overrides);
      expect(response.status).toBe(400);
      expect(JSON.parse(response.body).error).toBe(error);
    });

    it('answers 503 while tokenEndpointFail is set', async () => {
      sim.setFaults({ tokenEndpointFail: true });
      expect((await fetchAccessToken(material.serviceAccount, sim.tokenUri, material.ca.certPem)).status).toBe(503);
    });
  });

  it('accepts a data message and answers with its name', async () => {
    const response = await send({ token: 'device-1', data: { event_id: '$e', unread: '2' }, android: { priority: 'high', ttl: '60s' } });
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body).name).toMatch(new RegExp(`^projects/${PROJECT}/messages/\\d+$`));
    expect(sim.received[0]).toMatchObject({
      provider: 'fcm',
      token: 'device-1',
      status: 200,
      payloadBytes: 'event_id'.length + 2 + 'unread'.length + 1,
      body: { message: { data: { event_id: '$e' } } },
    });
  });

  it.each([
    ['bad', 400, 'INVALID_ARGUMENT', 'INVALID_ARGUMENT'],
    ['gone', 404, 'NOT_FOUND', 'UNREGISTERED'],
    ['busy', 429, 'RESOURCE_EXHAUSTED', 'QUOTA_EXCEEDED'],
    ['fail', 500, 'INTERNAL', 'INTERNAL'],
    ['mismatch', 403, 'PERMISSION_DENIED', 'SENDER_ID_MISMATCH'],
  ])('answers a %s… token with %d %s / %s', async (prefix, status, canonical, errorCode) => {
    const response = await send({ token: `${prefix}:APA91b-x`, data: {} });
    expect(response.status).toBe(status);
    const error = errorOf(response.body);
    expect(error).toMatchObject({ code: status, status: canonical });
    expect(error.details).toEqual([{ '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode }]);
    expect(sim.received[0].reason).toBe(errorCode);
  });

  it('says a bad token is not a valid registration token, and sends retry-after when busy', async () => {
    expect(errorOf((await send({ token: 'bad1' })).body).message).toMatch(/registration token/);
    expect((await send({ token: 'busy1' })).headers['retry-after']).toBe('3');
  });

  it('fails a flaky token once with 503 UNAVAILABLE, and delays a slow one', async () => {
    expect((await send({ token: 'flaky-1' })).status).toBe(503);
    expect((await send({ token: 'flaky-1' })).status).toBe(200);
    const started = Date.now();
    expect((await send({ token: 'slow-1' })).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
  });

  it('limits data to 4096 bytes of keys and values (UTF-8)', async () => {
    const fits = { k: 'é'.repeat(2047) + 'x' }; // 1 + 4094 + 1 bytes
    expect((await send({ token: 'd', data: fits })).status).toBe(200);
    const tooBig = await send({ token: 'd', data: { k: 'é'.repeat(2048) } });
    expect(tooBig.status).toBe(400);
    expect(errorOf(tooBig.body)).toMatchObject({ status: 'INVALID_ARGUMENT', message: expect.stringMatching(/too big/) });
    expect(sim.received[1].payloadBytes).toBe(4097);
  });

  it.each([
    ['a non-string data value', { token: 'd', data: { unread: 2 } }],
    ['a reserved data key', { token: 'd', data: { from: 'x' } }],
    ['a google-prefixed key', { token: 'd', data: { 'google.x': 'x' } }],
    ['no token', { data: {} }],
    ['an invalid ttl', { token: 'd', android: { ttl: 60 } }],
  ])('answers 400 INVALID_ARGUMENT for %s', async (_label, message) => {
    const response = await send(message);
    expect([response.status, errorOf(response.body).status]).toEqual([400, 'INVALID_ARGUMENT']);
  });

  it('answers 400 for a body that is not JSON', async () => {
    const response = await send({}, { raw: '{not json' });
    expect([response.status, errorOf(response.body).status]).toEqual([400, 'INVALID_ARGUMENT']);
  });

  it('answers 401 UNAUTHENTICATED for an unknown or revoked bearer token', async () => {
    const unknown = await send({ token: 'd' }, { token: 'made-up' });
    expect([unknown.status, errorOf(unknown.body).status]).toEqual([401, 'UNAUTHENTICATED']);
    const granted = JSON.parse((await fetchAccessToken(material.serviceAccount, sim.tokenUri, material.ca.certPem)).body);
    expect((await send({ token: 'd' }, { token: granted.access_token })).status).toBe(200);
    sim.revokeAccessTokens();
    expect((await send({ token: 'd' }, { token: granted.access_token })).status).toBe(401);
    accessToken = JSON.parse((await fetchAccessToken(material.serviceAccount, sim.tokenUri, material.ca.certPem)).body).access_token;
  });

  it('answers 403 PERMISSION_DENIED for another project', async () => {
    const response = await send({ token: 'd' }, { project: 'someone-else' });
    expect([response.status, errorOf(response.body).status]).toEqual([403, 'PERMISSION_DENIED']);
  });

  it('answers 404 for unknown paths', async () => {
    const response = await httpsRequest(`${sim.url}/v1/other`, { ca: material.ca.certPem, body: '{}' });
    expect(response.status).toBe(404);
  });

  it('stops honouring an access token after tokenLifetimeSeconds', async () => {
    let clock = Date.now();
    const shortLived = await startFcmSimulator({
      tls: material.server,
      serviceAccounts: [material.serviceAccount],
      tokenLifetimeSeconds: 60,
      now: () => clock,
    });
    try {
      const granted = JSON.parse((await fetchAccessToken(material.serviceAccount, shortLived.tokenUri, material.ca.certPem)).body);
      expect(granted.expires_in).toBe(60);
      const send = () =>
        httpsRequest(`${shortLived.url}/v1/projects/${PROJECT}/messages:send`, {
          ca: material.ca.certPem,
          headers: { authorization: `Bearer ${granted.access_token}` },
          body: JSON.stringify({ message: { token: 'd' } }),
        });
      clock += 59_000;
      expect((await send()).status).toBe(200);
      clock += 1_000;
      expect((await send()).status).toBe(401);
    } finally {
      await shortLived.close();
    }
  });
});
