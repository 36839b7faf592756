/** A local APNs simulator with its CA and credentials on disk, and pushkins pointed at it. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import winston from 'winston';
import { type ApnsAppConfig, apnsAppSchema } from '../../../src/config/schema';
import type { Device } from '../../../src/notification';
import { createMetrics, type Metrics } from '../../../src/observability/metrics';
import { type ApnsPushkinOptions, createApnsPushkin } from '../../../src/pushkins/apns';
import type { Pushkin, SendContext } from '../../../src/pushkins/pushkin';
import { type ApnsSimulator, type ApnsSimulatorOptions, startApnsSimulator } from '../../../src/simulators/apns';
import { createCa, createEs256Key, issueApnsClientCert, issueServerCert } from '../../../src/simulators/ca';
import { hexTokenFor } from '../../../src/simulators/scenarios';
import { contextFor, message, responseCodes } from '../../support/pushkin-fixture';

export const TOPIC = 'org.herald.test';
export const TEAM_ID = 'TEAMTEST12';
export const FAST_RETRIES = { baseDelayMs: 5, maxDelayMs: 20, maxAttempts: 6 };

export interface Lab {
  sim: ApnsSimulator;
  dir: string;
  files: { ca: string; authKey: string; clientPem: string };
  keyId: string;
  /** Sandbox app with token auth against the simulator; `overrides` win. */
  tokenApp(overrides?: Record<string, unknown>): ApnsAppConfig;
  /** Sandbox app with certificate auth against the simulator. */
  certApp(overrides?: Record<string, unknown>): ApnsAppConfig;
  close(): Promise<void>;
}

export async function startLab(simOptions: Partial<ApnsSimulatorOptions> = {}): Promise<Lab> {
  const ca = createCa();
  const server = issueServerCert(ca);
  const key = createEs256Key();
  const client = issueApnsClientCert(ca, { environment: 'sandbox', topic: TOPIC, teamId: TEAM_ID });
  const dir = mkdtempSync(join(tmpdir(), 'herald-apns-'));
  const files = { ca: join(dir, 'ca.pem'), authKey: join(dir, 'AuthKey.p8'), clientPem: join(dir, 'client.pem') };
  writeFileSync(files.ca, ca.certPem);
  writeFileSync(files.authKey, key.privateKeyPem);
  writeFileSync(files.clientPem, client.certPem + client.keyPem);

  const sim = await startApnsSimulator({
    tls: server,
    clientCa: ca.certPem,
    providerKeys: [{ keyId: key.keyId, teamId: TEAM_ID, keyPem: key.privateKeyPem }],
    ...simOptions,
  });
  const common = { type: 'apns', platform: 'sandbox', topic: TOPIC, endpoint: sim.url, ca_file: files.ca };
  return {
    sim,
    dir,
    files,
    keyId: key.keyId,
    tokenApp: (overrides = {}) =>
      apnsAppSchema.parse({ ...common, keyfile: files.authKey, key_id: key.keyId, team_id: TEAM_ID, ...overrides }),
    certApp: (overrides = {}) => apnsAppSchema.parse({ ...common, certfile: files.clientPem, ...overrides }),
    async close() {
      await sim.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function testDeps(proxy?: string): { log: winston.Logger; metrics: Metrics; proxy?: string } {
  const log = winston.createLogger({ silent: true });
  return { log, metrics: createMetrics(new Registry(), { defaultMetrics: false }), ...(proxy ? { proxy } : {}) };
}

export function openPushkin(app: ApnsAppConfig, deps = testDeps(), options: ApnsPushkinOptions = {}): Pushkin {
  return createApnsPushkin('org.herald.test.ios', app, deps, { retryPolicy: FAST_RETRIES, closeGraceMs: 200, ...options });
}

/** The base64 pushkey whose token bytes start with a simulator scenario word (`gone`, `busy`, …). */
export function pushkeyFor(word: string): string {
  return Buffer.from(hexTokenFor(word), 'hex').toString('base64');
}

export function deviceFor(pushkey: string): Device {
  return { app_id: 'org.herald.test.ios', pushkey };
}

export function context(deadlineInMs: number, deps = testDeps()): SendContext {
  return contextFor(deadlineInMs, deps);
}

export { message, responseCodes };
