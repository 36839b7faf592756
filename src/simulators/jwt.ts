/** Just enough JWS for the simulators: decode a compact JWT and check its ES256/RS256 signature. */
import { KeyObject, createPublicKey, verify } from 'node:crypto';

export interface DecodedJwt {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
  signingInput: string;
  signature: Buffer;
}

/** The parts of a compact JWT, or undefined when it is not one. */
export function decodeJwt(token: string): DecodedJwt | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || parts.some((part) => !/^[A-Za-z0-9_-]*$/.test(part))) return undefined;
  const header = parseJsonObject(Buffer.from(parts[0], 'base64url').toString('utf8'));
  const claims = parseJsonObject(Buffer.from(parts[1], 'base64url').toString('utf8'));
  if (!header || !claims) return undefined;
  return { header, claims, signingInput: `${parts[0]}.${parts[1]}`, signature: Buffer.from(parts[2], 'base64url') };
}

export function verifyJwtSignature(jwt: DecodedJwt, algorithm: 'ES256' | 'RS256', key: KeyObject): boolean {
  if (jwt.header.alg !== algorithm) return false;
  try {
    // JWS carries ECDSA signatures as raw r||s, not DER.
    const keyInput = algorithm === 'ES256' ? { key, dsaEncoding: 'ieee-p1363' as const } : key;
    return verify('sha256', Buffer.from(jwt.signingInput), keyInput, jwt.signature);
  } catch {
    return false;
  }
}

/** A public key from PEM text holding either the public or the private half. */
export function publicKeyFromPem(pem: string): KeyObject {
  return createPublicKey(pem);
}

function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
