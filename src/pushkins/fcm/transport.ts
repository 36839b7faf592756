/**
 * One firebase-admin App per Herald app, sending with `send()` (HTTP/1.1 through our agent;
 * `sendEach()` would open its own HTTP/2 session to the constant host and ignore the agent).
 *
 * firebase-admin's errors keep only a code, and its own retries (503, resets, timeouts; after
 * 0 s, 1 s, 2 s… or Retry-After) ignore any deadline. So every request this app's agent carries
 * is tied to its send by an AsyncLocalStorage and observed: that yields the real status and
 * Retry-After of each exchange, cuts a request still open at the deadline, and refuses a retry
 * the SDK starts after it (which would deliver a push already reported as failed).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { ClientRequest, IncomingMessage } from 'node:http';
import { randomUUID } from 'node:crypto';
import { deleteApp, initializeApp, type App, type Credential } from 'firebase-admin/app';
import { getMessaging, type Messaging, type TokenMessage } from 'firebase-admin/messaging';
import type { FcmMessage } from '../../payload/fcm';
import { ProviderAgent, type Redirect } from './agent';
import { untilDeadline } from './deadline';

export const FCM_HOST = 'fcm.googleapis.com';
export const FCM_DEFAULT_ENDPOINT = `https://${FCM_HOST}`;

/** One HTTP exchange as seen on the wire: a status, or the connection-level failure. */
export interface Exchange {
  status?: number;
  retryAfter?: string;
  failure?: 'connection' | 'deadline';
}

export type SendReport =
  | { ok: true; exchanges: Exchange[] }
  | { ok: false; error: unknown; exchanges: Exchange[]; deadlineHit: boolean };

interface AttemptRecord {
  deadline: number;
  exchanges: Exchange[];
  deadlineHit: boolean;
  /** The send has been reported: later events of its requests no longer count. */
  reported: boolean;
}

export interface FcmTransportOptions {
  /** Herald's app id; the firebase-admin App gets a unique name derived from it. */
  appId: string;
  projectId: string;
  credential: Credential;
  endpoint?: string;
  caPem?: string;
  proxy?: string;
  maxConnections: number;
}

export class FcmTransport {
  private readonly app: App;
  private readonly messaging: Messaging;
  private readonly agent: ProviderAgent;
  private readonly attempts = new AsyncLocalStorage<AttemptRecord>();

  constructor(options: FcmTransportOptions) {
    this.agent = new ProviderAgent({
      keepAlive: true,
      maxSockets: options.maxConnections,
      caPem: options.caPem,
      proxy: options.proxy,
      redirects: fcmRedirects(options.endpoint ?? FCM_DEFAULT_ENDPOINT),
      onRequest: (request) => this.observe(request),
    });
    this.app = initializeApp(
      { credential: options.credential, projectId: options.projectId, httpAgent: this.agent },
      `herald-fcm:${options.appId}:${randomUUID()}`,
    );
    this.messaging = getMessaging(this.app);
  }

  /** One send, never past `deadline` (epoch ms); failures are reported, not thrown. */
  async send(message: TokenMessage, deadline: number): Promise<SendReport> {
    const record: AttemptRecord = { deadline, exchanges: [], deadlineHit: false, reported: false };
    const settled = this.attempts.run(record, () =>
      this.messaging.send(message).then(
        () => ({ ok: true as const }),
        (error: unknown) => ({ ok: false as const, error }),
      ),
    );
    const result = await untilDeadline(settled, deadline);
    record.reported = true;
    const exchanges = [...record.exchanges];
    if (result === undefined) {
      // A request still open is cut by its own timer; the SDK may also be sleeping between its retries.
      if (!record.deadlineHit) exchanges.push({ failure: 'deadline' });
      return { ok: false, error: new Error('deadline passed during the send'), exchanges, deadlineHit: true };
    }
    if (result.ok) return { ok: true, exchanges };
    return { ok: false, error: result.error, exchanges, deadlineHit: record.deadlineHit };
  }

  async close(): Promise<void> {
    await deleteApp(this.app);
    this.agent.destroy();
  }

  private observe(request: ClientRequest): void {
    const record = this.attempts.getStore();
    if (record === undefined) return;
    if (record.reported || record.deadline <= Date.now()) {
      request.destroy(deadlineError());
      return;
    }
    let answered = false;
    const timer = setTimeout(() => {
      if (!record.reported) {
        record.deadlineHit = true;
        record.exchanges.push({ failure: 'deadline' });
      }
      request.destroy(deadlineError());
    }, record.deadline - Date.now());
    request.once('response', (response: IncomingMessage) => {
      answered = true;
      clearTimeout(timer);
      if (record.reported) return;
      const retryAfter = response.headers['retry-after'];
      record.exchanges.push({ status: response.statusCode, ...(retryAfter !== undefined ? { retryAfter } : {}) });
    });
    request.once('error', () => {
      if (!answered && !record.deadlineHit && !record.reported) record.exchanges.push({ failure: 'connection' });
    });
    request.once('close', () => clearTimeout(timer));
  }
}

/** Not one of the codes (ECONNRESET, ETIMEDOUT) firebase-admin retries by itself. */
function deadlineError(): Error {
  return Object.assign(new Error('request deadline passed'), { code: 'HERALD_DEADLINE' });
}

/** firebase-admin dials fcm.googleapis.com:443 whatever the endpoint; point that at the endpoint. */
export function fcmRedirects(endpoint: string): ReadonlyMap<string, Redirect> {
  const url = new URL(endpoint);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = Number(url.port) || 443;
  if (host === FCM_HOST && port === 443) return new Map();
  return new Map([[`${FCM_HOST}:443`, { host, port }]]);
}

/**
 * The payload builder writes the REST (snake_case) message, as `fcm_options` is written; the
 * SDK passes snake_case keys through unchanged except `android.ttl`, which it wants in
 * milliseconds (and turns back into "<seconds>s").
 */
export function toSdkMessage(message: FcmMessage): TokenMessage {
  const ttl = message.android.ttl;
  if (typeof ttl !== 'string') return message as unknown as TokenMessage;
  const seconds = /^(\d+(?:\.\d+)?)s$/.exec(ttl);
  if (seconds === null) return message as unknown as TokenMessage;
  const android = { ...message.android, ttl: Math.round(Number(seconds[1]) * 1000) };
  return { ...message, android } as unknown as TokenMessage;
}
