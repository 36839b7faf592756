/**
 * The express app: the notify route, /health, and Matrix errors for everything else.
 * No listen here: tests and the server both mount it. State that reloads (config, registry)
 * is read through `state()` on every request, so SIGHUP can swap it between requests.
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'winston';
import type { HeraldConfig } from '../config/schema';
import type { AppRegistry } from '../dispatch/app-registry';
import { dispatch, summarise } from '../dispatch/dispatcher';
import type { PushMemory } from '../dispatch/push-memory';
import type { Metrics } from '../observability/metrics';
import { MatrixError } from './errors';
import { parseNotifyBody } from './parse-notify';
import { createRequestIds } from './request-id';

export const NOTIFY_PATH = '/_matrix/push/v1/notify';

export interface GatewayState {
  config: HeraldConfig;
  registry: AppRegistry;
}

export interface AppDeps {
  state: () => GatewayState;
  memory: PushMemory;
  metrics: Metrics;
  log: Logger;
  /** True once shutdown began: /health answers 503 so load balancers stop sending. */
  draining: () => boolean;
}

export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.set('query parser', false);
  let inflight = 0;

  const requestIdFor = createRequestIds();

  app.use((req, res, next) => {
    const id = requestIdFor(req.headers['x-request-id']);
    res.locals.requestId = id;
    res.setHeader('X-Request-Id', id);
    next();
  });

  app.get('/health', (_req, res) => {
    if (deps.draining()) res.status(503).json({ status: 'draining' });
    else res.json({ status: 'ok' });
  });

  // One parser per body limit (the limit can change on reload), not a new one per request.
  const parsers = new Map<number, express.RequestHandler>();
  const readBody = (req: Request, res: Response, next: NextFunction) => {
    const limit = deps.state().config.http.max_body_bytes;
    let parse = parsers.get(limit);
    if (parse === undefined) {
      parse = express.raw({ type: () => true, limit });
      parsers.set(limit, parse);
    }
    return parse(req, res, next);
  };

  app.post(NOTIFY_PATH, (_req, res, next) => {
    const { http } = deps.state().config;
    if (inflight >= http.max_inflight_requests) {
      return sendError(res, new MatrixError('M_LIMIT_EXCEEDED', 'too many requests in flight', 503, 1), deps);
    }
    inflight++;
    deps.metrics.requestsInFlight.inc();
    const release = (): void => {
      inflight--;
      deps.metrics.requestsInFlight.dec();
    };
    // The slot is held until the request's sends have ended, not merely until its socket closes:
    // clients that hang up and retry must not let work pile up beyond max_inflight_requests.
    res.once('close', () => {
      const work = res.locals.work as Promise<void> | undefined;
      if (work === undefined) release();
      else work.then(release, release);
    });
    next();
  }, readBody, (req, res) => {
    const work = handleNotify(req, res, deps);
    res.locals.work = work;
    return work;
  });

  app.all(NOTIFY_PATH, (_req, res) => sendError(res, new MatrixError('M_UNRECOGNIZED', 'use POST', 405), deps));
  app.all('/health', (_req, res) => sendError(res, new MatrixError('M_UNRECOGNIZED', 'use GET', 405), deps));
  app.use((_req, res) => sendError(res, new MatrixError('M_UNRECOGNIZED', 'unrecognized request', 404), deps));
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => sendError(res, bodyError(err, deps.log), deps));
  return app;
}

async function handleNotify(req: Request, res: Response, deps: AppDeps): Promise<void> {
  const started = process.hrtime.bigint();
  const requestId = String(res.locals.requestId);
  const log = deps.log.child({ request_id: requestId });
  const { config, registry } = deps.state();
  deps.metrics.notificationsReceived.inc();
  const body: unknown = req.body;
  const parsed = parseNotifyBody(Buffer.isBuffer(body) ? body : Buffer.alloc(0), { maxDevices: config.http.max_devices });
  if (parsed instanceof MatrixError) {
    log.info('notify refused', { status: parsed.status, errcode: parsed.errcode, error: parsed.error });
    return sendError(res, parsed, deps, started);
  }
  deps.metrics.devicesReceived.inc(parsed.devices.length);
  const deadline = Date.now() + config.http.request_timeout_ms;
  const answer = await dispatch(parsed, { registry, memory: deps.memory, metrics: deps.metrics }, { deadline, requestId, log });
  const outcomes = summarise(answer.results);
  const duration_ms = Number(process.hrtime.bigint() - started) / 1e6;
  log.info('notify handled', { status: answer.status, devices: parsed.devices.length, duration_ms: Math.round(duration_ms * 10) / 10, outcomes });
  if (answer.status === 200) {
    observe(deps, 200, started);
    res.status(200).json({ rejected: answer.rejected });
  } else if (answer.status === 503) {
    sendError(res, new MatrixError('M_LIMIT_EXCEEDED', 'an app is at its in-flight limit', 503, answer.retryAfterSeconds), deps, started);
  } else {
    sendError(res, new MatrixError('M_UNKNOWN', 'a provider failed temporarily; retry the request', 502), deps, started);
  }
}

function observe(deps: AppDeps, status: number, started?: bigint): void {
  const code = String(status);
  deps.metrics.httpResponses.inc({ code });
  if (started !== undefined) deps.metrics.notifyDuration.observe({ code }, Number(process.hrtime.bigint() - started) / 1e9);
}

function sendError(res: Response, error: MatrixError, deps: AppDeps, started?: bigint): void {
  if (res.headersSent) return;
  observe(deps, error.status, started);
  if (error.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(error.retryAfterSeconds));
  res.status(error.status).json(error);
}

/** body-parser's errors, mapped to what a homeserver can act on. Anything else is a bug: 500. */
function bodyError(err: unknown, log: Logger): MatrixError {
  const type = (err as { type?: string }).type;
  switch (type) {
    case 'entity.too.large':
      return new MatrixError('M_TOO_LARGE', 'body larger than http.max_body_bytes');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new MatrixError('M_NOT_JSON', 'unsupported content encoding or charset');
    case 'request.aborted':
    case 'request.size.invalid':
    case 'entity.verify.failed':
      return new MatrixError('M_NOT_JSON', 'incomplete request body');
    default:
      if ((err as { status?: number }).status === 400) return new MatrixError('M_NOT_JSON', 'unreadable request body');
      log.error('unexpected error while handling a request', { error: String(err) });
      return new MatrixError('M_UNKNOWN', 'internal error', 500);
  }
}
