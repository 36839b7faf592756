/**
 * The notify server's request listener: POST /_matrix/push/v1/notify on the fast path (no
 * express), and the express app for everything else: compressed notify bodies, /health, and
 * Matrix errors. No listen here: tests and the server both mount it. State that reloads (config,
 * registry) is read through `state()` on every request, so SIGHUP can swap it between requests.
 */
import type { RequestListener } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import { MatrixError } from './errors';
import { createFastNotify } from './fast-notify';
import { createAdmission, handleNotify, NOTIFY_PATH, type NotifyDeps } from './notify';
import { createRequestIds } from './request-id';
import { bodyError, sendError, sendJson } from './respond';

export { NOTIFY_PATH, type GatewayState } from './notify';

export interface AppDeps extends NotifyDeps {
  /** True once shutdown began: /health answers 503 so load balancers stop sending. */
  draining: () => boolean;
}

export function createApp(deps: AppDeps): RequestListener {
  const requestIdFor = createRequestIds();
  const admit = createAdmission(deps);
  const fastNotify = createFastNotify(deps, admit);
  const app = createExpressApp(deps, admit);
  return (req, res) => {
    const id = requestIdFor(req.headers['x-request-id']);
    res.setHeader('X-Request-Id', id);
    if (!fastNotify(req, res, id)) {
      (res as unknown as Response).locals = { requestId: id };
      app(req, res);
    }
  };
}

function createExpressApp(deps: AppDeps, admit: ReturnType<typeof createAdmission>): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.set('query parser', false);
  const { metrics, log } = deps;

  app.get('/health', (_req, res) => {
    if (deps.draining()) sendJson(res, 503, { status: 'draining' });
    else sendJson(res, 200, { status: 'ok' });
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

  // Compressed bodies (and notify URLs with a query string) come this way: body-parser inflates
  // them with the limit on the inflated size.
  app.post(NOTIFY_PATH, (_req, res, next) => {
    const hold = admit(res);
    if (hold instanceof MatrixError) return sendError(res, hold, metrics);
    res.locals.hold = hold;
    next();
  }, readBody, (req, res) => {
    const body: unknown = req.body;
    const work = handleNotify(Buffer.isBuffer(body) ? body : Buffer.alloc(0), String(res.locals.requestId), res, deps);
    (res.locals.hold as (w: Promise<void>) => void)(work);
    return work;
  });

  app.all(NOTIFY_PATH, (_req, res) => sendError(res, new MatrixError('M_UNRECOGNIZED', 'use POST', 405), metrics));
  app.all('/health', (_req, res) => sendError(res, new MatrixError('M_UNRECOGNIZED', 'use GET', 405), metrics));
  app.use((_req, res) => sendError(res, new MatrixError('M_UNRECOGNIZED', 'unrecognized request', 404), metrics));
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) =>
    sendError(res, bodyError(err, log.child({ request_id: String(res.locals.requestId) })), metrics),
  );
  return app;
}
