/** The FCM pushkin against the local FCM simulator, through the real firebase-admin client. */
import { createServiceAccount } from '../../../src/simulators/ca';
import { buildFcmMessage } from '../../../src/payload/fcm';
import type { Pushkin } from '../../../src/pushkins/pushkin';
import { PROJECT, type Lab, context, deviceFor, message, openPushkin, responseCodes, startLab, testDeps } from './fixture';

let lab: Lab;
const open: Pushkin[] = [];

function track(p: Pushkin): Pushkin {
  open.push(p);
  return p;
}

beforeAll(async () => {
  lab = await startLab({ slowMs: 600, retryAfterSeconds: 1 });
});
afterAll(async () => {
  await lab.close();
});
beforeEach(() => lab.sim.reset());
afterEach(async () => {
  await Promise.all(open.splice(0).map((p) => p.close()));
});

describe('delivery', () => {
  it('delivers the built message with a bearer token from the service account token_uri', async () => {
    const app = lab.app();
    const deps = testDeps();
    const p = track(openPushkin(app, deps));
    const device = deviceFor('okay-device-1');
    const n = message(device);

    await expect(p.send(n, device, context(3000, deps))).resolves.toEqual({ kind: 'delivered', fit: 'full' });

    const [received] = lab.sim.received;
    const expected = buildFcmMessage(n, device, app)!;
    expect(received.status).toBe(200);
    expect(received.path).toBe(`/v1/projects/${PROJECT}/messages:send`);
    expect(received.token).toBe('okay-device-1');
    expect((received.body as { message: unknown }).message).toEqual(expected.message);
    expect(received.headers['authorization']).toMatch(/^Bearer sim\./);
    expect(await responseCodes(deps.metrics)).toEqual({ '200': 1 });
  });

  it('fetches the OAuth token once and reuses it across sends, even concurrent ones', async () => {
    const before = lab.sim.tokensIssued;
    const p = track(openPushkin(lab.app()));
    const devices = ['okay-a', 'okay-b', 'okay-c'].map(deviceFor);
    const outcomes = await Promise.all(devices.map((d) => p.send(message(d), d, context(3000))));
    await p.send(message(devices[0]), devices[0], context(3000));

    expect(outcomes.map((o) => o.kind)).toEqual(['delivered', 'delivered', 'delivered']);
    expect(lab.sim.tokensIssued - before).toBe(1);
    expect(new Set(lab.sim.received.map((r) => r.headers['authorization'])).size).toBe(1);
  });

  it('reports the fit of a push shortened to max_payload_bytes', async () => {
    const p = track(openPushkin(lab.app({ max_payload_bytes: 300 })));
    const device = deviceFor('okay-long');
    const n = message(device, { content: { msgtype: 'm.text', body: 'long words '.repeat(100) } });
    await expect(p.send(n, device, context(3000))).resolves.toEqual({ kind: 'delivered', fit: 'shortened' });
    expect(lab.sim.received[0].payloadBytes).toBeLessThanOrEqual(300);
  });

  it('sends a badge clear (unread 0)', async () => {
    const p = track(openPushkin(lab.app()));
    const device = deviceFor('okay-badge');
    const clear = { devices: [device], counts: { unread: 0 } };
    await expect(p.send(clear, device, context(3000))).resolves.toMatchObject({ kind: 'delivered' });
    expect((lab.sim.received[0].body as { message: { data: Record<string, string> } }).message.data.unread).toBe('0');
  });

  it('forwards an encrypted notification byte-exact with high priority', async () => {
    const p = track(openPushkin(lab.app()));
    const device = deviceFor('okay-encrypted');
    const envelope = { ephemeral: 'E'.repeat(42) + 'A', ciphertext: 'C'.repeat(85) + 'A', mac: 'M'.repeat(10) + 'A' };
    await expect(p.send({ encrypted: envelope, devices: [device] }, device, context(3000))).resolves.toMatchObject({ kind: 'delivered' });
    const sent = (lab.sim.received[0].body as { message: { data: Record<string, string>; android: Record<string, unknown> } }).message;
    expect(sent.data).toMatchObject(envelope);
    expect(sent.android.priority).toBe('high');
  });

  it('sends fcm_options written as REST (android.ttl "3600s") through the SDK unchanged', async () => {
    const p = track(openPushkin(lab.app({ fcm_options: { android: { ttl: '3600s', collapse_key: 'room' } } })));
    const device = deviceFor('okay-options');
    await expect(p.send(message(device), device, context(3000))).resolves.toMatchObject({ kind: 'delivered' });
    const sent = (lab.sim.received[0].body as { message: { android: Record<string, unknown> } }).message;
    expect(sent.android).toMatchObject({ ttl: '3600s', collapse_key: 'room' });
  });

  it('delivers a flaky token after the 503 is retried', async () => {
    const deps = testDeps();
    const p = track(openPushkin(lab.app(), deps));
    const device = deviceFor('flaky-1');
    await expect(p.send(message(device), device, context(3000, deps))).resolves.toMatchObject({ kind: 'delivered' });
    expect(lab.sim.received.map((r) => r.status)).toEqual([503, 200]);
    expect(await responseCodes(deps.metrics)).toEqual({ '503': 1, '200': 1 });
  });

  it('serves concurrent sends beyond max_connections by queueing them', async () => {
    const p = track(openPushkin(lab.app({ max_connections: 1 })));
    const devices = ['okay-q1', 'okay-q2', 'okay-q3', 'okay-q4'].map(deviceFor);
    const outcomes = await Promise.all(devices.map((d) => p.send(message(d), d, context(3000))));
    expect(outcomes.every((o) => o.kind === 'delivered')).toBe(true);
    expect(lab.sim.received).toHaveLength(4);
  });
});

describe('dead tokens', () => {
  it.each([
    ['gone-1', 'fcm:messaging/registration-token-not-registered'],
    ['bad-1', 'fcm:messaging/invalid-argument:token'],
  ])('rejects %s without retrying', async (pushkey, reason) => {
    const p = track(openPushkin(lab.app()));
    const device = deviceFor(pushkey);
    await expect(p.send(message(device), device, context(3000))).resolves.toEqual({ kind: 'rejected', reason });
    expect(lab.sim.received).toHaveLength(1);
  });

  it('rejects an empty pushkey without sending it', async () => {
    const p = track(openPushkin(lab.app()));
    const device = deviceFor('');
    await expect(p.send(message(device), device, context(3000))).resolves.toMatchObject({ kind: 'rejected' });
    expect(lab.sim.received).toHaveLength(0);
  });
});

describe('configuration problems are dropped, loudly, never rejected', () => {
  it('drops SENDER_ID_MISMATCH with an error log naming the app, not the token', async () => {
    const deps = testDeps();
    const p = track(openPushkin(lab.app(), deps));
    const device = deviceFor('mismatch-secret-token');
    await expect(p.send(message(device), device, context(3000, deps))).resolves.toEqual({
      kind: 'dropped', reason: 'fcm:messaging/mismatched-credential',
    });
    expect(lab.sim.received).toHaveLength(1);
    const errors = deps.lines.filter((line) => line.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ app: 'org.herald.test.android', code: 'messaging/mismatched-credential' });
    expect(JSON.stringify(deps.lines)).not.toContain('mismatch-secret-token');
  });

  it('drops sends to a project the service account does not belong to', async () => {
    const p = track(openPushkin(lab.app({ project_id: 'someone-elses-project' })));
    const device = deviceFor('okay-1');
    await expect(p.send(message(device), device, context(3000))).resolves.toMatchObject({ kind: 'dropped' });
  });

  it('drops when the token endpoint refuses the service account (unknown key)', async () => {
    const stranger = createServiceAccount({ tokenUri: lab.sim.tokenUri, projectId: PROJECT });
    const deps = testDeps();
    const p = track(openPushkin(lab.app({ service_account_file: lab.writeAccount('stranger.json', stranger) }), deps));
    const device = deviceFor('okay-1');
    await expect(p.send(message(device), device, context(3000, deps))).resolves.toEqual({ kind: 'dropped', reason: 'oauth_refused_400' });
    expect(lab.sim.received).toHaveLength(0);
    expect(deps.lines.some((line) => line.level === 'error')).toBe(true);
    expect(await responseCodes(deps.metrics)).toEqual({ oauth_error: 1 });
  });

  it('recovers from a revoked access token by fetching a new one', async () => {
    const p = track(openPushkin(lab.app()));
    const device = deviceFor('okay-1');
    await p.send(message(device), device, context(3000));
    const issued = lab.sim.tokensIssued;
    lab.sim.revokeAccessTokens();

    await expect(p.send(message(device), device, context(3000))).resolves.toMatchObject({ kind: 'delivered' });
    expect(lab.sim.received.map((r) => r.status)).toEqual([200, 401, 200]);
    expect(lab.sim.tokensIssued).toBe(issued + 1);
  });
});

describe('temporary failures end within the deadline, never as a silent delivery', () => {
  it('retries fail… (500) with backoff and returns temporary when attempts run out', async () => {
    const deps = testDeps();
    const p = track(openPushkin(lab.app(), deps));
    const device = deviceFor('fail-1');
    await expect(p.send(message(device), device, context(3000, deps))).resolves.toMatchObject({
      kind: 'temporary', reason: 'fcm:messaging/internal-error',
    });
    expect(lab.sim.received).toHaveLength(6);
    expect(await responseCodes(deps.metrics)).toEqual({ '500': 6 });
  });

  it('honours Retry-After on busy… (429) and stops when the next wait would pass the deadline', async () => {
    const p = track(openPushkin(lab.app()));
    const device = deviceFor('busy-1');
    const started = Date.now();
    const outcome = await p.send(message(device), device, context(1500));
    expect(outcome).toEqual({ kind: 'temporary', reason: 'fcm:messaging/message-rate-exceeded', retryAfterMs: 1000 });
    expect(lab.sim.received).toHaveLength(2);
    const [first, second] = lab.sim.received;
    expect(second.receivedAt - first.receivedAt).toBeGreaterThanOrEqual(950);
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('cuts a slow answer at the deadline', async () => {
    const deps = testDeps();
    const p = track(openPushkin(lab.app(), deps));
    const device = deviceFor('slow-1');
    const started = Date.now();
    await expect(p.send(message(device), device, context(250, deps))).resolves.toMatchObject({ kind: 'temporary' });
    expect(Date.now() - started).toBeLessThan(450);
    expect(await responseCodes(deps.metrics)).toEqual({ timeout: 1 });
  });

  it('treats a token endpoint outage as temporary', async () => {
    lab.sim.setFaults({ tokenEndpointFail: true });
    const p = track(openPushkin(lab.app()));
    const device = deviceFor('okay-1');
    await expect(p.send(message(device), device, context(1500))).resolves.toMatchObject({ kind: 'temporary', reason: 'oauth_unavailable' });
    expect(lab.sim.received.filter((r) => r.token === 'okay-1')).toHaveLength(0);
  });

  it('treats refused TLS handshakes as temporary', async () => {
    lab.sim.setFaults({ tlsFail: true });
    const p = track(openPushkin(lab.app()));
    const device = deviceFor('okay-1');
    await expect(p.send(message(device), device, context(800))).resolves.toMatchObject({ kind: 'temporary' });
  });

  it('treats connections reset mid-request as temporary', async () => {
    const deps = testDeps();
    const p = track(openPushkin(lab.app(), deps));
    const device = deviceFor('okay-1');
    await p.send(message(device), device, context(3000)); // token first, so the fault hits the send
    lab.sim.setFaults({ resetAfterMs: 5 });
    const started = Date.now();
    // firebase-admin retries resets itself after 0 s, 1 s, 2 s…: the deadline cuts that short.
    await expect(p.send(message(device), device, context(800))).resolves.toMatchObject({ kind: 'temporary' });
    expect(Date.now() - started).toBeLessThan(1000);
    expect((await responseCodes(deps.metrics)).connection_error).toBeGreaterThanOrEqual(2);
    // The SDK's next retry (1 s after the last) is refused: it would deliver a push reported as failed.
    const arrivals = lab.sim.received.length;
    await new Promise((resolve) => setTimeout(resolve, 1300));
    expect(lab.sim.received.length).toBe(arrivals);
  });

  it('gives up waiting for a send slot at the deadline', async () => {
    const p = track(openPushkin(lab.app({ max_connections: 1 })));
    const slow = deviceFor('slow-1');
    const quick = deviceFor('okay-1');
    const first = p.send(message(slow), slow, context(2000));
    await new Promise((resolve) => setTimeout(resolve, 50));
    await expect(p.send(message(quick), quick, context(100))).resolves.toEqual({ kind: 'temporary', reason: 'fcm_queue_deadline' });
    await expect(first).resolves.toMatchObject({ kind: 'delivered' });
    expect(lab.sim.received.filter((r) => r.token === 'okay-1')).toHaveLength(0);
  });
});
