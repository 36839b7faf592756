/**
 * The simulators as the benchmark runs them: their own process, ephemeral ports, the demo
 * material, no per-push log line and a small record log (a benchmark sends millions).
 * Prints `{"apns":PORT,"fcm":PORT}` once listening; SIGTERM stops it.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startApnsSimulator } from '../src/simulators/apns';
import { loadDemoMaterial } from '../src/simulators/demo-material';
import { startFcmSimulator } from '../src/simulators/fcm';

const MAX_RECORDS = 1000;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { material: { type: 'string' } } });
  const material = await loadDemoMaterial(resolve(values.material ?? 'simulator'));
  const apns = await startApnsSimulator({
    tls: material.server,
    clientCa: material.ca.certPem,
    providerKeys: [{ ...material.apnsAuthKey, keyPem: material.apnsAuthKey.privateKeyPem }],
    maxRecords: MAX_RECORDS,
  });
  const fcm = await startFcmSimulator({ tls: material.server, serviceAccounts: [material.serviceAccount], maxRecords: MAX_RECORDS });
  process.stdout.write(`${JSON.stringify({ apns: apns.port, fcm: fcm.port })}\n`);
  const stop = () => void Promise.all([apns.close(), fcm.close()]).then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
