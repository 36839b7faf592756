/**
 * `herald serve` as an operator runs it (the built CLI in a child process) against both
 * simulators: SIGTERM/SIGINT drain and exit 0, /health answers 503 while draining, SIGHUP
 * reloads the config without dropping requests in flight and refuses a bad one, and a client
 * certificate close to expiry is reported by a warning and the expiry gauge.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { issueApnsClientCert } from '../../src/simulators/ca';
import { BUILD_TIMEOUT_MS, ensureBuilt, spawnHerald, type HeraldProcess } from '../support/built-cli';
import { rawConnection } from '../support/raw-http';
import { startProviders, type Providers } from './cli-support';
import { IOS, TOPIC, apnsPushkey, notification } from './harness';
import { sampleValue } from './metrics-text';

const NOTIFY = '/_matrix/push/v1/notify';
const SLOW_MS = 1500;
const ADDED = 'org.herald.test.ios.added';
const SHORT_LIVED = 'org.herald.test.ios.short';

jest.setTimeout(60_000);

async function post(url: string, body: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${url}${NOTIFY}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}

async function untilReceived(p: Providers, token: string): Promise<void> {
  for (let i = 0; i < 200 && !p.apns.received.some((r) => r.token === token); i++) await new Promise((r) => setTimeout(r, 25));
}

const tokenOf = (pushkey: string) => Buffer.from(pushkey, 'base64').toString('hex');

describe('herald serve: signals and reload', () => {
  let providers: Providers;
  let running: HeraldProcess | undefined;

  beforeAll(async () => {
    ensureBuilt();
    providers = await startProviders({ slowMs: SLOW_MS });
  }, BUILD_TIMEOUT_MS);
  afterEach(async () => {
    if (running && running.child.exitCode === null && running.child.signalCode === null) {
      running.child.kill('SIGKILL');
      await running.exited;
    }
    running = undefined;
  });
  afterAll(() => providers.close());

  async function serve(config: Record<string, unknown>): Promise<{ herald: HeraldProcess; url: string; metricsUrl: string; file: string }> {
    const file = providers.writeConfig(config);
    const herald = spawnHerald(['serve', '--config', file]);
    running = herald;
    const listening = await herald.waitForLine((l) => l.message === 'herald listening');
    return { herald, url: listening.urls[0], metricsUrl: listening.metrics, file };
  }

  test('SIGTERM: /health turns 503, the push in flight still gets its 200, no new connections, exit 0', async () => {
    const { herald, url } = await serve(providers.baseConfig());
    const connection = await rawConnection(url);
    connection.get('/health');
    expect(await connection.next()).toMatchObject({ status: 200, body: '{"status":"ok"}' });

    const slow = apnsPushkey('slow', 0x7e01);
    connection.post(NOTIFY, notification([{ app_id: IOS, pushkey: slow }]), { 'X-Request-Id': 'drain-1' });
    await untilReceived(providers, tokenOf(slow));
    const signalled = Date.now();
    herald.child.kill('SIGTERM');
    await herald.waitForLine((l) => l.message === 'draining');
    connection.get('/health'); // pipelined behind the slow push, asked while draining

    await expect(fetch(`${url}/health`)).rejects.toThrow(); // the listener no longer accepts
    const pushed = await connection.next();
    expect(pushed).toMatchObject({ status: 200, body: '{"rejected":[]}', headers: { 'x-request-id': 'drain-1' } });
    expect(await connection.next()).toMatchObject({ status: 503, body: '{"status":"draining"}' });
    connection.close();

    expect(await herald.exited).toBe(0);
    expect(Date.now() - signalled).toBeLessThan(SLOW_MS + 8000);
    expect(herald.lines.map((l) => l.message)).toEqual(expect.arrayContaining(['shutting down', 'draining', 'stopped']));
    expect(herald.lines.find((l) => l.message === 'notify handled')).toMatchObject({ request_id: 'drain-1', status: 200 });
  });

  test('SIGHUP reloads: a request in flight completes, an added app works, a bad config is refused and the old one serves', async () => {
    const config = providers.baseConfig();
    const { herald, url, file } = await serve(config);
    const added = apnsPushkey('ok', 0x7e02);
    expect(await post(url, notification([{ app_id: ADDED, pushkey: added }]))).toEqual({ status: 200, body: { rejected: [added] } });

    const slow = apnsPushkey('slow', 0x7e03);
    const inFlight = post(url, notification([{ app_id: IOS, pushkey: slow }]));
    await untilReceived(providers, tokenOf(slow));
    const apps = config.apps as Record<string, unknown>;
    writeFileSync(file, JSON.stringify({ ...config, log: { level: 'info', format: 'pretty' }, apps: { ...apps, [ADDED]: apps[IOS] } }));
    herald.child.kill('SIGHUP');
    await herald.waitForLine((l) => l.message === 'configuration reloaded');
    // Logging was set up at start: the change is named, not silently half-applied.
    expect(await herald.waitForLine((l) => l.message?.includes('change only on restart'))).toMatchObject({ level: 'warn', settings: ['log'] });

    expect(await inFlight).toEqual({ status: 200, body: { rejected: [] } });
    expect(await post(url, notification([{ app_id: ADDED, pushkey: added }]))).toEqual({ status: 200, body: { rejected: [] } });
    expect(providers.apns.received.filter((r) => r.token === tokenOf(added)).map((r) => r.status)).toEqual([200]);

    // A typo and an unreadable file: refused, named, and the running config keeps serving.
    writeFileSync(file, JSON.stringify({ ...config, apps: { ...apps, [ADDED]: { ...(apps[IOS] as object), colour: 'red', keyfile: 'missing.p8' } } }));
    herald.child.kill('SIGHUP');
    const refused = await herald.waitForLine((l) => l.message?.startsWith('reload refused'));
    expect(refused.level).toBe('error');
    expect(refused.problems).toMatch(/apps\["org\.herald\.test\.ios\.added"\]\.colour: unknown key/);
    const again = apnsPushkey('ok', 0x7e04);
    expect(await post(url, notification([{ app_id: ADDED, pushkey: again }]))).toEqual({ status: 200, body: { rejected: [] } });

    const stopping = Date.now();
    herald.child.kill('SIGTERM');
    expect(await herald.exited).toBe(0);
    // Provider sessions retired by the reload are closed at shutdown too, not left to time out.
    expect(Date.now() - stopping).toBeLessThan(2500);
  });

  test('a client certificate expiring within 30 days: a warning and the expiry gauge; SIGINT exits 0', async () => {
    const short = issueApnsClientCert(providers.material.ca, { environment: 'sandbox', topic: TOPIC, validDays: 10 });
    writeFileSync(join(providers.files.dir, 'apns-short.pem'), short.certPem + short.keyPem);
    const notAfter = Math.floor(new Date(new X509Certificate(short.certPem).validTo).getTime() / 1000);
    const { herald, url, metricsUrl } = await serve(providers.baseConfig({
      [SHORT_LIVED]: { type: 'apns', platform: 'sandbox', certfile: 'apns-short.pem', topic: TOPIC, endpoint: providers.files.apnsUrl, ca_file: 'ca.pem' },
    }));
    const warning = herald.lines.find((l) => l.message === 'apns client certificate expires soon');
    expect(warning).toMatchObject({ level: 'warn', app: SHORT_LIVED, days_left: expect.any(Number) });
    expect(warning!.days_left).toBeGreaterThanOrEqual(8);
    expect(warning!.days_left).toBeLessThanOrEqual(10);
    // The harness's long-lived certificate app gets its gauge but no warning.
    expect(herald.lines.filter((l) => l.message === 'apns client certificate expires soon')).toHaveLength(1);

    const pushkey = apnsPushkey('ok', 0x7e05);
    expect(await post(url, notification([{ app_id: SHORT_LIVED, pushkey }]))).toEqual({ status: 200, body: { rejected: [] } });
    const text = await (await fetch(metricsUrl)).text();
    expect(sampleValue(text, 'herald_apns_certificate_expiry_timestamp_seconds', { app: SHORT_LIVED })).toBe(notAfter);
    expect(sampleValue(text, 'herald_apns_certificate_expiry_timestamp_seconds', { app: 'org.herald.test.ios.cert' })).toBeGreaterThan(notAfter);

    herald.child.kill('SIGINT');
    expect(await herald.exited).toBe(0);
    expect(herald.lines.at(-1)?.message).toBe('stopped');
  });
});
