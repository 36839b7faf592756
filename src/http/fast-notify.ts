/**
 * POST /_matrix/push/v1/notify with an identity-encoded body, served without express: the one
 * route that carries load skips its router, middleware chain and response helpers. Anything
 * else (other routes, compressed bodies, a query string) is left to the express app.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { MatrixError } from './errors';
import { createAdmission, handleNotify, NOTIFY_PATH, type NotifyDeps } from './notify';
import { readIdentityBody } from './read-body';
import { bodyError, sendError } from './respond';

/** Serves the request and returns true, or returns false without touching it. */
export type FastPath = (req: IncomingMessage, res: ServerResponse, requestId: string) => boolean;

export function isFastNotify(req: IncomingMessage): boolean {
  if (req.method !== 'POST' || req.url !== NOTIFY_PATH) return false;
  const encoding = req.headers['content-encoding'];
  return encoding === undefined || encoding.toLowerCase() === 'identity';
}

export function createFastNotify(deps: NotifyDeps, admit: ReturnType<typeof createAdmission>): FastPath {
  const { metrics, log } = deps;
  // A child logger only on the (rare) error path, so the line names its request.
  const fail = (res: ServerResponse, requestId: string) => (err: unknown) =>
    sendError(res, bodyError(err, log.child({ request_id: requestId })), metrics);
  return (req, res, requestId) => {
    if (!isFastNotify(req)) return false;
    const hold = admit(res);
    if (hold instanceof MatrixError) {
      sendError(res, hold, metrics);
      return true;
    }
    const work = readIdentityBody(req, deps.state().config.http.max_body_bytes).then((read) => {
      if ('body' in read) return handleNotify(read.body, requestId, res, deps);
      sendError(res, bodyError(read, log.child({ request_id: requestId })), metrics);
    });
    hold(work.catch(fail(res, requestId)));
    return true;
  };
}
