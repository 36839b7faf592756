/** `herald simulate`: the local APNs and FCM simulators in the foreground, on the demo material. */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ApnsSimulator, startApnsSimulator } from '../simulators/apns';
import { DEMO, DemoMaterial, writeDemoMaterial } from '../simulators/demo-material';
import { FcmSimulator, startFcmSimulator } from '../simulators/fcm';
import type { Command } from './command';

export interface SimulatorsOptions {
  /** Default 8443; 0 picks a free port. */
  apnsPort?: number;
  /** Default 8444; 0 picks a free port. */
  fcmPort?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** The demo material folder; missing files are created in it. */
  materialDir: string;
  /** One line per event (start-up, each push). Default: none. */
  log?: (line: string) => void;
}

export interface RunningSimulators {
  apns: ApnsSimulator;
  fcm: FcmSimulator;
  material: DemoMaterial;
  close(): Promise<void>;
}

/**
 * Starts both simulators on the demo material: the APNs one accepts the demo .p8 key
 * (DEMOKEY123 / DEMOTEAM12) and client certificates from the demo CA; the FCM one the demo
 * service account. Both decrypt MSC3013 payloads sent to the demo key, for display.
 */
export async function startSimulators(options: SimulatorsOptions): Promise<RunningSimulators> {
  const log = options.log ?? (() => undefined);
  const host = options.host ?? '127.0.0.1';
  const material = await writeDemoMaterial(options.materialDir);
  const decryptKey = material.msc3013Key.privateKey;
  const apns = await startApnsSimulator({
    host,
    port: options.apnsPort ?? DEMO.apnsPort,
    tls: material.server,
    clientCa: material.ca.certPem,
    providerKeys: [{ ...material.apnsAuthKey, keyPem: material.apnsAuthKey.privateKeyPem }],
    decryptKey,
    log,
  });
  let fcm: FcmSimulator;
  try {
    fcm = await startFcmSimulator({
      host,
      port: options.fcmPort ?? DEMO.fcmPort,
      tls: material.server,
      serviceAccounts: [material.serviceAccount],
      decryptKey,
      log,
    });
  } catch (error) {
    await apns.close();
    throw error;
  }
  log(`APNs simulator listening on ${apns.url} (token key ${DEMO.apnsKeyId}, team ${DEMO.apnsTeamId}, or demo client certificate)`);
  log(`FCM simulator listening on ${fcm.url} (project ${material.serviceAccount.project_id}, token endpoint ${fcm.tokenUri})`);
  if (material.serviceAccount.token_uri !== fcm.tokenUri) {
    log(`note: the demo service account's token_uri is ${material.serviceAccount.token_uri}, not ${fcm.tokenUri}`);
  }
  return {
    apns,
    fcm,
    material,
    close: async () => {
      await Promise.all([apns.close(), fcm.close()]);
    },
  };
}

const USAGE = `Usage: herald simulate [--apns-port N] [--fcm-port N] [--host H] [--material DIR]

Runs the local APNs (HTTP/2) and FCM (HTTP v1 + OAuth token endpoint) simulators in the
foreground and prints one line per push received. Demo credentials are read from DIR
(default ./simulator), and created there when missing. Defaults: --apns-port ${DEMO.apnsPort},
--fcm-port ${DEMO.fcmPort}, --host 127.0.0.1.

Device tokens starting with these words choose the answer (APNs also matches hex tokens whose
bytes start with the word, e.g. 676f6e65… for "gone"):
  bad…       invalid token (APNs 400 BadDeviceToken, FCM 400 INVALID_ARGUMENT)
  gone…      unregistered  (APNs 410 Unregistered,  FCM 404 UNREGISTERED)
  busy…      429 with retry-after
  fail…      500
  flaky…     one 503, then success
  slow…      answered after 2 s
  mismatch…  APNs 400 DeviceTokenNotForTopic, FCM 403 SENDER_ID_MISMATCH
Encrypted (MSC3013) pushes to the demo key are decrypted and shown. Demo only: never production.`;

export const simulateCommand: Command = {
  name: 'simulate',
  summary: 'run the local APNs and FCM simulators',
  usage: USAGE,
  async run(argv, io) {
    const { values } = parseArgs({
      args: argv,
      options: {
        'apns-port': { type: 'string' },
        'fcm-port': { type: 'string' },
        host: { type: 'string' },
        material: { type: 'string' },
      },
    });
    const apnsPort = parsePort(values['apns-port'], DEMO.apnsPort);
    const fcmPort = parsePort(values['fcm-port'], DEMO.fcmPort);
    if (apnsPort === undefined || fcmPort === undefined) {
      io.stderr.write('herald simulate: --apns-port and --fcm-port must be port numbers (0-65535)\n');
      return 2;
    }
    const log = (line: string): void => {
      io.stdout.write(`${new Date().toISOString()} ${line}\n`);
    };
    let running: RunningSimulators;
    try {
      running = await startSimulators({
        apnsPort,
        fcmPort,
        host: values.host,
        materialDir: resolve(io.cwd, values.material ?? 'simulator'),
        log,
      });
    } catch (error) {
      io.stderr.write(`herald simulate: cannot start: ${error instanceof Error ? error.message : String(error)}\n`);
      return 1;
    }
    log(`demo material in ${running.material.dir}; press Ctrl-C to stop`);
    return new Promise<number>((done) => {
      const stop = (signal: NodeJS.Signals): void => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        log(`${signal}: stopping`);
        void running.close().then(() => done(0));
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
  },
};

function parsePort(text: string | undefined, fallback: number): number | undefined {
  if (text === undefined) return fallback;
  const port = Number(text);
  return /^\d+$/.test(text) && port <= 65535 ? port : undefined;
}
