/** Shared test material and raw protocol clients for the simulator tests. */
import { sign } from 'node:crypto';
import { readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import http2 from 'node:http2';
import https from 'node:https';
import {
  CertificateAuthority,
  Es256Key,
  IssuedCertificate,
  ServiceAccount,
  createCa,
  createEs256Key,
  createServiceAccount,
  issueApnsClientCert,
  issueServerCert,
} from '../../src/simulators/ca';

export const TEAM_ID = 'TESTTEAM01';
export const TOPIC = 'org.herald.test';
export const PROJECT = 'herald-test';
/** Key generation takes a second or two on a busy two-core machine: more than Jest's 5 s default allows for comfortably. */
export const MATERIAL_TIMEOUT_MS = 30_000;

export interface TestMaterial {
  ca: CertificateAuthority;
  server: IssuedCertificate;
  apnsKey: Es256Key;
  sandboxClient: IssuedCertificate;
  serviceAccount: ServiceAccount;
}

/**
 * Test credentials, shared by the test files of one run through a cache file: generating RSA
 * keys for every file would cost most of the suite's time. The file is replaced after a day.
 */
export function makeMaterial(): TestMaterial {
  const cacheFile = join(tmpdir(), 'herald-simulator-test-material.json');
  try {
    if (Date.now() - statSync(cacheFile).mtimeMs < 24 * 60 * 60 * 1000) {
      return JSON.parse(readFileSync(cacheFile, 'utf8')) as TestMaterial;
    }
  } catch {
    // no usable cache: generate below
  }
  const material = generateMaterial();
  // Write-then-rename so parallel test workers never read a half-written file.
  const partial = `${cacheFile}.${process.pid}`;
  writeFileSync(partial, JSON.stringify(material), { mode: 0o600 });
  renameSync(partial, cacheFile);
  return material;
}

export function generateMaterial(): TestMaterial {
  const ca = createCa();
  return {
    ca,
    server: issueServerCert(ca),
    apnsKey: createEs256Key('TESTKEY001'),
    sandboxClient: issueApnsClientCert(ca, { environment: 'sandbox', topic: TOPIC, teamId: TEAM_ID }),
    // The simulator also accepts the URL a grant was posted to as audience, so a placeholder works.
    serviceAccount: createServiceAccount({ tokenUri: 'https://127.0.0.1:1/token', projectId: PROJECT }),
  };
}

/** A compact JWS signed with ES256 (APNs provider token) or RS256 (Google assertion). */
export function signJwt(header: object, claims: object, keyPem: string, algorithm: 'ES256' | 'RS256'): string {
  const encode = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${encode({ ...header, alg: algorithm })}.${encode(claims)}`;
  const key = algorithm === 'ES256' ? { key: keyPem, dsaEncoding: 'ieee-p1363' as const } : keyPem;
  return `${input}.${sign('sha256', Buffer.from(input), key).toString('base64url')}`;
}

export function providerToken(key: Es256Key, teamId = TEAM_ID, iat = Math.floor(Date.now() / 1000)): string {
  return signJwt({ kid: key.keyId }, { iss: teamId, iat }, key.privateKeyPem, 'ES256');
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One HTTP/2 request on an existing session. */
export function h2Request(
  session: http2.ClientHttp2Session,
  path: string,
  headers: Record<string, string>,
  body?: string | Buffer,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const request = session.request({ ':method': 'POST', ':path': path, ...headers });
    let status = 0;
    let responseHeaders: RawResponse['headers'] = {};
    const chunks: Buffer[] = [];
    request.on('response', (received) => {
      status = Number(received[':status']);
      responseHeaders = received;
    });
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve({ status, headers: responseHeaders, body: Buffer.concat(chunks).toString('utf8') }));
    request.on('error', reject);
    request.end(body);
  });
}

/** One HTTPS/1.1 request. */
export function httpsRequest(
  url: string,
  options: { ca: string; method?: string; headers?: Record<string, string>; body?: string; agent?: https.Agent },
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const request = https.request(
      url,
      { method: options.method ?? 'POST', ca: options.ca, headers: options.headers, agent: options.agent },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') }),
        );
      },
    );
    request.on('error', reject);
    request.end(options.body);
  });
}

/** The JWT-bearer grant against `tokenUri`, as Google's libraries perform it. */
export async function fetchAccessToken(
  account: ServiceAccount,
  tokenUri: string,
  ca: string,
  overrides: { claims?: object; keyPem?: string; grantType?: string } = {},
): Promise<RawResponse> {
  const now = Math.floor(Date.now() / 1000);
  const assertion = signJwt(
    { typ: 'JWT', kid: account.private_key_id },
    {
      iss: account.client_email,
      aud: tokenUri,
      scope: 'https://www.googleapis.com/auth/firebase.messaging',
      iat: now,
      exp: now + 3600,
      ...overrides.claims,
    },
    overrides.keyPem ?? account.private_key,
    'RS256',
  );
  const form = new URLSearchParams({
    grant_type: overrides.grantType ?? 'urn:ietf:params:oauth:grant-type:jwt-bearer',
    assertion,
  });
  return httpsRequest(tokenUri, {
    ca,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form.toString(),
  });
}
