/**
 * A throw-away certificate authority and the credentials the local simulators accept: a TLS
 * server certificate, an APNs client certificate, an APNs token-auth key (.p8) and a Google
 * service account. Everything here is for local testing only.
 */
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';

export interface CertificateAuthority {
  certPem: string;
  keyPem: string;
}

export interface IssuedCertificate {
  certPem: string;
  keyPem: string;
}

export type ApnsEnvironment = 'sandbox' | 'production';

/** Apple's "Apple Push Notification service SSL" environment extensions (value: ASN.1 NULL). */
export const APNS_ENVIRONMENT_OIDS: Record<ApnsEnvironment, string> = {
  sandbox: '1.2.840.113635.100.6.3.1',
  production: '1.2.840.113635.100.6.3.2',
};

const USER_ID_OID = '0.9.2342.19200300.100.1.1';
const DAY_MS = 24 * 60 * 60 * 1000;

export function createCa(commonName = 'Herald local simulator CA (demo only)'): CertificateAuthority {
  const keys = forge.pki.rsa.generateKeyPair({ bits: 2048 });
  const cert = newCertificate(keys.publicKey, 3650);
  const subject = [{ name: 'commonName', value: commonName }, { name: 'organizationName', value: 'Herald demo' }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: forge.pki.privateKeyToPem(keys.privateKey) };
}

/** A TLS server certificate for the simulators, valid for the given IP addresses and host names. */
export function issueServerCert(
  ca: CertificateAuthority,
  hosts: string[] = ['127.0.0.1', 'localhost', '::1'],
): IssuedCertificate {
  const altNames = hosts.map((host) =>
    isIpAddress(host) ? { type: 7, ip: host } : { type: 2, value: host },
  );
  return issue(ca, [{ name: 'commonName', value: hosts[0] ?? 'localhost' }], [
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames },
  ]);
}

/**
 * A client certificate shaped like Apple's push certificates: the topic as the subject's UID
 * and in the common name, and the environment extension that node-apn checks before it
 * will use a certificate at all.
 */
export function issueApnsClientCert(
  ca: CertificateAuthority,
  options: { environment: ApnsEnvironment; topic: string; teamId?: string; validDays?: number },
): IssuedCertificate {
  const label = options.environment === 'sandbox' ? 'Apple Development IOS Push Services' : 'Apple Push Services';
  const subject = [
    { type: USER_ID_OID, value: options.topic, valueTagClass: forge.asn1.Type.UTF8 },
    { name: 'commonName', value: `${label}: ${options.topic}`, valueTagClass: forge.asn1.Type.UTF8 },
    { name: 'organizationalUnitName', value: options.teamId ?? 'DEMOTEAM12' },
    { name: 'organizationName', value: 'Herald demo' },
    { name: 'countryName', value: 'US' },
  ];
  const asn1Null = forge.asn1.create(forge.asn1.Class.UNIVERSAL, forge.asn1.Type.NULL, false, '');
  return issue(ca, subject as forge.pki.CertificateField[], [
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, critical: true },
    { name: 'extKeyUsage', clientAuth: true },
    { id: APNS_ENVIRONMENT_OIDS[options.environment], value: forge.asn1.toDer(asn1Null).getBytes() },
  ], options.validDays);
}

/** The `UID` (topic) of an APNs client certificate subject, as Node's TLS layer reports it. */
export function topicOfSubject(subject: Record<string, unknown> | undefined): string | undefined {
  const uid = subject?.UID;
  return typeof uid === 'string' ? uid : undefined;
}

export interface Es256Key {
  /** Ten characters, like the key ids Apple assigns. */
  keyId: string;
  /** PKCS#8 PEM, the format of Apple's AuthKey_<KEYID>.p8 files. */
  privateKeyPem: string;
  publicKeyPem: string;
}

export function createEs256Key(keyId = randomKeyId()): Es256Key {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    keyId,
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/** The fields of a Google service-account key file that matter to an OAuth JWT-bearer grant. */
export interface ServiceAccount {
  type: 'service_account';
  project_id: string;
  private_key_id: string;
  private_key: string;
  client_email: string;
  client_id: string;
  auth_uri: string;
  token_uri: string;
}

export function createServiceAccount(options: { tokenUri: string; projectId: string }): ServiceAccount {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  return {
    type: 'service_account',
    project_id: options.projectId,
    private_key_id: createHash('sha1').update(privateKeyPem).digest('hex'),
    private_key: privateKeyPem,
    client_email: `herald-simulator@${options.projectId}.iam.gserviceaccount.com`,
    client_id: BigInt(`0x${randomBytes(8).toString('hex')}`).toString(),
    auth_uri: 'https://accounts.google.com/o/oauth2/auth',
    token_uri: options.tokenUri,
  };
}

function issue(
  ca: CertificateAuthority,
  subject: forge.pki.CertificateField[],
  extensions: object[],
  validDays = 825,
): IssuedCertificate {
  const caCert = forge.pki.certificateFromPem(ca.certPem);
  const caKey = forge.pki.privateKeyFromPem(ca.keyPem);
  const keys = forge.pki.rsa.generateKeyPair({ bits: 2048 });
  const cert = newCertificate(keys.publicKey, validDays);
  cert.setSubject(subject);
  cert.setIssuer(caCert.subject.attributes);
  cert.setExtensions([...extensions, { name: 'authorityKeyIdentifier', keyIdentifier: authorityKeyId(caCert) }]);
  cert.sign(caKey, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: forge.pki.privateKeyToPem(keys.privateKey) };
}

function newCertificate(publicKey: forge.pki.PublicKey, validDays: number): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  // A positive serial: a leading zero nibble keeps the DER integer from reading as negative.
  cert.serialNumber = `0${randomBytes(15).toString('hex')}`;
  const now = Date.now();
  cert.validity.notBefore = new Date(now - DAY_MS);
  cert.validity.notAfter = new Date(now + validDays * DAY_MS);
  return cert;
}

function authorityKeyId(caCert: forge.pki.Certificate): string {
  // Matches the CA's own subjectKeyIdentifier, which forge derives the same way.
  return caCert.generateSubjectKeyIdentifier().getBytes();
}

function isIpAddress(host: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.includes(':');
}

function randomKeyId(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  return Array.from(randomBytes(10), (byte) => alphabet[byte % alphabet.length]).join('');
}
