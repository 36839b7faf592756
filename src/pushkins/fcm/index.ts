/**
 * The FCM pushkin: payload (built and fitted elsewhere) → firebase-admin `send()` through our
 * agent → the error table → the shared retry policy, all within the request's deadline, with at
 * most `max_connections` sends in flight.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { FcmAppConfig } from '../../config/schema';
import type { Device, Notification } from '../../notification';
import { pushkeyRef } from '../../observability/logger';
import { buildFcmMessage, type FcmMessage } from '../../payload/fcm';
import type { Fit, Outcome, Pushkin, PushkinDeps, SendContext } from '../pushkin';
import { type Clock, DEFAULT_RETRY_POLICY, type RetryPolicy, parseRetryAfter, realClock, sendWithRetry } from '../retry';
import { ProviderAgent } from './agent';
import { ServiceAccountCredential, createTokenPost, parseServiceAccount } from './credential';
import { untilDeadline } from './deadline';
import { type Classified, classifyFcmError, classifyTokenFailure } from './errors';
import { SendSlots } from './slots';
import { type Exchange, FcmTransport, toSdkMessage } from './transport';

/** Seams for tests; production uses the defaults. */
export interface FcmPushkinOptions {
  retryPolicy?: RetryPolicy;
  clock?: Clock;
}

/** One device's push across its attempts. */
interface OnePush {
  message: FcmMessage;
  fit: Fit;
  /** Hashed into a reference only when a line is logged. */
  pushkey: string;
  /** A 401 has already cost the cached access token once: a second one is a real refusal. */
  tokenRenewed: boolean;
}

const DEADLINE: Outcome = { kind: 'temporary', reason: 'deadline' };

export function createFcmPushkin(appId: string, app: FcmAppConfig, deps: PushkinDeps, options: FcmPushkinOptions = {}): Pushkin {
  const clock = options.clock ?? realClock;
  const policy = options.retryPolicy ?? DEFAULT_RETRY_POLICY;
  const account = parseServiceAccount(readFileSync(app.service_account_file, 'utf8'));
  const caPem = app.ca_file !== undefined ? readFileSync(app.ca_file, 'utf8') : undefined;
  // Tokens are fetched about once an hour: no keep-alive, its own small pool.
  const tokenAgent = new ProviderAgent({ keepAlive: false, maxSockets: 2, caPem, proxy: deps.proxy });
  const credential = new ServiceAccountCredential(account, createTokenPost(tokenAgent), { now: clock.now });
  const projectId = app.project_id ?? account.project_id;
  if (projectId === undefined) throw new Error(`FCM app ${appId}: no project_id in config or service account`);
  const transport = new FcmTransport({
    appId, projectId, credential, endpoint: app.endpoint, caPem, proxy: deps.proxy, maxConnections: app.max_connections,
  });
  const slots = new SendSlots(app.max_connections);

  async function attempt(push: OnePush, ctx: SendContext, n: number): Promise<Outcome> {
    if (ctx.deadline <= clock.now()) return DEADLINE;
    const release = await slots.acquire(ctx.deadline, clock.now());
    if (release === undefined) return { kind: 'temporary', reason: 'fcm_queue_deadline' };
    try {
      return await attemptHoldingSlot(push, ctx, n);
    } finally {
      release();
    }
  }

  async function attemptHoldingSlot(push: OnePush, ctx: SendContext, n: number): Promise<Outcome> {
    const started = performance.now();
    // Fetched here rather than inside the SDK, whose errors would hide the endpoint's answer.
    const token = await untilDeadline(credential.token(), ctx.deadline, clock.now());
    if (token === undefined) {
      count('timeout');
      return { kind: 'temporary', reason: 'oauth_deadline' };
    }
    if (!token.ok) {
      count('oauth_error');
      return conclude(push, ctx, n, classifyTokenFailure(token.failure));
    }
    if (ctx.deadline <= clock.now()) return DEADLINE;

    const report = await transport.send(toSdkMessage(push.message), ctx.deadline);
    deps.metrics.pushDuration.observe({ backend: 'fcm' }, (performance.now() - started) / 1000);
    report.exchanges.forEach((exchange) => count(exchangeCode(exchange)));
    if (report.ok) return { kind: 'delivered', fit: push.fit };
    if (report.exchanges.length === 0 && !report.deadlineHit) count('not_sent');

    const last = report.exchanges.at(-1);
    if (last?.status === 401 && !push.tokenRenewed) {
      // A revoked or rotated access token: fetch a fresh one and try again at once.
      push.tokenRenewed = true;
      credential.invalidate(token.accessToken);
      return { kind: 'temporary', reason: 'fcm_token_renewed', retryAfterMs: 0 };
    }
    const retryAfterMs = parseRetryAfter(last?.retryAfter, clock.now());
    return conclude(push, ctx, n, classifyFcmError(report.error, { retryAfterMs, deadlineHit: report.deadlineHit }));
  }

  function conclude(push: OnePush, ctx: SendContext, n: number, verdict: Classified): Outcome {
    const fields = { app: appId, pushkey: pushkeyRef(push.pushkey), attempt: n, code: verdict.code, reason: verdict.outcome.reason };
    if (verdict.loud) ctx.log.error('FCM refused this app\'s credentials or message: check its service account, project_id and fcm_options', fields);
    else ctx.log.debug('fcm attempt failed', fields);
    return verdict.outcome;
  }

  function count(code: string): void {
    deps.metrics.providerResponses.inc({ app: appId, backend: 'fcm', code });
  }

  return {
    appId,
    backend: 'fcm',
    async send(notification: Notification, device: Device, ctx: SendContext): Promise<Outcome> {
      if (device.pushkey === '') return { kind: 'rejected', reason: 'invalid_pushkey' };
      const built = buildFcmMessage(notification, device, app);
      if (built === null) {
        // Nothing worth showing or counting (Sygnal sends nothing either): handled, not failed.
        ctx.log.debug('fcm push has nothing to say', { app: appId, pushkey: pushkeyRef(device.pushkey) });
        return { kind: 'delivered', fit: 'full' };
      }
      const push: OnePush = { message: built.message, fit: built.fit, pushkey: device.pushkey, tokenRenewed: false };
      return sendWithRetry((n) => attempt(push, ctx, n), ctx.deadline, policy, clock);
    },
    async close(): Promise<void> {
      await transport.close();
      tokenAgent.destroy();
    },
  };
}

/** The `code` label of one exchange: its HTTP status, or a fixed word when there was none. */
function exchangeCode(exchange: Exchange): string {
  if (exchange.status !== undefined) return String(exchange.status);
  return exchange.failure === 'deadline' ? 'timeout' : 'connection_error';
}
