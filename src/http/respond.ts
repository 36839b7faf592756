/**
 * Writing answers: JSON bodies, Matrix errors, and the response metrics. Plain ServerResponse
 * calls, so the express routes and the notify fast path answer byte for byte alike.
 */
import type { ServerResponse } from 'node:http';
import type { Logger } from 'winston';
import type { Metrics } from '../observability/metrics';
import { MatrixError } from './errors';

export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(body);
}

/** Counts an answer; with `started` (a notify request) also its duration. */
export function observe(metrics: Metrics, status: number, started?: bigint): void {
  const code = String(status);
  metrics.httpResponses.inc({ code });
  if (started !== undefined) metrics.notifyDuration.observe({ code }, Number(process.hrtime.bigint() - started) / 1e9);
}

export function sendError(res: ServerResponse, error: MatrixError, metrics: Metrics, started?: bigint): void {
  if (res.headersSent) return;
  observe(metrics, error.status, started);
  if (error.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(error.retryAfterSeconds));
  sendJson(res, error.status, error);
}

/** Body-reading errors (body-parser's, or the fast path's), mapped to what a homeserver can act on. Anything else is a bug: 500. */
export function bodyError(err: unknown, log: Logger): MatrixError {
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
