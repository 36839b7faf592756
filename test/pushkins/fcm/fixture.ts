/** A local FCM simulator with its CA and service account on disk, and pushkins pointed at it. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Registry } from 'prom-client';
import winston from 'winston';
import { type FcmAppConfig, fcmAppSchema } from '../../../src/config/schema';
import type { Device } from '../../../src/notification';
import { createMetrics } from '../../../src/observability/metrics';
import { type FcmPushkinOptions, createFcmPushkin } from '../../../src/pushkins/fcm';
import type { Pushkin, PushkinDeps, SendContext } from '../../../src/pushkins/pushkin';
import { createCa, createServiceAccount, issueServerCert, type ServiceAccount } from '../../../src/simulators/ca';
import { type FcmSimulator, type FcmSimulatorOptions, startFcmSimulator } from '../../../src/simulators/fcm';
import { contextFor, message, responseCodes } from '../../support/pushkin-fixture';

export const PROJECT = 'herald-fcm-test';
export const APP_ID = 'org.herald.test.android';
export const FAST_RETRIES = { baseDelayMs: 5, maxDelayMs: 20, maxAttempts: 6 };

export interface Lab {
  sim: FcmSimulator;
  dir: string;
  account: ServiceAccount;
  /** An app pointed at the simulator; `overrides` win. */
  app(overrides?: Record<string, unknown>): FcmAppConfig;
  /** Writes a service account file (e.g. one the simulator does not know) and returns its path. */
  writeAccount(name: string, account: ServiceAccount): string;
  close(): Promise<void>;
}

export async function startLab(simOptions: Partial<FcmSimulatorOptions> = {}): Promise<Lab> {
  const ca = createCa();
  const server = issueServerCert(ca);
  const dir = mkdtempSync(join(tmpdir(), 'herald-fcm-'));
  const caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, ca.certPem);
  // The token URI is only known once the simulator listens; its accounts are checked by email and key.
  const draft = createServiceAccount({ tokenUri: 'https://127.0.0.1:1/token', projectId: PROJECT });
  const sim = await startFcmSimulator({ tls: server, serviceAccounts: [draft], ...simOptions });
  const account = { ...draft, token_uri: sim.tokenUri };
  const writeAccount = (name: string, value: ServiceAccount): string => {
    const path = join(dir, name);
    writeFileSync(path, JSON.stringify(value));
    return path;
  };
  const accountFile = writeAccount('sa.json', account);
  return {
    sim,
    dir,
    account,
    app: (overrides = {}) =>
      fcmAppSchema.parse({ type: 'fcm', service_account_file: accountFile, endpoint: sim.url, ca_file: caFile, ...overrides }),
    writeAccount,
    async close() {
      await sim.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface TestDeps extends PushkinDeps {
  lines: Array<Record<string, unknown>>;
}

export function testDeps(proxy?: string): TestDeps {
  // Log lines captured in memory, so tests can check what is (and is not) logged.
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      done();
    },
  });
  const log = winston.createLogger({ level: 'debug', format: winston.format.json(), transports: [new winston.transports.Stream({ stream })] });
  return { log, lines, metrics: createMetrics(new Registry(), { defaultMetrics: false }), ...(proxy ? { proxy } : {}) };
}

export function openPushkin(app: FcmAppConfig, deps: PushkinDeps = testDeps(), options: FcmPushkinOptions = {}): Pushkin {
  return createFcmPushkin(APP_ID, app, deps, { retryPolicy: FAST_RETRIES, ...options });
}

export function deviceFor(pushkey: string): Device {
  return { app_id: APP_ID, pushkey };
}

export function context(deadlineInMs: number, deps: PushkinDeps = testDeps()): SendContext {
  return contextFor(deadlineInMs, deps);
}

export { message, responseCodes };
