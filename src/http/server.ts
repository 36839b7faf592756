/**
 * The HTTP server the notify app listens on, with the limits that keep slow or broken clients
 * from holding sockets (slow-loris): headers and whole requests must arrive in bounded time,
 * checked often enough that a trickling client is cut soon after its limit.
 */
import { createServer, type RequestListener, type Server } from 'node:http';
import { answerClientError } from './client-errors';

export interface ServerLimits {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  checkIntervalMs: number;
}

/** Headers get at most 10 s (less with a short request_timeout_ms); the body as long again as a push may take. */
export function serverLimits(requestTimeoutMs: number): ServerLimits {
  const headersTimeoutMs = Math.min(10_000, requestTimeoutMs);
  return {
    headersTimeoutMs,
    requestTimeoutMs: headersTimeoutMs + requestTimeoutMs,
    checkIntervalMs: Math.max(50, Math.min(1000, Math.floor(headersTimeoutMs / 4))),
  };
}

export function createNotifyServer(app: RequestListener, http: { request_timeout_ms: number }): Server {
  const limits = serverLimits(http.request_timeout_ms);
  const server = createServer(
    { connectionsCheckingInterval: limits.checkIntervalMs, headersTimeout: limits.headersTimeoutMs, requestTimeout: limits.requestTimeoutMs },
    app,
  );
  // Longer than load balancers' usual idle timeout, so they close first and never reuse a dead socket.
  server.keepAliveTimeout = 65_000;
  server.on('clientError', answerClientError);
  return server;
}
