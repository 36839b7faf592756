/**
 * The notify request itself, shared by the fast path and the express route: admission under the
 * global in-flight limit, then parse, dispatch and answer. Takes the body already read.
 */
import type { ServerResponse } from 'node:http';
import type { Logger } from 'winston';
import type { HeraldConfig } from '../config/schema';
import type { AppRegistry } from '../dispatch/app-registry';
import { dispatch, summarise } from '../dispatch/dispatcher';
import type { PushMemory } from '../dispatch/push-memory';
import type { Metrics } from '../observability/metrics';
import { MatrixError } from './errors';
import { parseNotifyBody } from './parse-notify';
import { sendError, sendJson, observe } from './respond';

export const NOTIFY_PATH = '/_matrix/push/v1/notify';

export interface GatewayState {
  config: HeraldConfig;
  registry: AppRegistry;
}

export interface NotifyDeps {
  state: () => GatewayState;
  memory: PushMemory;
  metrics: Metrics;
  log: Logger;
}

/** Hands the admitted request's work to its slot, which is held until that work has settled. */
export type HoldSlot = (work: Promise<void>) => void;

/** Admits a notify request under http.max_inflight_requests, or refuses it with a 503. */
export function createAdmission(deps: Pick<NotifyDeps, 'state' | 'metrics'>): (res: ServerResponse) => HoldSlot | MatrixError {
  let inflight = 0;
  return (res) => {
    if (inflight >= deps.state().config.http.max_inflight_requests) {
      return new MatrixError('M_LIMIT_EXCEEDED', 'too many requests in flight', 503, 1);
    }
    inflight++;
    deps.metrics.requestsInFlight.inc();
    const release = (): void => {
      inflight--;
      deps.metrics.requestsInFlight.dec();
    };
    let work: Promise<void> | undefined;
    // The slot is held until the request's sends have ended, not merely until its socket closes:
    // clients that hang up and retry must not let work pile up beyond max_inflight_requests.
    res.once('close', () => {
      if (work === undefined) release();
      else work.then(release, release);
    });
    return (w) => {
      work = w;
    };
  };
}

export async function handleNotify(body: Buffer, requestId: string, res: ServerResponse, deps: NotifyDeps): Promise<void> {
  const started = process.hrtime.bigint();
  const log = deps.log.child({ request_id: requestId });
  const { config, registry } = deps.state();
  deps.metrics.notificationsReceived.inc();
  const parsed = parseNotifyBody(body, { maxDevices: config.http.max_devices });
  if (parsed instanceof MatrixError) {
    log.info('notify refused', { status: parsed.status, errcode: parsed.errcode, error: parsed.error });
    return sendError(res, parsed, deps.metrics, started);
  }
  deps.metrics.devicesReceived.inc(parsed.devices.length);
  const deadline = Date.now() + config.http.request_timeout_ms;
  const answer = await dispatch(parsed, { registry, memory: deps.memory, metrics: deps.metrics }, { deadline, requestId, log });
  const outcomes = summarise(answer.results);
  const duration_ms = Number(process.hrtime.bigint() - started) / 1e6;
  log.info('notify handled', { status: answer.status, devices: parsed.devices.length, duration_ms: Math.round(duration_ms * 10) / 10, outcomes });
  if (answer.status === 200) {
    observe(deps.metrics, 200, started);
    sendJson(res, 200, { rejected: answer.rejected });
  } else if (answer.status === 503) {
    sendError(res, new MatrixError('M_LIMIT_EXCEEDED', 'an app is at its in-flight limit', 503, answer.retryAfterSeconds), deps.metrics, started);
  } else {
    sendError(res, new MatrixError('M_UNKNOWN', 'a provider failed temporarily; retry the request', 502), deps.metrics, started);
  }
}
