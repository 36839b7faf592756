/**
 * The OAuth 2.0 token endpoint of the FCM simulator: Google's JWT-bearer grant, as the
 * service account's `token_uri` receives it, checked the way Google checks it.
 */
import { KeyObject, randomBytes } from 'node:crypto';
import { decodeJwt, publicKeyFromPem, verifyJwtSignature } from './jwt';

export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
export const MESSAGING_SCOPES = ['https://www.googleapis.com/auth/firebase.messaging', 'https://www.googleapis.com/auth/cloud-platform'];

/** The service-account fields the simulator needs (a whole key file works). */
export interface SimulatedServiceAccount {
  client_email: string;
  private_key: string;
  project_id: string;
  token_uri?: string;
}

interface IssuedToken {
  clientEmail: string;
  projectId: string;
  expiresAt: number;
}

export type TokenAnswer =
  | { status: 200; body: { access_token: string; expires_in: number; token_type: 'Bearer' } }
  | { status: 400; body: { error: string; error_description: string } };

export class AccessTokens {
  private readonly accounts: Map<string, { key: KeyObject; projectId: string; tokenUri?: string }>;
  private readonly tokens = new Map<string, IssuedToken>();
  issuedCount = 0;

  constructor(
    accounts: SimulatedServiceAccount[],
    private readonly lifetimeSeconds: number,
    private readonly now: () => number = Date.now,
  ) {
    this.accounts = new Map(
      accounts.map((account) => [
        account.client_email,
        { key: publicKeyFromPem(account.private_key), projectId: account.project_id, tokenUri: account.token_uri },
      ]),
    );
  }

  /** Answers a token request; `requestUrl` is where it was sent (`https://host/path`), a valid audience. */
  grant(form: URLSearchParams, requestUrl: string): TokenAnswer {
    if (form.get('grant_type') !== JWT_BEARER_GRANT) {
      return invalid('unsupported_grant_type', `Invalid grant_type: ${form.get('grant_type') ?? ''}`);
    }
    const jwt = decodeJwt(form.get('assertion') ?? '');
    if (!jwt) return invalid('invalid_grant', 'Invalid JWT: not a compact JWS.');
    const account = typeof jwt.claims.iss === 'string' ? this.accounts.get(jwt.claims.iss) : undefined;
    if (!account) return invalid('invalid_grant', 'Invalid grant: account not found');
    if (!verifyJwtSignature(jwt, 'RS256', account.key)) return invalid('invalid_grant', 'Invalid JWT Signature.');
    const audience = jwt.claims.aud;
    if (audience !== requestUrl && (account.tokenUri === undefined || audience !== account.tokenUri)) {
      return invalid('invalid_grant', 'Invalid JWT: Failed audience check.');
    }
    const scopes = typeof jwt.claims.scope === 'string' ? jwt.claims.scope.split(' ') : [];
    if (!scopes.some((scope) => MESSAGING_SCOPES.includes(scope))) {
      return invalid('invalid_scope', 'Invalid OAuth scope or ID token audience provided.');
    }
    const { iat, exp } = jwt.claims;
    const nowSeconds = Math.floor(this.now() / 1000);
    // Google: at most one hour long, issued no later than now (with some skew), not yet expired.
    if (typeof iat !== 'number' || typeof exp !== 'number' || exp <= nowSeconds || iat > nowSeconds + 300 || exp - iat > 3600) {
      return invalid(
        'invalid_grant',
        'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe.',
      );
    }

    const accessToken = `sim.${randomBytes(24).toString('base64url')}`;
    this.tokens.set(accessToken, {
      clientEmail: jwt.claims.iss as string,
      projectId: account.projectId,
      expiresAt: this.now() + this.lifetimeSeconds * 1000,
    });
    this.issuedCount += 1;
    return { status: 200, body: { access_token: accessToken, expires_in: this.lifetimeSeconds, token_type: 'Bearer' } };
  }

  /** The project an `Authorization: Bearer` header grants, or undefined when not a live token. */
  projectFor(authorization: string | undefined): string | undefined {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    const issued = match ? this.tokens.get(match[1]) : undefined;
    if (!issued || issued.expiresAt <= this.now()) return undefined;
    return issued.projectId;
  }

  /** Every issued token stops working, as after a key rotation. */
  revokeAll(): void {
    this.tokens.clear();
  }
}

function invalid(error: string, description: string): TokenAnswer {
  return { status: 400, body: { error, error_description: description } };
}
