/**
 * Outbound traffic through an HTTP CONNECT proxy, end to end: APNs (token and certificate auth),
 * FCM messages and the OAuth token request all open their tunnels through it, from the `proxy`
 * config key with basic auth, or from $HTTPS_PROXY; a proxy refusing the credentials makes the
 * pushes temporary failures (502), never a silent 200.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startConnectProxy, type ConnectProxy } from '../support/connect-proxy';
import { makeMaterial } from '../simulators/fixtures';
import { ANDROID, IOS, IOS_CERT, apnsPushkey, defaultApps, notification, startE2E, type E2E, type E2EOptions, type HarnessFiles } from './harness';

const CREDENTIALS = { user: 'herald', password: 'p@ss:word' };

/**
 * The harness's apps, but the service account's token_uri names the FCM simulator as
 * `localhost` while messages go to `127.0.0.1`: the two CONNECT authorities tell the OAuth
 * tunnel from the messages tunnel.
 */
function appsWithDistinctTokenHost(f: HarnessFiles): Record<string, unknown> {
  const account = makeMaterial().serviceAccount;
  const tokenUri = new URL('/token', f.fcmUrl.replace('127.0.0.1', 'localhost')).toString();
  writeFileSync(join(f.dir, 'sa-localhost.json'), JSON.stringify({ ...account, token_uri: tokenUri }));
  return { ...defaultApps(f), [ANDROID]: { ...(defaultApps(f)[ANDROID] as object), service_account_file: 'sa-localhost.json' } };
}

const authorityOf = (url: string, host = '127.0.0.1') => `${host}:${new URL(url).port}`;

async function sendToAll(e2e: E2E, unique: number) {
  return e2e.notify(notification([
    { app_id: IOS, pushkey: apnsPushkey('ok', unique) },
    { app_id: IOS_CERT, pushkey: apnsPushkey('ok', unique + 1) },
    { app_id: ANDROID, pushkey: `proxy-ok-${unique}` },
  ]));
}

describe('outbound HTTP CONNECT proxy', () => {
  let proxy: ConnectProxy;
  let e2e: E2E | undefined;
  beforeEach(async () => {
    proxy = await startConnectProxy(CREDENTIALS);
  });
  afterEach(async () => {
    await e2e?.close();
    e2e = undefined;
    await proxy.close();
  });

  async function start(options: (proxyUrl: string) => E2EOptions): Promise<E2E> {
    e2e = await startE2E({ apps: appsWithDistinctTokenHost, ...options(proxy.url) });
    return e2e;
  }

  test('`proxy` with basic auth carries APNs, FCM messages and the OAuth token request', async () => {
    const gateway = await start((url) => ({ top: { proxy: url } }));
    expect(await sendToAll(gateway, 0x9100)).toMatchObject({ status: 200, body: { rejected: [] } });
    expect(gateway.apns.received.filter((r) => r.status === 200)).toHaveLength(2);
    expect(gateway.fcm.received.map((r) => r.status)).toEqual([200]);
    expect(Object.fromEntries(proxy.tunnels)).toEqual({
      // One HTTP/2 session per APNs app (token and certificate auth).
      [authorityOf(gateway.files.apnsUrl)]: 2,
      [authorityOf(gateway.files.fcmUrl)]: 1,
      [authorityOf(gateway.files.fcmUrl, 'localhost')]: 1,
    });
    expect(proxy.refused).toBe(0);
  }, 30_000);

  test('$HTTPS_PROXY is used when the config names no proxy', async () => {
    const gateway = await start((url) => ({ env: { HTTPS_PROXY: url } }));
    expect(await sendToAll(gateway, 0x9200)).toMatchObject({ status: 200, body: { rejected: [] } });
    expect(proxy.tunnels.get(authorityOf(gateway.files.apnsUrl))).toBe(2);
    expect(proxy.tunnels.get(authorityOf(gateway.files.fcmUrl, 'localhost'))).toBe(1);
    expect(proxy.tunnels.get(authorityOf(gateway.files.fcmUrl))).toBe(1);
  }, 30_000);

  test('a proxy that refuses the credentials: every push is a temporary failure and the request answers 502', async () => {
    const gateway = await start((url) => ({
      http: { request_timeout_ms: 1500 },
      top: { proxy: url.replace(encodeURIComponent(CREDENTIALS.password), 'wrong') },
    }));
    const res = await sendToAll(gateway, 0x9300);
    expect(res).toMatchObject({ status: 502, body: { errcode: 'M_UNKNOWN' } });
    expect(proxy.tunnels.size).toBe(0);
    expect(proxy.refused).toBeGreaterThanOrEqual(3);
    expect(gateway.apns.received).toHaveLength(0);
    expect(gateway.fcm.received).toHaveLength(0);
  }, 30_000);
});
