/**
 * FCM's answers → Herald's outcomes (contract section 3). firebase-admin turns every HTTP answer
 * into a `FirebaseMessagingError` whose `code` is all it keeps (no status, no headers), so the
 * HTTP status and Retry-After come from the transport's own observation of the exchange.
 */
import type { Outcome } from '../pushkin';
import type { TokenFailure } from './credential';

type Verdict = 'rejected' | 'dropped' | 'temporary';

interface Row {
  verdict: Verdict;
  /** A configuration problem an operator must fix: logged at error level. */
  loud?: true;
  why: string;
}

/** One row per error code firebase-admin 13 produces for `send()`. */
export const FCM_ERROR_TABLE: Readonly<Record<string, Row>> = {
  'messaging/registration-token-not-registered': { verdict: 'rejected', why: '404 UNREGISTERED: the app was uninstalled or the token expired' },
  'messaging/invalid-registration-token': { verdict: 'rejected', why: 'the token is not one FCM ever issued' },
  // 'messaging/invalid-argument' depends on what it concerns: see classifyInvalidArgument.
  'messaging/mismatched-credential': { verdict: 'dropped', loud: true, why: '403 SENDER_ID_MISMATCH/PERMISSION_DENIED: the service account belongs to another project' },
  'messaging/third-party-auth-error': { verdict: 'dropped', loud: true, why: '401 UNAUTHENTICATED or APNs credentials missing in the Firebase project' },
  'messaging/authentication-error': { verdict: 'dropped', loud: true, why: '401/403 without a JSON body: FCM refused our credentials' },
  'messaging/invalid-package-name': { verdict: 'dropped', loud: true, why: 'restricted_package_name in fcm_options does not match the app' },
  'messaging/payload-size-limit-exceeded': { verdict: 'dropped', why: 'FCM counts the message bigger than Herald did; retrying cannot shrink it' },
  'messaging/invalid-data-payload-key': { verdict: 'dropped', why: 'a reserved data key (from, gcm, google…) came from default_payload' },
  'messaging/invalid-options': { verdict: 'dropped', why: 'an option (e.g. TTL) in fcm_options is invalid' },
  'messaging/invalid-payload': { verdict: 'dropped', loud: true, why: 'the SDK refused the message before sending it: a payload builder bug' },
  'messaging/message-rate-exceeded': { verdict: 'temporary', why: '429 QUOTA_EXCEEDED: slow down and try again' },
  'messaging/device-message-rate-exceeded': { verdict: 'temporary', why: 'too many messages to one device: try again later' },
  'messaging/internal-error': { verdict: 'temporary', why: '500 INTERNAL: FCM says to retry' },
  'messaging/server-unavailable': { verdict: 'temporary', why: '503 UNAVAILABLE: FCM is overloaded' },
  'messaging/unknown-error': { verdict: 'temporary', why: 'an answer FCM does not document: assume it passes' },
  'app/network-error': { verdict: 'temporary', why: 'connection refused, reset, TLS failure or proxy refusal' },
  'app/network-timeout': { verdict: 'temporary', why: 'no answer within the SDK timeout' },
  'app/invalid-credential': { verdict: 'temporary', why: 'the SDK could not get an OAuth token (our own pre-fetch classifies the cause)' },
};

const INVALID_ARGUMENT = 'messaging/invalid-argument';

/** Every outcome but delivery: what an error can lead to. */
export type Failure = Exclude<Outcome, { kind: 'delivered' }>;

export interface Classified {
  outcome: Failure;
  loud: boolean;
  /** The error code, for logs (never the message: it may echo payload fields). */
  code: string;
}

export interface ExchangeFacts {
  retryAfterMs?: number;
  /** The transport cut the request at the request's deadline. */
  deadlineHit?: boolean;
}

export function classifyFcmError(error: unknown, facts: ExchangeFacts = {}): Classified {
  const code = errorCode(error);
  if (facts.deadlineHit) return { outcome: { kind: 'temporary', reason: 'fcm_deadline' }, loud: false, code };
  if (code === INVALID_ARGUMENT) return classifyInvalidArgument(errorMessage(error));
  const row = FCM_ERROR_TABLE[code];
  const reason = `fcm:${code}`;
  if (row === undefined) return { outcome: { kind: 'temporary', reason }, loud: false, code };
  return { outcome: toOutcome(row.verdict, reason, facts.retryAfterMs), loud: row.loud === true, code };
}

/**
 * FCM answers 400 INVALID_ARGUMENT both for a bad token and for a bad message; only the message
 * tells them apart ("The registration token is not a valid FCM registration token", or a field
 * violation on `message.token`). Sygnal never rejects here, so dead tokens pile up; Herald does.
 */
export function classifyInvalidArgument(message: string): Classified {
  const aboutToken = /registration[ _-]?token|message\.token/i.test(message);
  return aboutToken
    ? { outcome: { kind: 'rejected', reason: `fcm:${INVALID_ARGUMENT}:token` }, loud: false, code: INVALID_ARGUMENT }
    : { outcome: { kind: 'dropped', reason: `fcm:${INVALID_ARGUMENT}` }, loud: false, code: INVALID_ARGUMENT };
}

/**
 * A refused grant (4xx) means a wrong, revoked or disabled key: no token will ever be fetched
 * until the operator acts, so it is dropped loudly rather than retried into a 502 forever.
 * An unreachable or failing endpoint is temporary, like any connection failure.
 */
export function classifyTokenFailure(failure: TokenFailure): Classified {
  if (failure.kind === 'refused') {
    return { outcome: { kind: 'dropped', reason: `oauth_refused_${failure.status}` }, loud: true, code: 'oauth/refused' };
  }
  const outcome: Failure = { kind: 'temporary', reason: 'oauth_unavailable', ...(failure.retryAfterMs !== undefined ? { retryAfterMs: failure.retryAfterMs } : {}) };
  return { outcome, loud: false, code: 'oauth/unavailable' };
}

function toOutcome(verdict: Verdict, reason: string, retryAfterMs: number | undefined): Failure {
  if (verdict !== 'temporary') return { kind: verdict, reason };
  return retryAfterMs !== undefined ? { kind: 'temporary', reason, retryAfterMs } : { kind: 'temporary', reason };
}

function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'unexpected';
}

function errorMessage(error: unknown): string {
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : '';
}
