/**
 * One notify request → one answer. Every device is handled concurrently; each ends as an
 * Outcome; the answer is 200 with every rejection, 503 when an app's in-flight limit refused a
 * send, or 502 when a temporary failure outlived retries or the request deadline.
 */
import type { Device, Notification } from '../notification';
import { isEncrypted } from '../notification';
import type { Metrics } from '../observability/metrics';
import { pushkeyRef } from '../observability/logger';
import type { Outcome, Pushkin, SendContext } from '../pushkins/pushkin';
import type { AppRegistry } from './app-registry';
import type { PushMemory } from './push-memory';

export interface DispatchDeps {
  registry: AppRegistry;
  memory: PushMemory;
  metrics: Metrics;
}

/** The per-device result, including the two outcomes the dispatcher decides itself. */
export type DeviceResult = Outcome | { kind: 'duplicate' };

export type DispatchAnswer =
  | { status: 200; rejected: string[]; results: DeviceResult[] }
  | { status: 502; rejected: string[]; results: DeviceResult[] }
  | { status: 503; retryAfterSeconds: number; rejected: string[]; results: DeviceResult[] };

const DEADLINE_PASSED: Outcome = { kind: 'temporary', reason: 'request_timeout' };

export async function dispatch(
  notification: Notification,
  deps: DispatchDeps,
  ctx: SendContext,
): Promise<DispatchAnswer> {
  const results: Array<DeviceResult | undefined> = new Array(notification.devices.length);
  const all = Promise.all(
    notification.devices.map(async (device, i) => {
      results[i] = await handleDevice(notification, device, deps, ctx);
    }),
  );
  await raceDeadline(all, ctx.deadline);
  const final = Array.from(results, (r) => r ?? DEADLINE_PASSED);
  return answer(notification.devices, final);
}

function answer(devices: Device[], results: DeviceResult[]): DispatchAnswer {
  const rejected: string[] = [];
  let limited: number | undefined;
  let temporary = false;
  results.forEach((r, i) => {
    if (r.kind === 'rejected') rejected.push(devices[i].pushkey);
    if (r.kind === 'temporary') {
      if (r.inflightLimited) limited = Math.max(limited ?? 1, Math.ceil((r.retryAfterMs ?? 1000) / 1000));
      else temporary = true;
    }
  });
  if (limited !== undefined) return { status: 503, retryAfterSeconds: limited, rejected, results };
  if (temporary) return { status: 502, rejected, results };
  return { status: 200, rejected, results };
}

async function handleDevice(n: Notification, device: Device, deps: DispatchDeps, ctx: SendContext): Promise<DeviceResult> {
  const found = deps.registry.find(device.app_id);
  if ('problem' in found) {
    ctx.log.info('device rejected', { reason: found.problem, pushkey: pushkeyRef(device.pushkey) });
    return { kind: 'rejected', reason: found.problem };
  }
  const { pushkin } = found;
  const labels = { app: pushkin.appId, backend: pushkin.backend };
  const result = await sendRemembering(pushkin, n, device, deps, ctx);
  deps.metrics.pushes.inc({ ...labels, outcome: result.kind === 'temporary' ? 'temporary_failure' : result.kind });
  if (result.kind === 'delivered') {
    deps.metrics.payloadFits.inc({ app: pushkin.appId, fit: result.fit });
    // A degraded push is worth an operator's attention (content cut or omitted); a full one is routine.
    const level = result.fit === 'full' ? 'debug' : 'info';
    // Checked first: this runs for every push, and the pushkey's hash is not free.
    if (ctx.log.isLevelEnabled(level)) ctx.log.log(level, 'push delivered', { app: pushkin.appId, pushkey: pushkeyRef(device.pushkey), fit: result.fit });
  }
  return result;
}

/** Consults and updates the push memory around one send: dead keys and already-delivered events. */
async function sendRemembering(
  pushkin: Pushkin, n: Notification, device: Device, deps: DispatchDeps, ctx: SendContext,
): Promise<DeviceResult> {
  const { appId } = pushkin;
  const eventId = isEncrypted(n) ? undefined : n.event_id;
  if (await deps.memory.isDead(appId, device.pushkey)) return { kind: 'rejected', reason: 'remembered_dead' };
  if (eventId !== undefined && (await deps.memory.wasDelivered(appId, device.pushkey, eventId))) return { kind: 'duplicate' };
  let outcome: Outcome;
  try {
    outcome = await pushkin.send(n, device, ctx);
  } catch (err) {
    ctx.log.error('pushkin failed unexpectedly', { app: appId, error: String(err) });
    outcome = { kind: 'temporary', reason: 'internal_error' };
  }
  if (outcome.kind === 'delivered' && eventId !== undefined) await deps.memory.markDelivered(appId, device.pushkey, eventId);
  if (outcome.kind === 'rejected') await deps.memory.markDead(appId, device.pushkey);
  if (outcome.kind !== 'delivered') {
    ctx.log.info('push not delivered', { app: appId, pushkey: pushkeyRef(device.pushkey), outcome: outcome.kind, reason: outcome.reason });
  }
  return outcome;
}

async function raceDeadline(work: Promise<unknown>, deadline: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
  });
  try {
    await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
  }
}

export function summarise(results: DeviceResult[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of results) counts[r.kind] = (counts[r.kind] ?? 0) + 1;
  return counts;
}
