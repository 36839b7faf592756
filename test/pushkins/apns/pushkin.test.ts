/** The APNs pushkin against the local APNs simulator, through the real node-apn client. */
import { buildApnsPush } from '../../../src/payload/apns';
import type { Pushkin } from '../../../src/pushkins/pushkin';
import { type Lab, TOPIC, context, deviceFor, message, openPushkin, pushkeyFor, responseCodes, startLab, testDeps } from './fixture';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let lab: Lab;
const open: Pushkin[] = [];

function track(p: Pushkin): Pushkin {
  open.push(p);
  return p;
}

beforeAll(async () => {
  lab = await startLab({ slowMs: 400 });
});
afterAll(async () => {
  await lab.close();
});
beforeEach(() => lab.sim.reset());
afterEach(async () => {
  await Promise.all(open.splice(0).map((p) => p.close()));
});

describe('token auth', () => {
  it('delivers the built payload byte for byte with the push headers', async () => {
    const app = lab.tokenApp();
    const p = track(openPushkin(app));
    const device = deviceFor(pushkeyFor('okay'));
    const n = message(device);

    const outcome = await p.send(n, device, context(2000));

    expect(outcome).toEqual({ kind: 'delivered', fit: 'full' });
    const [received] = lab.sim.received;
    const expected = buildApnsPush(n, device, app)!;
    expect(received.status).toBe(200);
    expect(received.token).toBe(Buffer.from(device.pushkey, 'base64').toString('hex'));
    expect(received.bytes).toBe(expected.bytes);
    expect(received.body).toEqual(expected.body);
    expect(received.headers['authorization']).toMatch(/^bearer /);
    expect(received.headers['apns-topic']).toBe(TOPIC);
    expect(received.headers['apns-push-type']).toBe(expected.pushType);
    expect(received.headers['apns-priority']).toBe('10');
    expect(received.headers['apns-id']).toMatch(UUID);
  });

  it('sends prio "low" with apns-priority 5', async () => {
    const p = track(openPushkin(lab.tokenApp()));
    const device = deviceFor(pushkeyFor('okay'));
    await expect(p.send(message(device, { prio: 'low' }), device, context(2000))).resolves.toMatchObject({ kind: 'delivered' });
    expect(lab.sim.received[0].headers['apns-priority']).toBe('5');
  });

  it('uses a new apns-id for each push', async () => {
    const p = track(openPushkin(lab.tokenApp()));
    const device = deviceFor(pushkeyFor('okay'));
    await p.send(message(device), device, context(2000));
    await p.send(message(device), device, context(2000));
    const [first, second] = lab.sim.received.map((r) => r.headers['apns-id']);
    expect(first).not.toBe(second);
  });

  it('drops the push when the provider token is invalid (403), without retrying', async () => {
    const p = track(openPushkin(lab.tokenApp({ team_id: 'WRONGTEAM1' })));
    const device = deviceFor(pushkeyFor('okay'));
    await expect(p.send(message(device), device, context(2000))).resolves.toEqual({
      kind: 'dropped',
      reason: '403 InvalidProviderToken',
    });
    expect(lab.sim.received).toHaveLength(1);
  });
});

describe('certificate auth', () => {
  it('delivers over a client certificate and reports its expiry', async () => {
    const deps = testDeps();
    const p = track(openPushkin(lab.certApp(), deps));
    const device = deviceFor(pushkeyFor('okay'));

    await expect(p.send(message(device), device, context(2000))).resolves.toEqual({ kind: 'delivered', fit: 'full' });
    expect(lab.sim.received[0].headers['authorization']).toBeUndefined();
    const gauge = (await deps.metrics.apnsCertificateExpiry.get()).values[0];
    expect(gauge.labels.app).toBe('org.herald.test.ios');
    // issueApnsClientCert makes certificates valid for 825 days.
    expect(gauge.value * 1000 - Date.now()).toBeGreaterThan(800 * 24 * 3600 * 1000);
  });

  it('is refused at construction when the certificate is for the other environment', () => {
    expect(() => openPushkin(lab.certApp({ platform: 'production' }))).toThrow(/environment/);
  });
});

describe('token errors reject the pushkey at once', () => {
  it.each([
    ['gone', '410 Unregistered'],
    ['bad', '400 BadDeviceToken'],
    ['mismatch', '400 DeviceTokenNotForTopic'],
  ])('%s… → rejected (%s)', async (word, reason) => {
    const deps = testDeps();
    const p = track(openPushkin(lab.tokenApp(), deps));
    const device = deviceFor(pushkeyFor(word));
    await expect(p.send(message(device), device, context(2000))).resolves.toEqual({ kind: 'rejected', reason });
    expect(lab.sim.received).toHaveLength(1);
    expect(await responseCodes(deps.metrics)).toEqual({ [reason.slice(0, 3)]: 1 });
  });

  it.each([
    ['not base64', 'not a token!', true],
    ['not hex', pushkeyFor('okay'), false],
  ])('a pushkey that is %s is rejected without a request', async (_label, pushkey, convert) => {
    const p = track(openPushkin(lab.tokenApp({ convert_device_token_to_hex: convert })));
    const device = deviceFor(pushkey);
    await expect(p.send(message(device), device, context(2000))).resolves.toEqual({ kind: 'rejected', reason: 'invalid_pushkey' });
    expect(lab.sim.received).toHaveLength(0);
  });

  it('sends a hex pushkey as it is when conversion is off', async () => {
    const p = track(openPushkin(lab.tokenApp({ convert_device_token_to_hex: false })));
    const hex = Buffer.from(pushkeyFor('gone'), 'base64').toString('hex').toUpperCase();
    const device = deviceFor(hex);
    await expect(p.send(message(device), device, context(2000))).resolves.toMatchObject({ kind: 'rejected' });
    expect(lab.sim.received[0].token).toBe(hex.toLowerCase());
  });
});

describe('temporary failures are retried within the deadline', () => {
  it('flaky… (one 503) is retried with the same apns-id and delivered', async () => {
    const deps = testDeps();
    const p = track(openPushkin(lab.tokenApp(), deps));
    const device = deviceFor(pushkeyFor('flaky'));

    await expect(p.send(message(device), device, context(2000))).resolves.toEqual({ kind: 'delivered', fit: 'full' });
    const [first, second] = lab.sim.received;
    expect([first.status, second.status]).toEqual([503, 200]);
    expect(second.headers['apns-id']).toBe(first.headers['apns-id']);
    expect(await responseCodes(deps.metrics)).toEqual({ '503': 1, '200': 1 });
  });

  it.each([
    ['busy', 429],
    ['fail', 500],
  ])('%s… is retried until the deadline, then answered temporary in bounded time', async (word, status) => {
    const p = track(openPushkin(lab.tokenApp()));
    const device = deviceFor(pushkeyFor(word));
    const started = Date.now();

    const outcome = await p.send(message(device), device, context(300));

    const elapsed = Date.now() - started;
    expect(outcome.kind).toBe('temporary');
    expect(lab.sim.received.length).toBeGreaterThan(1);
    expect(lab.sim.received.every((r) => r.status === status)).toBe(true);
    expect(new Set(lab.sim.received.map((r) => r.headers['apns-id'])).size).toBe(1);
    expect(elapsed).toBeLessThan(300 + 400);
  });

  it('an answer slower than the deadline is abandoned at the deadline', async () => {
    const deps = testDeps();
    const p = track(openPushkin(lab.tokenApp(), deps));
    const device = deviceFor(pushkeyFor('slow'));
    const started = Date.now();

    await expect(p.send(message(device), device, context(150))).resolves.toEqual({ kind: 'temporary', reason: 'timeout' });
    expect(Date.now() - started).toBeLessThan(150 + 300);
    expect(await responseCodes(deps.metrics)).toEqual({ timeout: 1 });
  });

  it('a refused connection is a temporary connection_error', async () => {
    const deps = testDeps();
    const p = track(openPushkin(lab.tokenApp({ endpoint: 'https://127.0.0.1:1' }), deps));
    const device = deviceFor(pushkeyFor('okay'));
    const outcome = await p.send(message(device), device, context(200));
    expect(outcome).toEqual({ kind: 'temporary', reason: 'connection_error' });
    expect((await responseCodes(deps.metrics)).connection_error).toBeGreaterThanOrEqual(1);
  });
});

describe('permanent refusals that are not about the token', () => {
  it('413 PayloadTooLarge is dropped without retrying', async () => {
    const small = await startLab({ maxPayloadBytes: 64 });
    try {
      const p = track(openPushkin(small.tokenApp()));
      const device = deviceFor(pushkeyFor('okay'));
      await expect(p.send(message(device), device, context(2000))).resolves.toEqual({
        kind: 'dropped',
        reason: '413 PayloadTooLarge',
      });
      expect(small.sim.received).toHaveLength(1);
    } finally {
      await Promise.all(open.splice(0).map((q) => q.close()));
      await small.close();
    }
  });

  it('403 ExpiredProviderToken gets exactly one retry (node-apn renews the token), then is dropped', async () => {
    const expiring = await startLab({ providerTokenMaxAgeSeconds: -1 });
    try {
      const p = track(openPushkin(expiring.tokenApp()));
      const device = deviceFor(pushkeyFor('okay'));
      await expect(p.send(message(device), device, context(2000))).resolves.toEqual({
        kind: 'dropped',
        reason: '403 ExpiredProviderToken',
      });
      expect(expiring.sim.received.map((r) => r.reason)).toEqual(['ExpiredProviderToken', 'ExpiredProviderToken']);
    } finally {
      await Promise.all(open.splice(0).map((q) => q.close()));
      await expiring.close();
    }
  });
});
