import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { x25519 } from '@noble/curves/ed25519.js';
import { APNS_ENVIRONMENT_OIDS, createCa, createEs256Key, createServiceAccount, issueApnsClientCert, issueServerCert } from '../../src/simulators/ca';
import { DEMO, DEMO_FILES, writeDemoMaterial } from '../../src/simulators/demo-material';
import { decodeUnpaddedBase64 } from '../../src/msc3013/base64';
import { MATERIAL_TIMEOUT_MS } from './fixtures';

describe('local CA', () => {
  const ca = createCa();
  const caCert = new X509Certificate(ca.certPem);

  it('is a CA and issues server certificates for the loopback names', () => {
    expect(caCert.ca).toBe(true);
    const server = new X509Certificate(issueServerCert(ca).certPem);
    expect(server.verify(caCert.publicKey)).toBe(true);
    expect(server.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(server.checkHost('localhost')).toBe('localhost');
    expect(server.subjectAltName).toContain('IP Address:0:0:0:0:0:0:0:1');
  });

  it.each(['sandbox', 'production'] as const)('issues %s APNs client certificates shaped like Apple\'s', (environment) => {
    const issued = issueApnsClientCert(ca, { environment, topic: 'org.example.app' });
    const cert = new X509Certificate(issued.certPem);
    expect(cert.verify(caCert.publicKey)).toBe(true);
    expect(cert.subject).toContain('UID=org.example.app');
    expect(cert.keyUsage).toContain('1.3.6.1.5.5.7.3.2');
    // The environment extension, with an ASN.1 NULL (05 00) value wrapped in its OCTET STRING.
    const der = cert.raw.toString('hex');
    expect(der).toContain(`${oidDer(APNS_ENVIRONMENT_OIDS[environment])}04020500`);
    expect(der).not.toContain(oidDer(APNS_ENVIRONMENT_OIDS[environment === 'sandbox' ? 'production' : 'sandbox']));
    expect(createPublicKey(createPrivateKey(issued.keyPem)).export({ format: 'der', type: 'spki' })).toEqual(
      cert.publicKey.export({ format: 'der', type: 'spki' }),
    );
  });

  it('creates ES256 keys in the .p8 (PKCS#8) format', () => {
    const key = createEs256Key('ABCDEFGHIJ');
    expect(key.keyId).toBe('ABCDEFGHIJ');
    expect(key.privateKeyPem).toContain('BEGIN PRIVATE KEY');
    expect(createPrivateKey(key.privateKeyPem).asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(createEs256Key().keyId).toMatch(/^[A-Z0-9]{10}$/);
  });

  it('creates service accounts with the fields Google key files have', () => {
    const account = createServiceAccount({ tokenUri: 'https://127.0.0.1:9/token', projectId: 'p1' });
    expect(account).toMatchObject({ type: 'service_account', project_id: 'p1', token_uri: 'https://127.0.0.1:9/token' });
    expect(account.client_email).toMatch(/@p1\.iam\.gserviceaccount\.com$/);
    expect(account.private_key_id).toMatch(/^[0-9a-f]{40}$/);
    expect(createPrivateKey(account.private_key).asymmetricKeyType).toBe('rsa');
  });
});

describe('writeDemoMaterial', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'herald-demo-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('writes every demo file, consistent with each other, and never overwrites', async () => {
    await writeFile(join(dir, DEMO_FILES.msc3013Key), '{"publicKey":"kept","privateKey":"kept"}');
    const material = await writeDemoMaterial(dir);
    expect((await readdir(dir)).sort()).toEqual(Object.values(DEMO_FILES).sort());
    expect(material.msc3013Key.publicKey).toBe('kept');

    const ca = new X509Certificate(material.ca.certPem);
    expect(new X509Certificate(material.server.certPem).verify(ca.publicKey)).toBe(true);
    expect(new X509Certificate(material.apnsClientPem).verify(ca.publicKey)).toBe(true);
    expect(material.apnsClientPem).toMatch(/END CERTIFICATE[\s\S]*BEGIN RSA PRIVATE KEY/);
    expect(material.serviceAccount).toMatchObject({ project_id: DEMO.fcmProjectId, token_uri: 'https://127.0.0.1:8444/token' });
    expect(material.apnsAuthKey).toMatchObject({ keyId: 'DEMOKEY123', teamId: 'DEMOTEAM12' });

    const before = await readFile(join(dir, DEMO_FILES.serverCert), 'utf8');
    await rm(join(dir, DEMO_FILES.apnsClientPem));
    const again = await writeDemoMaterial(dir);
    expect(await readFile(join(dir, DEMO_FILES.serverCert), 'utf8')).toBe(before);
    expect(new X509Certificate(again.apnsClientPem).verify(ca.publicKey)).toBe(true);
  }, MATERIAL_TIMEOUT_MS);

  it('writes a usable curve25519 key pair for MSC3013', async () => {
    const fresh = await mkdtemp(join(tmpdir(), 'herald-demo-'));
    try {
      const { msc3013Key } = await writeDemoMaterial(fresh);
      const privateKey = decodeUnpaddedBase64(msc3013Key.privateKey);
      expect(privateKey).toHaveLength(32);
      expect(decodeUnpaddedBase64(msc3013Key.publicKey)).toEqual(x25519.getPublicKey(privateKey!));
    } finally {
      await rm(fresh, { recursive: true, force: true });
    }
  }, MATERIAL_TIMEOUT_MS);
});

/** DER of an OBJECT IDENTIFIER (tag, length, body) as hex. */
function oidDer(oid: string): string {
  const [first, second, ...rest] = oid.split('.').map(Number);
  const bytes = [40 * first + second];
  for (const arc of rest) {
    const chunk = [arc & 0x7f];
    for (let value = arc >> 7; value > 0; value >>= 7) chunk.unshift((value & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return Buffer.from([0x06, bytes.length, ...bytes]).toString('hex');
}
