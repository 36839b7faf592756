/**
 * The demo credentials kept in the repository's `simulator/` folder: what `npm start`, the demo
 * apps in `apps.config.json` and `herald simulate` share. Demo only: never for production.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateKeyPair } from '../msc3013/keys';
import {
  CertificateAuthority,
  ServiceAccount,
  createCa,
  createEs256Key,
  createServiceAccount,
  issueApnsClientCert,
  issueServerCert,
} from './ca';

export const DEMO = {
  apnsKeyId: 'DEMOKEY123',
  apnsTeamId: 'DEMOTEAM12',
  apnsTopic: 'org.herald.demo',
  fcmProjectId: 'herald-demo',
  apnsPort: 8443,
  fcmPort: 8444,
} as const;

export const DEMO_FILES = {
  caCert: 'ca.pem',
  caKey: 'ca-key.pem',
  serverCert: 'server-cert.pem',
  serverKey: 'server-key.pem',
  apnsAuthKey: `AuthKey_${DEMO.apnsKeyId}.p8`,
  apnsClientPem: 'apns-client.pem',
  serviceAccount: 'service-account.json',
  msc3013Key: 'msc3013-demo-key.json',
} as const;

export interface Msc3013DemoKey {
  /** Curve25519, unpadded base64: the pusher's `public_key`. */
  publicKey: string;
  privateKey: string;
}

export interface DemoMaterial {
  dir: string;
  ca: CertificateAuthority;
  server: { certPem: string; keyPem: string };
  apnsAuthKey: { keyId: string; teamId: string; privateKeyPem: string };
  /** Certificate followed by its key, the single-file form node-apn and Sygnal accept. */
  apnsClientPem: string;
  apnsTopic: string;
  serviceAccount: ServiceAccount;
  msc3013Key: Msc3013DemoKey;
}

/** The demo device's MSC3013 key pair: the same generator app developers use. */
export function createMsc3013DemoKey(): Msc3013DemoKey {
  return generateKeyPair();
}

/**
 * Creates whichever demo files are missing in `dir`; existing files are kept as they are.
 * The CA is loaded when both of its files exist, so certificates added later still chain to it.
 */
export async function writeDemoMaterial(dir: string): Promise<DemoMaterial> {
  await mkdir(dir, { recursive: true });
  const path = (name: string): string => join(dir, name);
  const hasCa = existsSync(path(DEMO_FILES.caCert));
  const hasCaKey = existsSync(path(DEMO_FILES.caKey));
  if (hasCa !== hasCaKey) {
    throw new Error(`${dir}: ${DEMO_FILES.caCert} and ${DEMO_FILES.caKey} must both exist or both be missing`);
  }
  const ca = hasCa
    ? { certPem: await readFile(path(DEMO_FILES.caCert), 'utf8'), keyPem: await readFile(path(DEMO_FILES.caKey), 'utf8') }
    : createCa();

  const writeIfMissing = async (name: string, make: () => string): Promise<void> => {
    if (existsSync(path(name))) return;
    // 'wx' so that a file created meanwhile by someone else is never overwritten.
    const isPublic = name === DEMO_FILES.caCert || name === DEMO_FILES.serverCert;
    await writeFile(path(name), make(), { flag: 'wx', mode: isPublic ? 0o644 : 0o600 });
  };

  await writeIfMissing(DEMO_FILES.caCert, () => ca.certPem);
  await writeIfMissing(DEMO_FILES.caKey, () => ca.keyPem);
  if (!existsSync(path(DEMO_FILES.serverCert)) || !existsSync(path(DEMO_FILES.serverKey))) {
    const server = issueServerCert(ca);
    await writeIfMissing(DEMO_FILES.serverCert, () => server.certPem);
    await writeIfMissing(DEMO_FILES.serverKey, () => server.keyPem);
  }
  await writeIfMissing(DEMO_FILES.apnsAuthKey, () => createEs256Key(DEMO.apnsKeyId).privateKeyPem);
  await writeIfMissing(DEMO_FILES.apnsClientPem, () => {
    const client = issueApnsClientCert(ca, { environment: 'sandbox', topic: DEMO.apnsTopic, teamId: DEMO.apnsTeamId });
    return client.certPem + client.keyPem;
  });
  await writeIfMissing(DEMO_FILES.serviceAccount, () => {
    const account = createServiceAccount({
      tokenUri: `https://127.0.0.1:${DEMO.fcmPort}/token`,
      projectId: DEMO.fcmProjectId,
    });
    return `${JSON.stringify(account, null, 2)}\n`;
  });
  await writeIfMissing(DEMO_FILES.msc3013Key, () => `${JSON.stringify(createMsc3013DemoKey(), null, 2)}\n`);
  return loadDemoMaterial(dir);
}

/** Reads the demo files written by {@link writeDemoMaterial}. */
export async function loadDemoMaterial(dir: string): Promise<DemoMaterial> {
  const read = (name: string): Promise<string> => readFile(join(dir, name), 'utf8');
  return {
    dir,
    ca: { certPem: await read(DEMO_FILES.caCert), keyPem: await read(DEMO_FILES.caKey) },
    server: { certPem: await read(DEMO_FILES.serverCert), keyPem: await read(DEMO_FILES.serverKey) },
    apnsAuthKey: { keyId: DEMO.apnsKeyId, teamId: DEMO.apnsTeamId, privateKeyPem: await read(DEMO_FILES.apnsAuthKey) },
    apnsClientPem: await read(DEMO_FILES.apnsClientPem),
    apnsTopic: DEMO.apnsTopic,
    serviceAccount: JSON.parse(await read(DEMO_FILES.serviceAccount)) as ServiceAccount,
    msc3013Key: JSON.parse(await read(DEMO_FILES.msc3013Key)) as Msc3013DemoKey,
  };
}
