/**
 * OAuth2 access tokens for FCM from a service account, fetched from the account's own
 * `token_uri` (the contract's promise, and how the FCM simulator issues tokens): a JWT-bearer
 * grant signed RS256.
 *
 * Why not google-auth-library: its JWT client (10.9, the one firebase-admin 13 installs) posts
 * to the constant https://oauth2.googleapis.com/token and ignores the key file's `token_uri`;
 * firebase-admin's cert() does the same and ignores any agent, so neither honours `ca_file` or
 * the proxy. The grant is one signed JWT and one form POST, so node:crypto does it here.
 */
import { createSign } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { parseRetryAfter } from '../retry';

export const FCM_SCOPE = 'https://www.googleapis.com/auth/firebase.messaging';
export const GOOGLE_TOKEN_URI = 'https://oauth2.googleapis.com/token';

export interface ServiceAccountKey {
  client_email: string;
  private_key: string;
  private_key_id?: string;
  project_id?: string;
  token_uri: string;
}

/** check-config validates the file first, so a malformed one here is a start-up error. */
export function parseServiceAccount(json: string): ServiceAccountKey {
  const raw = JSON.parse(json) as Record<string, unknown>;
  const text = (key: string): string | undefined => (typeof raw[key] === 'string' ? (raw[key] as string) : undefined);
  const clientEmail = text('client_email');
  const privateKey = text('private_key');
  if (clientEmail === undefined || privateKey === undefined) throw new Error('service account needs client_email and private_key');
  return {
    client_email: clientEmail,
    private_key: privateKey,
    private_key_id: text('private_key_id'),
    project_id: text('project_id'),
    token_uri: text('token_uri') ?? GOOGLE_TOKEN_URI,
  };
}

export interface TokenEndpointAnswer {
  status: number;
  body: string;
  retryAfter?: string;
}

/** POSTs a form to the token endpoint; rejects only for connection-level failures. */
export type TokenPost = (url: string, form: string) => Promise<TokenEndpointAnswer>;

export type TokenFailure =
  /** The endpoint refused the grant (4xx): a wrong or revoked key, a config problem. */
  | { kind: 'refused'; status: number; reason: string }
  /** The endpoint could not answer (5xx, 429, connection, garbage): worth retrying. */
  | { kind: 'unavailable'; status?: number; reason: string; retryAfterMs?: number };

export type TokenResult = { ok: true; accessToken: string; expiresAt: number } | { ok: false; failure: TokenFailure };

/** Thrown only across firebase-admin's Credential interface, which cannot take a value. */
export class TokenFetchError extends Error {
  constructor(readonly failure: TokenFailure) {
    super(`OAuth token request failed: ${failure.reason}`);
  }
}

export interface CredentialOptions {
  now?: () => number;
  /** Fetch a new token this long before the cached one expires. */
  refreshMarginMs?: number;
  /** Lifetime asked for in the assertion; Google caps it at one hour. */
  assertionLifetimeS?: number;
  /**
   * A failed fetch is the answer for this long, so that during an outage every device's
   * retries do not each hit the token endpoint.
   */
  failureHoldMs?: number;
}

const FIVE_MINUTES_MS = 5 * 60 * 1000;

/** A firebase-admin `Credential` (structurally): `getAccessToken()`. */
export class ServiceAccountCredential {
  private cached?: { accessToken: string; expiresAt: number };
  private inflight?: Promise<TokenResult>;
  private lastFailure?: { result: TokenResult; at: number };
  private readonly now: () => number;
  private readonly failureHoldMs: number;
  private readonly refreshMarginMs: number;
  private readonly lifetimeS: number;

  constructor(
    private readonly account: ServiceAccountKey,
    private readonly post: TokenPost,
    options: CredentialOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.refreshMarginMs = options.refreshMarginMs ?? FIVE_MINUTES_MS;
    this.lifetimeS = options.assertionLifetimeS ?? 3600;
    this.failureHoldMs = options.failureHoldMs ?? 1000;
  }

  /** A valid token: the cached one, or one fetch shared by every concurrent caller. */
  token(): Promise<TokenResult> {
    if (this.cached !== undefined && this.cached.expiresAt - this.refreshMarginMs > this.now()) {
      return Promise.resolve({ ok: true, ...this.cached });
    }
    if (this.lastFailure !== undefined && this.now() - this.lastFailure.at < this.failureHoldMs) {
      return Promise.resolve(held(this.lastFailure.result, this.lastFailure.at + this.failureHoldMs - this.now()));
    }
    if (this.inflight === undefined) {
      this.inflight = this.fetch().finally(() => {
        this.inflight = undefined;
      });
    }
    return this.inflight;
  }

  /**
   * For firebase-admin. `expires_in` is reported as 0 so the SDK asks again on every send and
   * this object stays the only cache (asking is cheap): that is what lets `invalidate` recover
   * from a revoked token, which the SDK's own cache would keep using for up to an hour.
   */
  async getAccessToken(): Promise<{ access_token: string; expires_in: number }> {
    const result = await this.token();
    if (!result.ok) throw new TokenFetchError(result.failure);
    return { access_token: result.accessToken, expires_in: 0 };
  }

  /** Forgets `accessToken` (FCM answered 401 with it); a newer one already cached is kept. */
  invalidate(accessToken: string): void {
    if (this.cached?.accessToken === accessToken) this.cached = undefined;
  }

  private async fetch(): Promise<TokenResult> {
    const issuedAt = this.now();
    const form = new URLSearchParams({
      grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
      assertion: signAssertion(this.account, Math.floor(issuedAt / 1000), this.lifetimeS),
    }).toString();
    let answer: TokenEndpointAnswer;
    try {
      answer = await this.post(this.account.token_uri, form);
    } catch (err) {
      return this.remember({ ok: false, failure: { kind: 'unavailable', reason: `token endpoint unreachable: ${(err as Error).message}` } });
    }
    return this.remember(readTokenAnswer(answer, issuedAt));
  }

  private remember(result: TokenResult): TokenResult {
    if (result.ok) {
      this.cached = { accessToken: result.accessToken, expiresAt: result.expiresAt };
      this.lastFailure = undefined;
    } else {
      this.lastFailure = { result, at: this.now() };
    }
    return result;
  }
}

/**
 * A held failure says when asking again is worthwhile (at least when the hold ends), so a retry
 * loop waits for a real fetch instead of spending its attempts on the same held answer.
 */
function held(result: TokenResult, holdLeftMs: number): TokenResult {
  if (result.ok || result.failure.kind !== 'unavailable') return result;
  const retryAfterMs = Math.max(result.failure.retryAfterMs ?? 0, holdLeftMs);
  return { ok: false, failure: { ...result.failure, retryAfterMs } };
}

export function signAssertion(account: ServiceAccountKey, iat: number, lifetimeS: number): string {
  const header = { alg: 'RS256', typ: 'JWT', ...(account.private_key_id ? { kid: account.private_key_id } : {}) };
  const claims = { iss: account.client_email, scope: FCM_SCOPE, aud: account.token_uri, iat, exp: iat + lifetimeS };
  const unsigned = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
  const signature = createSign('RSA-SHA256').update(unsigned).sign(account.private_key);
  return `${unsigned}.${signature.toString('base64url')}`;
}

function base64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

/** Status → result. 408 and 429 are the endpoint's own trouble, so they are retried like 5xx. */
export function readTokenAnswer(answer: TokenEndpointAnswer, requestedAt: number): TokenResult {
  const { status } = answer;
  if (status >= 400 && status < 500 && status !== 408 && status !== 429) {
    return { ok: false, failure: { kind: 'refused', status, reason: `token endpoint refused the grant (${status}${oauthError(answer.body)})` } };
  }
  if (status !== 200) {
    const retryAfterMs = parseRetryAfter(answer.retryAfter, requestedAt);
    const reason = `token endpoint answered ${status}`;
    return { ok: false, failure: { kind: 'unavailable', status, reason, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) } };
  }
  try {
    const body = JSON.parse(answer.body) as { access_token?: unknown; expires_in?: unknown };
    if (typeof body.access_token === 'string' && typeof body.expires_in === 'number') {
      return { ok: true, accessToken: body.access_token, expiresAt: requestedAt + body.expires_in * 1000 };
    }
  } catch {
    // falls through: a 200 without a token is the endpoint's fault
  }
  return { ok: false, failure: { kind: 'unavailable', status, reason: 'token endpoint answered 200 without a token' } };
}

/** The OAuth `error` word (e.g. invalid_grant) helps an operator; descriptions may echo input. */
function oauthError(body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: unknown };
    return typeof parsed.error === 'string' && /^[a-z_]{1,40}$/.test(parsed.error) ? `: ${parsed.error}` : '';
  } catch {
    return '';
  }
}

/** The real POST, through the given agent (CA and proxy); `http:` URIs only for local tools. */
export function createTokenPost(agent: https.Agent, timeoutMs = 10_000): TokenPost {
  return (url, form) =>
    new Promise((resolve, reject) => {
      const target = new URL(url);
      const send = target.protocol === 'http:' ? http.request : https.request;
      const req = send(
        target,
        {
          method: 'POST',
          ...(target.protocol === 'https:' ? { agent } : {}),
          headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(form) },
          timeout: timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const retryAfter = res.headers['retry-after'];
            resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), ...(retryAfter ? { retryAfter } : {}) });
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error('token request timed out')));
      req.on('error', reject);
      req.end(form);
    });
}
