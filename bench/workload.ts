/**
 * What the benchmark posts: notify bodies of a few realistic kinds, mixed by weight in a fixed
 * cyclic schedule. Bodies are built once; per request only a counter is spliced into the
 * event_id (plain notifications must not be suppressed as duplicates), so the load generator
 * stays cheap. Encrypted bodies carry real MSC3013 ciphertexts for the demo device key.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { encryptNotifyBody } from '../src/msc3013';
import { APNS_APP, FCM_APP, ROOT } from './processes';

export type KindName =
  | 'apns-plain' | 'fcm-plain' | 'apns-encrypted' | 'fcm-encrypted'
  | 'multi-device' | 'oversized-encrypted' | 'long-plain' | 'dead-token';

/** The notify body, split where the per-request event counter goes (plain kinds only). */
interface Template {
  kind: KindName;
  before: string;
  after?: string;
  devices: number;
}

export type MixName = 'apns' | 'fcm' | 'mix' | 'soak';

/** Weights per kind, in notifications. The mix is what a busy homeserver might send. */
export const MIXES: Record<MixName, Partial<Record<KindName, number>>> = {
  apns: { 'apns-plain': 1 },
  fcm: { 'fcm-plain': 1 },
  mix: {
    'apns-plain': 35, 'fcm-plain': 25, 'apns-encrypted': 10, 'fcm-encrypted': 10,
    'multi-device': 10, 'oversized-encrypted': 5, 'long-plain': 5,
  },
  // The mix plus tokens the provider calls dead (rejected, then remembered as dead).
  soak: {
    'apns-plain': 34, 'fcm-plain': 24, 'apns-encrypted': 10, 'fcm-encrypted': 10,
    'multi-device': 10, 'oversized-encrypted': 5, 'long-plain': 5, 'dead-token': 2,
  },
};

const POOL = 64;
const EVENT_MARK = '\u0001EVENT\u0001';

const apnsPushkey = () => Buffer.concat([Buffer.from('dev'), randomBytes(29)]).toString('base64');
const fcmToken = () => `dev${randomBytes(60).toString('base64url').replace(/[-_]/g, 'x')}`;

function plainNotification(devices: object[], body: string): Record<string, unknown> {
  return {
    event_id: EVENT_MARK, room_id: '!bench-room:example.org', type: 'm.room.message', sender: '@alice:example.org',
    sender_display_name: 'Alice', room_name: 'Benchmark room', prio: 'high', counts: { unread: 3, missed_calls: 0 },
    content: { msgtype: 'm.text', body }, devices,
  };
}

function plain(kind: KindName, devices: object[], body = 'Are we still on for lunch at noon?'): Template {
  const [before, after] = JSON.stringify({ notification: plainNotification(devices, body) }).split(JSON.stringify(EVENT_MARK).slice(1, -1));
  return { kind, before, after, devices: devices.length };
}

function encrypted(kind: KindName, device: object, publicKey: string, body: string): Template {
  const secret = plainNotification([device], body);
  secret.event_id = `$bench-${randomBytes(8).toString('hex')}`;
  return { kind, before: JSON.stringify(encryptNotifyBody({ notification: secret }, publicKey)), devices: 1 };
}

/** POOL bodies of each kind, each with its own device(s). */
function buildTemplates(kind: KindName, publicKey: string): Template[] {
  const apns = () => ({ app_id: APNS_APP, pushkey: apnsPushkey() });
  const fcm = () => ({ app_id: FCM_APP, pushkey: fcmToken() });
  const long = 'A long message that a phone cannot show whole. '.repeat(120);
  const make: Record<KindName, (i: number) => Template> = {
    'apns-plain': () => plain(kind, [apns()]),
    'fcm-plain': () => plain(kind, [fcm()]),
    'apns-encrypted': () => encrypted(kind, apns(), publicKey, 'Only the phone can read this'),
    'fcm-encrypted': () => encrypted(kind, fcm(), publicKey, 'Only the phone can read this'),
    'multi-device': () => plain(kind, [apns(), apns(), fcm()]),
    // A ciphertext over 4 KB cannot be cut: the push degrades to the content-free fallback.
    'oversized-encrypted': (i) => encrypted(kind, i % 2 === 0 ? apns() : fcm(), publicKey, long),
    // Plain text over the limit is shortened to fit.
    'long-plain': (i) => plain(kind, [i % 2 === 0 ? apns() : fcm()], long),
    // The simulators answer tokens starting "gone" with APNs 410 / FCM 404 UNREGISTERED.
    'dead-token': (i) => plain(kind, [i % 2 === 0
      ? { app_id: APNS_APP, pushkey: Buffer.concat([Buffer.from('gone'), randomBytes(28)]).toString('base64') }
      : { app_id: FCM_APP, pushkey: `gone${randomBytes(30).toString('hex')}` }]),
  };
  return Array.from({ length: POOL }, (_, i) => make[kind](i));
}

export interface Workload {
  name: MixName;
  /** The next body to post. */
  next(): string;
  /** Average devices per notification. */
  devicesPerNotification: number;
}

/** A weighted, interleaved schedule of templates; deterministic apart from the random tokens. */
export function createWorkload(name: MixName): Workload {
  const key = JSON.parse(readFileSync(join(ROOT, 'simulator', 'msc3013-demo-key.json'), 'utf8')) as { publicKey: string };
  const weights = Object.entries(MIXES[name]) as Array<[KindName, number]>;
  const pools = new Map(weights.map(([kind]) => [kind, buildTemplates(kind, key.publicKey)]));
  const total = weights.reduce((sum, [, w]) => sum + w, 0);
  // Smooth weighted round-robin: every kind spread evenly through the cycle.
  const schedule: KindName[] = [];
  const credit = new Map(weights.map(([kind]) => [kind, 0]));
  for (let i = 0; i < total; i++) {
    let best: KindName = weights[0][0];
    for (const [kind, w] of weights) {
      credit.set(kind, credit.get(kind)! + w);
      if (credit.get(kind)! > credit.get(best)!) best = kind;
    }
    credit.set(best, credit.get(best)! - total);
    schedule.push(best);
  }
  const devices = weights.reduce((sum, [kind, w]) => sum + w * pools.get(kind)![0].devices, 0) / total;
  let counter = 0;
  return {
    name,
    devicesPerNotification: devices,
    next() {
      counter++;
      const pool = pools.get(schedule[counter % schedule.length])!;
      const t = pool[counter % POOL];
      return t.after === undefined ? t.before : `${t.before}$bench-${counter}-${process.pid}${t.after}`;
    },
  };
}
