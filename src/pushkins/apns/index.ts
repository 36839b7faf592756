/**
 * The APNs pushkin: pushkey → token, payload (built and fitted elsewhere) → node-apn, answers →
 * outcomes through the reason table, retries through the shared policy within the deadline.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Notification as ApnsNotification, type Provider, type ResponseFailure } from '@parse/node-apn';
import type { ApnsAppConfig } from '../../config/schema';
import type { Device, Notification } from '../../notification';
import { pushkeyRef } from '../../observability/logger';
import { type ApnsPush, buildApnsPush } from '../../payload/apns';
import type { Outcome, Pushkin, PushkinDeps, SendContext } from '../pushkin';
import { type Clock, DEFAULT_RETRY_POLICY, type RetryPolicy, realClock, sendWithRetry } from '../retry';
import { apnsProviderSetup, createApnsProvider } from './provider';
import { deviceTokenFromPushkey } from './pushkey';
import { classifyFailure } from './reasons';

export type ApnsTransport = Pick<Provider, 'send' | 'shutdown'>;

/** Seams for tests; production uses the defaults. */
export interface ApnsPushkinOptions {
  retryPolicy?: RetryPolicy;
  clock?: Clock;
  /** Replaces the node-apn Provider built from the config. */
  transport?: ApnsTransport;
  /** How long close() waits for node-apn's shutdown (default CLOSE_GRACE_MS). */
  closeGraceMs?: number;
}

/**
 * node-apn's shutdown awaits `session.close(callback)`, which never calls back when the session
 * was already destroyed (after a connection error), so close() would hang. Its timers are
 * cleared before that wait, so giving up after a grace period leaks nothing; in-flight streams
 * normally end well within it.
 */
export const CLOSE_GRACE_MS = 2000;

const DAY_MS = 24 * 60 * 60 * 1000;
export const CERTIFICATE_WARNING_DAYS = 30;

const TIMED_OUT = Symbol('timed out');

/** One device's push across its attempts. */
interface OnePush {
  note: ApnsNotification;
  token: string;
  fit: ApnsPush['fit'];
  /** Hashed into a reference only when a line is logged. */
  pushkey: string;
  /** A reason worth one more attempt (a renewed provider token) has had it. */
  retriedOnce: boolean;
}

export function createApnsPushkin(appId: string, app: ApnsAppConfig, deps: PushkinDeps, options: ApnsPushkinOptions = {}): Pushkin {
  const clock = options.clock ?? realClock;
  const policy = options.retryPolicy ?? DEFAULT_RETRY_POLICY;
  const transport = options.transport ?? openProvider(appId, app, deps, clock);

  async function attempt(push: OnePush, ctx: SendContext, n: number): Promise<Outcome> {
    const remaining = ctx.deadline - clock.now();
    if (remaining <= 0) return { kind: 'temporary', reason: 'deadline' };
    const started = performance.now();
    const result = await withinMs(transport.send(push.note, push.token), remaining);
    deps.metrics.pushDuration.observe({ backend: 'apns' }, (performance.now() - started) / 1000);

    if (result === TIMED_OUT) return answered('timeout', { kind: 'temporary', reason: 'timeout' });
    const failure: ResponseFailure | undefined = result.failed[0];
    if (failure === undefined) return answered('200', { kind: 'delivered', fit: push.fit });

    const verdict = classifyFailure(failure);
    ctx.log.debug('apns attempt failed', { app: appId, pushkey: pushkeyRef(push.pushkey), attempt: n, reason: verdict.outcome.reason });
    if (verdict.retryOnce && !push.retriedOnce) {
      push.retriedOnce = true;
      return answered(verdict.code, { kind: 'temporary', reason: verdict.outcome.reason, retryAfterMs: 0 });
    }
    return answered(verdict.code, verdict.outcome);
  }

  function answered(code: string, outcome: Outcome): Outcome {
    deps.metrics.providerResponses.inc({ app: appId, backend: 'apns', code });
    return outcome;
  }

  return {
    appId,
    backend: 'apns',
    async send(notification: Notification, device: Device, ctx: SendContext): Promise<Outcome> {
      const token = deviceTokenFromPushkey(device.pushkey, app.convert_device_token_to_hex);
      if (token === undefined) return { kind: 'rejected', reason: 'invalid_pushkey' };
      const push = buildApnsPush(notification, device, app);
      if (push === null) {
        // Nothing worth showing or counting (Sygnal sends nothing either): handled, not failed.
        ctx.log.debug('apns push has nothing to say', { app: appId, pushkey: pushkeyRef(device.pushkey) });
        return { kind: 'delivered', fit: 'full' };
      }
      // One apns-id per push, reused by every retry, so APNs and the app can tell repeats apart.
      const one: OnePush = {
        note: toApnsNotification(push, app.topic, randomUUID()),
        token,
        fit: push.fit,
        pushkey: device.pushkey,
        retriedOnce: false,
      };
      return sendWithRetry((n) => attempt(one, ctx, n), ctx.deadline, policy, clock);
    },
    close: async () => {
      await withinMs(new Promise<void>((resolve) => transport.shutdown(resolve)), options.closeGraceMs ?? CLOSE_GRACE_MS);
    },
  };
}

export function toApnsNotification(push: ApnsPush, topic: string | undefined, apnsId: string): ApnsNotification {
  const note = new ApnsNotification();
  note.rawPayload = push.body;
  // node-apn would JSON.stringify the body again; pinning its compiled form sends exactly the measured bytes.
  (note as unknown as { compiled: string }).compiled = push.json;
  note.id = apnsId;
  note.priority = push.priority;
  note.pushType = push.pushType as ApnsNotification['pushType'];
  if (topic !== undefined) note.topic = topic;
  if (push.collapseId !== undefined) note.collapseId = push.collapseId;
  return note;
}

function openProvider(appId: string, app: ApnsAppConfig, deps: PushkinDeps, clock: Clock): ApnsTransport {
  const setup = apnsProviderSetup(app, deps.proxy);
  if (setup.certificateNotAfter) reportCertificateExpiry(appId, setup.certificateNotAfter, deps, clock.now());
  return createApnsProvider(setup);
}

function reportCertificateExpiry(appId: string, notAfter: Date, deps: PushkinDeps, now: number): void {
  deps.metrics.apnsCertificateExpiry.set({ app: appId }, Math.floor(notAfter.getTime() / 1000));
  const daysLeft = Math.floor((notAfter.getTime() - now) / DAY_MS);
  if (daysLeft < CERTIFICATE_WARNING_DAYS) {
    deps.log.warn('apns client certificate expires soon', { app: appId, not_after: notAfter.toISOString(), days_left: daysLeft });
  }
}

/** node-apn's stream timeout is per provider; the request's deadline is per push, so race it. */
function withinMs<T>(work: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
