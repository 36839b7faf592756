/**
 * The whole of Herald as a homeserver sees it: a config file on disk, the real gateway
 * (express, dispatcher, node-apn, firebase-admin) and both simulators on ephemeral ports.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { loadConfig } from '../../src/config/load';
import { startGateway, type Gateway } from '../../src/gateway';
import { createLogger } from '../../src/observability/logger';
import { startApnsSimulator, type ApnsSimulator, type ApnsSimulatorOptions } from '../../src/simulators/apns';
import { startFcmSimulator, type FcmSimulator, type FcmSimulatorOptions } from '../../src/simulators/fcm';
import { hexTokenFor } from '../../src/simulators/scenarios';
import { makeMaterial, PROJECT, TEAM_ID, TOPIC, type TestMaterial } from '../simulators/fixtures';

export const IOS = 'org.herald.test.ios';
export const IOS_CERT = 'org.herald.test.ios.cert';
export const ANDROID = 'org.herald.test.android';
export { TOPIC, PROJECT };

export interface E2EOptions {
  /** Extra or replacing apps; values may use `{{apns}}`, `{{fcm}}` and file names written by the harness. */
  apps?: (files: HarnessFiles) => Record<string, unknown>;
  http?: Record<string, unknown>;
  dedup?: Record<string, unknown>;
  top?: Record<string, unknown>;
  apnsOptions?: Partial<ApnsSimulatorOptions>;
  fcmOptions?: Partial<FcmSimulatorOptions>;
  env?: NodeJS.ProcessEnv;
}

export interface HarnessFiles {
  dir: string;
  ca: string;
  p8: string;
  clientPem: string;
  serviceAccount: string;
  apnsUrl: string;
  fcmUrl: string;
}

export interface E2E {
  url: string;
  metricsUrl?: string;
  gateway: Gateway;
  apns: ApnsSimulator;
  fcm: FcmSimulator;
  material: TestMaterial;
  files: HarnessFiles;
  configFile: string;
  logs: string[];
  notify(body: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any; headers: Headers; ms: number }>;
  close(): Promise<void>;
}

/** An APNs pushkey (base64 of the token bytes) that the simulator maps to `word`'s scenario. */
export function apnsPushkey(word: string, unique = 0): string {
  const bytes = Buffer.from(hexTokenFor(word), 'hex');
  bytes.writeUInt32BE(unique, bytes.length - 4);
  return bytes.toString('base64');
}

export function defaultApps(f: HarnessFiles): Record<string, unknown> {
  return {
    [IOS]: { type: 'apns', platform: 'sandbox', keyfile: f.p8, key_id: 'TESTKEY001', team_id: TEAM_ID, topic: TOPIC, endpoint: f.apnsUrl, ca_file: f.ca },
    [IOS_CERT]: { type: 'apns', platform: 'sandbox', certfile: f.clientPem, topic: TOPIC, endpoint: f.apnsUrl, ca_file: f.ca },
    [ANDROID]: { type: 'fcm', service_account_file: f.serviceAccount, endpoint: f.fcmUrl, ca_file: f.ca },
  };
}

export async function startE2E(options: E2EOptions = {}): Promise<E2E> {
  const material = makeMaterial();
  const dir = mkdtempSync(join(tmpdir(), 'herald-e2e-'));
  const apns = await startApnsSimulator({
    tls: material.server,
    clientCa: material.ca.certPem,
    providerKeys: [{ keyId: material.apnsKey.keyId, teamId: TEAM_ID, keyPem: material.apnsKey.publicKeyPem }],
    ...options.apnsOptions,
  });
  const fcm = await startFcmSimulator({ tls: material.server, serviceAccounts: [material.serviceAccount], ...options.fcmOptions });
  const files: HarnessFiles = {
    dir,
    ca: 'ca.pem',
    p8: 'AuthKey_TESTKEY001.p8',
    clientPem: 'apns-client.pem',
    serviceAccount: 'service-account.json',
    apnsUrl: apns.url,
    fcmUrl: fcm.url,
  };
  writeFileSync(join(dir, files.ca), material.ca.certPem);
  writeFileSync(join(dir, files.p8), material.apnsKey.privateKeyPem);
  writeFileSync(join(dir, files.clientPem), material.sandboxClient.certPem + material.sandboxClient.keyPem);
  writeFileSync(join(dir, files.serviceAccount), JSON.stringify({ ...material.serviceAccount, token_uri: fcm.tokenUri }));
  const config = {
    http: { bind_addresses: ['127.0.0.1'], port: 0, request_timeout_ms: 3000, ...options.http },
    log: { level: 'debug', format: 'json' },
    metrics: { enabled: true, bind_address: '127.0.0.1', port: 0 },
    dedup: { ...options.dedup },
    ...options.top,
    apps: options.apps ? options.apps(files) : defaultApps(files),
  };
  const configFile = join(dir, 'apps.config.json');
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  const logs: string[] = [];
  const sink = new Writable({ write(chunk, _enc, cb) { logs.push(String(chunk)); cb(); } });
  const loaded = loadConfig(configFile, options.env ?? {});
  const gateway = await startGateway(loaded, { log: createLogger(loaded.config.log, sink), env: options.env ?? {} });
  const url = gateway.urls[0];
  return {
    url,
    metricsUrl: gateway.metricsUrl,
    gateway,
    apns,
    fcm,
    material,
    files,
    configFile,
    logs,
    async notify(body, headers = {}) {
      const started = Date.now();
      const res = await fetch(`${url}/_matrix/push/v1/notify`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...headers },
        body: typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text === '' ? undefined : JSON.parse(text), headers: res.headers, ms: Date.now() - started };
    },
    async close() {
      await gateway.shutdown(500);
      await Promise.all([apns.close(), fcm.close()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A plain notification for the given devices. */
export function notification(devices: Array<Record<string, unknown>>, extra: Record<string, unknown> = {}): { notification: Record<string, unknown> } {
  return {
    notification: {
      event_id: `$ev-${Math.random().toString(36).slice(2)}`,
      room_id: '!room:example.org',
      type: 'm.room.message',
      sender: '@alice:example.org',
      sender_display_name: 'Alice',
      room_name: 'Test room',
      prio: 'high',
      counts: { unread: 2, missed_calls: 1 },
      content: { msgtype: 'm.text', body: 'hello' },
      ...extra,
      devices,
    },
  };
}
