/**
 * APNs answers → outcomes (contract section 3), as a table: one row per documented reason, each
 * with why it lands where it does. Anything not in the table falls back on its status class.
 *
 * What node-apn 8 reports in `failed[0]` (read from its client.js):
 * - an answer with a JSON body: `status` + `response.reason` (410 adds `response.timestamp`);
 * - 403 ExpiredProviderToken: `status` + `error` whose message is the reason (it renews the token);
 * - 500 InternalServerError: `status` + `error` (the reason is lost);
 * - a non-2xx answer with an empty body: only `error`, "…with status NNN and empty body";
 * - timeouts, refused connections, TLS failures, aborted streams: only `error`.
 * It never exposes `retry-after` (it reads `Retry-After`, which HTTP/2 never delivers).
 */
import type { ResponseFailure } from '@parse/node-apn';
import type { Outcome } from '../pushkin';

export type FailureOutcome = Exclude<Outcome, { kind: 'delivered' }>;

export interface Verdict {
  outcome: FailureOutcome;
  /** The `code` label of herald_provider_responses_total: an HTTP status or a fixed word. */
  code: string;
  /** Worth exactly one more attempt even though it is not temporary (a renewed provider token). */
  retryOnce?: boolean;
}

type Row = { kind: 'rejected' | 'temporary' | 'dropped'; retryOnce?: boolean; why: string };

export const REASON_TABLE: Readonly<Record<string, Row>> = {
  Unregistered: { kind: 'rejected', why: '410: the app was uninstalled or the token is no longer active' },
  ExpiredToken: { kind: 'rejected', why: '410: the device token has expired; it will never work again' },
  BadDeviceToken: { kind: 'rejected', why: '400: not a token of this environment; the pusher is useless' },
  DeviceTokenNotForTopic: { kind: 'rejected', why: '400: the token belongs to another app' },
  TopicDisallowed: { kind: 'rejected', why: '400: pushing to this topic is not allowed for the token' },
  TooManyRequests: { kind: 'temporary', why: '429: too many pushes to this token; wait and retry' },
  InternalServerError: { kind: 'temporary', why: '500: Apple-side failure' },
  ServiceUnavailable: { kind: 'temporary', why: '503: Apple is overloaded' },
  Shutdown: { kind: 'temporary', why: '503: the APNs server is shutting down; a new connection will do' },
  ExpiredProviderToken: { kind: 'dropped', retryOnce: true, why: '403: node-apn has just renewed the JWT, so one retry should pass' },
  InvalidProviderToken: { kind: 'dropped', why: '403: key id, team id or key is wrong: a configuration problem' },
  MissingProviderToken: { kind: 'dropped', why: '403: no credentials: a configuration problem' },
  Forbidden: { kind: 'dropped', why: '403: the credentials may not send this push' },
  BadCertificate: { kind: 'dropped', why: '403: the client certificate is invalid' },
  BadCertificateEnvironment: { kind: 'dropped', why: '403: certificate is for the other environment (platform)' },
  PayloadTooLarge: { kind: 'dropped', why: '413: the body is over the limit; resending the same bytes cannot help' },
  MissingTopic: { kind: 'dropped', why: '400: apns-topic is needed (token auth or multi-topic certificate)' },
  BadTopic: { kind: 'dropped', why: '400: apns-topic is invalid: a configuration problem' },
  BadPriority: { kind: 'dropped', why: '400: a request Herald built wrongly; retrying repeats it' },
  BadCollapseId: { kind: 'dropped', why: '400: a request Herald built wrongly; retrying repeats it' },
};

const TIMEOUT_MESSAGE = /timeout/i;
const EMPTY_BODY_STATUS = /with status (\d{3}) and empty body/;

export function classifyFailure(failure: ResponseFailure): Verdict {
  const status = typeof failure.status === 'number' ? failure.status : emptyBodyStatus(failure);
  if (status === undefined) {
    const code = TIMEOUT_MESSAGE.test(failure.error?.message ?? '') ? 'timeout' : 'connection_error';
    return { outcome: { kind: 'temporary', reason: code }, code };
  }
  const reason = failure.response?.reason ?? (failure.response ? undefined : knownReason(failure.error?.message));
  const description = reason === undefined ? `${status}` : `${status} ${reason}`;
  const row = reason === undefined ? undefined : REASON_TABLE[reason];
  const kind = row?.kind ?? kindByStatus(status);
  return { outcome: { kind, reason: description }, code: String(status), ...(row?.retryOnce ? { retryOnce: true } : {}) };
}

/** For answers with no usable reason: APNs' own status classes. */
export function kindByStatus(status: number): Row['kind'] {
  if (status === 410) return 'rejected';
  if (status === 429 || status >= 500) return 'temporary';
  return 'dropped';
}

function emptyBodyStatus(failure: ResponseFailure): number | undefined {
  const match = EMPTY_BODY_STATUS.exec(failure.error?.message ?? '');
  return match ? Number(match[1]) : undefined;
}

/** node-apn puts a reason into `error.message` only for ExpiredProviderToken; other messages are prose. */
function knownReason(message: string | undefined): string | undefined {
  return message !== undefined && Object.hasOwn(REASON_TABLE, message) ? message : undefined;
}
