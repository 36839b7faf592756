/** How the APNs simulator authenticates a request: a client certificate or an ES256 provider token. */
import { KeyObject } from 'node:crypto';
import { TLSSocket } from 'node:tls';
import { topicOfSubject } from './ca';
import { decodeJwt, publicKeyFromPem, verifyJwtSignature } from './jwt';

export interface ProviderKey {
  keyId: string;
  teamId: string;
  /** PEM of the public key, or of the .p8 private key (the public half is derived). */
  keyPem: string;
}

export type AuthResult =
  | { ok: true; method: 'certificate'; topic: string }
  | { ok: true; method: 'token'; teamId: string }
  | { ok: false; reason: 'MissingProviderToken' | 'InvalidProviderToken' | 'ExpiredProviderToken' };

export interface ProviderTokenCheck {
  keys: Map<string, { teamId: string; key: KeyObject }>;
  /** Apple rejects tokens issued more than an hour ago. */
  maxAgeSeconds: number;
  now: () => number;
  /**
   * Tokens whose signature already verified, with what the age check needs. A client reuses one
   * token for up to an hour, and an ECDSA verification per push made the simulator, not the
   * gateway, the bottleneck of a benchmark sharing its cores.
   */
  verified: Map<string, { teamId: string; iat: unknown }>;
}

/** Enough for every key and renewal a test or benchmark uses; cleared when full. */
const MAX_VERIFIED_TOKENS = 64;

export function providerTokenCheck(keys: ProviderKey[], maxAgeSeconds = 3600, now = Date.now): ProviderTokenCheck {
  return {
    keys: new Map(keys.map((entry) => [entry.keyId, { teamId: entry.teamId, key: publicKeyFromPem(entry.keyPem) }])),
    maxAgeSeconds,
    now,
    verified: new Map(),
  };
}

/** A connection whose client certificate chains to the trusted CA is authenticated for its topic. */
export function certificateTopic(socket: TLSSocket | undefined): string | undefined {
  if (!socket || !socket.authorized) return undefined;
  const certificate = socket.getPeerCertificate();
  return certificate && Object.keys(certificate).length > 0 ? topicOfSubject(certificate.subject as unknown as Record<string, unknown>) : undefined;
}

export function authenticate(
  socket: TLSSocket | undefined,
  authorization: string | undefined,
  check: ProviderTokenCheck,
): AuthResult {
  const topic = certificateTopic(socket);
  if (topic !== undefined) return { ok: true, method: 'certificate', topic };
  if (!authorization) return { ok: false, reason: 'MissingProviderToken' };
  const match = /^bearer\s+(\S+)$/i.exec(authorization);
  const signed = match ? verifiedToken(match[1], check) : undefined;
  if (!signed) return { ok: false, reason: 'InvalidProviderToken' };
  const { iat, teamId } = signed;
  const nowSeconds = Math.floor(check.now() / 1000);
  // A token from the future (beyond clock skew) is as invalid as a forged one.
  if (typeof iat !== 'number' || iat > nowSeconds + 60) return { ok: false, reason: 'InvalidProviderToken' };
  if (nowSeconds - iat > check.maxAgeSeconds) return { ok: false, reason: 'ExpiredProviderToken' };
  return { ok: true, method: 'token', teamId };
}

/** The token's team and iat when its signature is good (remembered), else undefined. */
function verifiedToken(token: string, check: ProviderTokenCheck): { teamId: string; iat: unknown } | undefined {
  const remembered = check.verified.get(token);
  if (remembered) return remembered;
  const jwt = decodeJwt(token);
  if (!jwt) return undefined;
  const kid = jwt.header.kid;
  const known = typeof kid === 'string' ? check.keys.get(kid) : undefined;
  if (!known || jwt.claims.iss !== known.teamId || !verifyJwtSignature(jwt, 'ES256', known.key)) return undefined;
  if (check.verified.size >= MAX_VERIFIED_TOKENS) check.verified.clear();
  const signed = { teamId: known.teamId, iat: jwt.claims.iat };
  check.verified.set(token, signed);
  return signed;
}
