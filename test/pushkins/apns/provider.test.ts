/** Provider setup from config: where it dials, which credentials, proxy tunnelling with ca_file. */
import http from 'node:http';
import net from 'node:net';
import { Writable } from 'node:stream';
import winston from 'winston';
import { apnsAppSchema } from '../../../src/config/schema';
import { createMetrics } from '../../../src/observability/metrics';
import { APNS_STREAM_TIMEOUT_MS, apnsProviderSetup, endpointOf, splitCertfile } from '../../../src/pushkins/apns/provider';
import type { Pushkin } from '../../../src/pushkins/pushkin';
import { realClock } from '../../../src/pushkins/retry';
import { Registry } from 'prom-client';
import { type Lab, context, deviceFor, message, openPushkin, pushkeyFor, startLab, testDeps } from './fixture';

const app = (fields: Record<string, unknown>) => apnsAppSchema.parse({ type: 'apns', keyfile: '/k.p8', key_id: 'KEY1234567', team_id: 'TEAM123456', topic: 't', ...fields });
const FAKE_P8 = '-----BEGIN PRIVATE KEY-----\nnot used\n-----END PRIVATE KEY-----\n';

describe('endpointOf', () => {
  it.each([
    [{}, { host: 'api.push.apple.com', port: 443 }],
    [{ platform: 'sandbox' }, { host: 'api.sandbox.push.apple.com', port: 443 }],
    [{ endpoint: 'https://127.0.0.1:8443' }, { host: '127.0.0.1', port: 8443 }],
    [{ endpoint: 'https://relay.example.org' }, { host: 'relay.example.org', port: 443 }],
    [{ endpoint: 'https://[::1]:9443' }, { host: '::1', port: 9443 }],
  ])('%j → %j', (fields, expected) => {
    expect(endpointOf(app(fields))).toEqual(expected);
  });
});

describe('apnsProviderSetup', () => {
  it('token auth: key contents, ids, Apple address for the platform, no retries of its own', () => {
    const { options, certificateNotAfter } = apnsProviderSetup(app({ platform: 'sandbox' }), undefined, () => FAKE_P8);
    expect(options).toMatchObject({
      token: { key: FAKE_P8, keyId: 'KEY1234567', teamId: 'TEAM123456' },
      production: false,
      address: 'api.sandbox.push.apple.com',
      connectionRetryLimit: 0,
      requestTimeout: APNS_STREAM_TIMEOUT_MS,
    });
    expect(typeof (options as { createConnection?: unknown }).createConnection).toBe('function');
    expect(certificateNotAfter).toBeUndefined();
  });

  it('refuses an app with neither credential', () => {
    const bare = apnsAppSchema.parse({ type: 'apns', topic: 't' });
    expect(() => apnsProviderSetup(bare, undefined, () => '')).toThrow(/keyfile|certfile/);
  });
});

describe('splitCertfile', () => {
  const cert = '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----';
  const chain = '-----BEGIN CERTIFICATE-----\nBBBB\n-----END CERTIFICATE-----';
  it.each(['PRIVATE KEY', 'RSA PRIVATE KEY', 'EC PRIVATE KEY'])('finds the certificates and a %s block in either order', (label) => {
    const key = `-----BEGIN ${label}-----\nKKKK\n-----END ${label}-----`;
    expect(splitCertfile(`${key}\n${cert}\n${chain}\n`)).toEqual({ certPem: `${cert}\n${chain}\n`, keyPem: `${key}\n` });
  });

  it('refuses a file without a key', () => {
    expect(() => splitCertfile(cert)).toThrow(/private key/);
  });
});

describe('through an HTTP CONNECT proxy', () => {
  let lab: Lab;
  let proxy: http.Server;
  const tunnels: string[] = [];
  const open: Pushkin[] = [];

  beforeAll(async () => {
    lab = await startLab();
    proxy = http.createServer((_req, res) => res.writeHead(405).end());
    proxy.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
      tunnels.push(String(req.url));
      const [host, port] = String(req.url).split(':');
      const upstream = net.connect(Number(port), host, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(client).pipe(upstream);
      });
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await Promise.all(open.map((p) => p.close()));
    proxy.closeAllConnections();
    await new Promise((resolve) => proxy.close(resolve));
    await lab.close();
  });

  it('delivers, trusting ca_file over the tunnel', async () => {
    const { port } = proxy.address() as net.AddressInfo;
    const p = openPushkin(lab.tokenApp(), testDeps(`http://127.0.0.1:${port}`));
    open.push(p);
    const device = deviceFor(pushkeyFor('okay'));

    await expect(p.send(message(device), device, context(2000))).resolves.toEqual({ kind: 'delivered', fit: 'full' });
    expect(tunnels).toEqual([`127.0.0.1:${lab.sim.port}`]);
  });

  it('an unreachable proxy is a temporary connection_error', async () => {
    const p = openPushkin(lab.tokenApp(), testDeps('http://127.0.0.1:1'));
    open.push(p);
    const device = deviceFor(pushkeyFor('okay'));
    await expect(p.send(message(device), device, context(200))).resolves.toEqual({ kind: 'temporary', reason: 'connection_error' });
  });

  it('warns when the client certificate expires within 30 days', () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) });
    const log = winston.createLogger({ transports: [new winston.transports.Stream({ stream: sink })] });
    const deps = { log, metrics: createMetrics(new Registry(), { defaultMetrics: false }) };
    // A clock 810 days ahead: the 825-day test certificate then has 15 days left.
    const later = { ...realClock, now: () => Date.now() + 810 * 24 * 3600 * 1000 };
    open.push(openPushkin(lab.certApp(), deps, { clock: later }));
    const entries = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(entries).toEqual([expect.objectContaining({ level: 'warn', message: 'apns client certificate expires soon' })]);
    // notAfter has whole seconds, so "15 days" may floor to 14.
    expect([14, 15]).toContain(entries[0].days_left);

    lines.length = 0;
    open.push(openPushkin(lab.certApp(), deps));
    expect(lines).toEqual([]);
  });
});
