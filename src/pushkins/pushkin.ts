/**
 * The one contract every backend (APNs, FCM) fulfils. Expected outcomes are values;
 * a thrown error from `send` is a bug and is answered as a temporary failure by the dispatcher.
 */
import type { Logger } from 'winston';
import type { Device, Notification } from '../notification';

export type Backend = 'apns' | 'fcm';
export type Fit = 'full' | 'shortened' | 'content_omitted';

export type Outcome =
  /** The provider accepted the push. */
  | { kind: 'delivered'; fit: Fit }
  /** The provider says the token is dead: the homeserver should delete the pusher. */
  | { kind: 'rejected'; reason: string }
  /** Worth trying again later (429/5xx/connection/in-flight limit); the request answers 502 or 503. */
  | { kind: 'temporary'; reason: string; retryAfterMs?: number; inflightLimited?: boolean }
  /** A permanent refusal that is not about the token (config problem, 403, 413): logged, counted, answered 200. */
  | { kind: 'dropped'; reason: string };

export type OutcomeKind = Outcome['kind'];

export interface SendContext {
  /** Epoch milliseconds after which no new attempt may start (the request's deadline). */
  deadline: number;
  requestId: string;
  /** A child logger that already names the request id. */
  log: Logger;
}

export interface Pushkin {
  readonly appId: string;
  readonly backend: Backend;
  /** Sends one device's push; never throws for provider or network answers. */
  send(notification: Notification, device: Device, ctx: SendContext): Promise<Outcome>;
  /** Closes provider sessions (shutdown, reload). */
  close(): Promise<void>;
}

/** A provider's answer to one attempt, before retry policy is applied. */
export type AttemptResult = Outcome;

/** What a pushkin factory is given besides its app's config. */
export interface PushkinDeps {
  log: Logger;
  metrics: import('../observability/metrics').Metrics;
  /** Outbound HTTP CONNECT proxy (config `proxy` or $HTTPS_PROXY), if any. */
  proxy?: string;
}
