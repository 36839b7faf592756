/**
 * Raw upstream speed: the same single-device pushes the gateway would send, posted straight to
 * a simulator by a minimal client (one HTTP/2 session for APNs; a keep-alive HTTPS agent with
 * the gateway's default 20 sockets for FCM), `concurrency` requests in flight. Dividing the
 * gateway's rate by this shows what the gateway itself costs.
 */
import { createPrivateKey, randomBytes, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http2 from 'node:http2';
import https from 'node:https';
import { join } from 'node:path';
import { apnsAppSchema, fcmAppSchema } from '../src/config/schema';
import type { PlainNotification } from '../src/notification';
import { buildApnsPush } from '../src/payload/apns';
import { buildFcmMessage } from '../src/payload/fcm';
import { ServiceAccountCredential, createTokenPost, parseServiceAccount } from '../src/pushkins/fcm/credential';
import { cpuSeconds } from './processes';
import { ROOT } from './processes';

export interface RawOptions {
  provider: 'apns' | 'fcm';
  apnsUrl: string;
  fcmUrl: string;
  concurrency: number;
  durationS: number;
  simulatorsPid: number;
}

export interface RawResult {
  provider: 'apns' | 'fcm';
  ok: number;
  failed: number;
  seconds: number;
  perSecond: number;
  /** CPU seconds of the simulators process and of this client during the run. */
  cpu: { simulators: number; client: number };
}

const DEMO = join(ROOT, 'simulator');
const FCM_SOCKETS = 20;

const notification: PlainNotification = {
  event_id: '$raw-event', room_id: '!bench-room:example.org', type: 'm.room.message', sender: '@alice:example.org',
  sender_display_name: 'Alice', room_name: 'Benchmark room', prio: 'high', counts: { unread: 3, missed_calls: 0 },
  content: { msgtype: 'm.text', body: 'Are we still on for lunch at noon?' }, devices: [],
};

type SendOne = (i: number) => Promise<boolean>;

export async function runRaw(options: RawOptions): Promise<RawResult> {
  const ca = readFileSync(join(DEMO, 'ca.pem'), 'utf8');
  const client = options.provider === 'apns' ? apnsClient(options.apnsUrl, ca) : await fcmClient(options.fcmUrl, ca);
  try {
    const cpuBefore = { simulators: cpuSeconds(options.simulatorsPid), client: process.cpuUsage() };
    const started = process.hrtime.bigint();
    const until = Date.now() + options.durationS * 1000;
    let ok = 0;
    let failed = 0;
    let next = 0;
    const loop = async () => {
      while (Date.now() < until) {
        if (await client.send(next++)) ok++;
        else failed++;
      }
    };
    await Promise.all(Array.from({ length: options.concurrency }, loop));
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const own = process.cpuUsage(cpuBefore.client);
    return {
      provider: options.provider, ok, failed, seconds, perSecond: ok / seconds,
      cpu: { simulators: cpuSeconds(options.simulatorsPid) - cpuBefore.simulators, client: (own.user + own.system) / 1e6 },
    };
  } finally {
    client.close();
  }
}

function apnsClient(url: string, ca: string): { send: SendOne; close(): void } {
  const app = apnsAppSchema.parse({ type: 'apns', certfile: 'unused.pem' });
  const tokens = Array.from({ length: 64 }, () => Buffer.concat([Buffer.from('dev'), randomBytes(29)]));
  const bodies = tokens.map((t) => buildApnsPush({ ...notification }, { app_id: 'raw', pushkey: t.toString('base64') }, app)!.json);
  const jwt = providerToken();
  const session = http2.connect(url, { ca });
  session.on('error', () => undefined);
  const send: SendOne = (i) =>
    new Promise((resolve) => {
      const k = i % tokens.length;
      const stream = session.request({
        ':method': 'POST', ':path': `/3/device/${tokens[k].toString('hex')}`, authorization: `bearer ${jwt}`,
        'apns-topic': 'org.herald.demo', 'apns-push-type': 'alert', 'apns-priority': '10',
      });
      let status = 0;
      stream.on('response', (headers) => (status = Number(headers[':status'])));
      stream.on('error', () => resolve(false));
      stream.on('close', () => resolve(status === 200));
      stream.resume();
      stream.end(bodies[k]);
    });
  return { send, close: () => session.close() };
}

/** The ES256 provider token node-apn would send (demo key DEMOKEY123 / DEMOTEAM12). */
function providerToken(): string {
  const key = createPrivateKey(readFileSync(join(DEMO, 'AuthKey_DEMOKEY123.p8'), 'utf8'));
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const input = `${part({ alg: 'ES256', kid: 'DEMOKEY123' })}.${part({ iss: 'DEMOTEAM12', iat: Math.floor(Date.now() / 1000) })}`;
  return `${input}.${sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
}

async function fcmClient(url: string, ca: string): Promise<{ send: SendOne; close(): void }> {
  const account = parseServiceAccount(readFileSync(join(DEMO, 'service-account.json'), 'utf8'));
  const agent = new https.Agent({ keepAlive: true, maxSockets: FCM_SOCKETS, ca });
  const credential = new ServiceAccountCredential({ ...account, token_uri: `${url}/token` }, createTokenPost(agent));
  const token = await credential.token();
  if (!token.ok) throw new Error(`raw FCM client: no access token (${JSON.stringify(token.failure)})`);
  const app = fcmAppSchema.parse({ type: 'fcm', service_account_file: 'unused.json' });
  const bodies = Array.from({ length: 64 }, () => {
    const pushkey = `dev${randomBytes(60).toString('base64url').replace(/[-_]/g, 'x')}`;
    return JSON.stringify({ message: buildFcmMessage({ ...notification }, { app_id: 'raw', pushkey }, app)!.message });
  });
  const target = new URL(`${url}/v1/projects/${account.project_id}/messages:send`);
  const headers = { authorization: `Bearer ${token.accessToken}`, 'content-type': 'application/json' };
  const send: SendOne = (i) =>
    new Promise((resolve) => {
      const body = bodies[i % bodies.length];
      const req = https.request(target, { method: 'POST', agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode === 200));
        res.on('error', () => resolve(false));
      });
      req.on('error', () => resolve(false));
      req.end(body);
    });
  return { send, close: () => agent.destroy() };
}
