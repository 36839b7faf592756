/**
 * Both simulators and the credential files a config points at, without a gateway: for tests
 * that run the gateway as the `herald serve` child process an operator would.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApnsSimulator, type ApnsSimulator, type ApnsSimulatorOptions } from '../../src/simulators/apns';
import { startFcmSimulator, type FcmSimulator } from '../../src/simulators/fcm';
import { makeMaterial, TEAM_ID, type TestMaterial } from '../simulators/fixtures';
import { defaultApps, type HarnessFiles } from './harness';

export interface Providers {
  apns: ApnsSimulator;
  fcm: FcmSimulator;
  material: TestMaterial;
  files: HarnessFiles;
  /** Writes `apps.config.json` (or `name`) in the files' folder; returns its path. */
  writeConfig(config: Record<string, unknown>, name?: string): string;
  /** A config with the harness's three apps, logs at debug, metrics and http on ephemeral ports. */
  baseConfig(extraApps?: Record<string, unknown>, http?: Record<string, unknown>): Record<string, unknown>;
  close(): Promise<void>;
}

export async function startProviders(apnsOptions: Partial<ApnsSimulatorOptions> = {}): Promise<Providers> {
  const material = makeMaterial();
  const dir = mkdtempSync(join(tmpdir(), 'herald-cli-'));
  const apns = await startApnsSimulator({
    tls: material.server,
    clientCa: material.ca.certPem,
    providerKeys: [{ keyId: material.apnsKey.keyId, teamId: TEAM_ID, keyPem: material.apnsKey.publicKeyPem }],
    ...apnsOptions,
  });
  const fcm = await startFcmSimulator({ tls: material.server, serviceAccounts: [material.serviceAccount] });
  const files: HarnessFiles = {
    dir, ca: 'ca.pem', p8: 'AuthKey_TESTKEY001.p8', clientPem: 'apns-client.pem', serviceAccount: 'service-account.json',
    apnsUrl: apns.url, fcmUrl: fcm.url,
  };
  writeFileSync(join(dir, files.ca), material.ca.certPem);
  writeFileSync(join(dir, files.p8), material.apnsKey.privateKeyPem);
  writeFileSync(join(dir, files.clientPem), material.sandboxClient.certPem + material.sandboxClient.keyPem);
  writeFileSync(join(dir, files.serviceAccount), JSON.stringify({ ...material.serviceAccount, token_uri: fcm.tokenUri }));
  return {
    apns, fcm, material, files,
    writeConfig(config, name = 'apps.config.json') {
      const file = join(dir, name);
      writeFileSync(file, JSON.stringify(config, null, 2));
      return file;
    },
    baseConfig(extraApps = {}, http = {}) {
      return {
        http: { bind_addresses: ['127.0.0.1'], port: 0, request_timeout_ms: 5000, ...http },
        log: { level: 'debug', format: 'json' },
        metrics: { enabled: true, bind_address: '127.0.0.1', port: 0 },
        apps: { ...defaultApps(files), ...extraApps },
      };
    },
    async close() {
      await Promise.all([apns.close(), fcm.close()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
