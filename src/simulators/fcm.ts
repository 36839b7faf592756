/**
 * A local FCM HTTP v1 endpoint (HTTP/1.1 over TLS, keep-alive) with the OAuth token endpoint a
 * service account's `token_uri` can point at. Token prefixes pick failures (see scenarios.ts).
 */
import { randomBytes } from 'node:crypto';
import { IncomingMessage, ServerResponse } from 'node:http';
import https from 'node:https';
import { Simulator, SimulatorCore, SimulatorLog, delay } from './core';
import { AccessTokens, SimulatedServiceAccount } from './fcm-oauth';
import { FCM_ERRORS, FcmAnswer, success, validateSendBody } from './fcm-messages';
import { ReceivedPush, dataBytes, decryptForDisplay } from './record';
import { Scenario, scenarioOf } from './scenarios';

export interface FcmSimulatorOptions {
  host?: string;
  /** Default 0: an ephemeral port (read it back from `sim.port`). */
  port?: number;
  tls: { certPem: string; keyPem: string };
  /** Accounts whose signed assertions the token endpoint accepts; each grants its `project_id`. */
  serviceAccounts: SimulatedServiceAccount[];
  /** Default 4096 bytes of `data` keys + values. */
  maxDataBytes?: number;
  /** Default 2000 ms. */
  slowMs?: number;
  /** `retry-after` seconds on `busy…` answers. Default 1. */
  retryAfterSeconds?: number;
  /** `expires_in` of issued access tokens; they stop working after it. Default 3600. */
  tokenLifetimeSeconds?: number;
  decryptKey?: string;
  log?: SimulatorLog;
  /** The clock for token lifetimes and assertion times (tests). Default Date.now. */
  now?: () => number;
  /** How many records `received` keeps (oldest dropped first). Default 10000. */
  maxRecords?: number;
}

export interface FcmSimulator extends Simulator {
  /** `https://host:port/token`: what a service account's `token_uri` should hold. */
  readonly tokenUri: string;
  /** Access tokens granted so far (not cleared by `reset()`). */
  readonly tokensIssued: number;
  /** Invalidates every access token issued so far: the next send answers 401. */
  revokeAccessTokens(): void;
}

const MAX_READ_BYTES = 1024 * 1024;
const SEND_PATH = /^\/v1\/projects\/([^/]+)\/messages:send$/;

export async function startFcmSimulator(options: FcmSimulatorOptions): Promise<FcmSimulator> {
  const tokens = new AccessTokens(options.serviceAccounts, options.tokenLifetimeSeconds ?? 3600, options.now);
  const core = new FcmSimulatorCore(options.log ?? (() => undefined), tokens, options.maxRecords);
  const server = https.createServer({ cert: options.tls.certPem, key: options.tls.keyPem });
  // Longer than client agents' idle time, so a reused keep-alive socket is not closed under a request.
  server.keepAliveTimeout = 65_000;
  server.on('tlsClientError', () => undefined);
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    void route(req, res).catch(() => res.destroy());
  });

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '').split('?')[0];
    const body = await readBody(req);
    if (path === '/token' && req.method === 'POST') return handleToken(req, res, path, body);
    const match = SEND_PATH.exec(path);
    if (!match) return send(res, FCM_ERRORS.notFound(path));
    if (req.method !== 'POST') return send(res, { status: 405, body: { error: { code: 405, message: 'Method not allowed', status: 'INVALID_ARGUMENT' } } });
    return handleSend(req, res, decodeURIComponent(match[1]), body);
  }

  function handleToken(req: IncomingMessage, res: ServerResponse, path: string, body: Buffer): void {
    if (core.faults.current.tokenEndpointFail) {
      return send(res, { status: 503, body: { error: 'temporarily_unavailable', error_description: 'simulated outage' } });
    }
    const answer = tokens.grant(new URLSearchParams(body.toString('utf8')), `https://${req.headers.host ?? ''}${path}`);
    send(res, answer);
  }

  async function handleSend(req: IncomingMessage, res: ServerResponse, project: string, raw: Buffer): Promise<void> {
    const push = arrival(req, raw);
    core.arrived(push);
    const respond = (answer: FcmAnswer, extra: Record<string, string> = {}): void => {
      if (res.destroyed || res.headersSent) return;
      send(res, answer, extra);
      core.answered(push, answer.status, answer.reason);
    };

    const faults = core.faults.current;
    if (faults.stall) return;
    if (faults.resetAfterMs !== undefined) {
      delay(faults.resetAfterMs).then(() => req.socket.destroy(), () => undefined);
      return;
    }
    if (faults.latencyMs) await delay(faults.latencyMs);
    if (core.faults.takeBurst()) return respond(FCM_ERRORS.unavailable());

    const grantedProject = tokens.projectFor(req.headers.authorization);
    if (grantedProject === undefined) return respond(FCM_ERRORS.unauthenticated());
    if (grantedProject !== project) return respond(FCM_ERRORS.permissionDenied(project));
    const valid = validateSendBody(push.body, options.maxDataBytes ?? 4096);
    if (!valid.ok) return respond(valid.answer);

    const ok = (): FcmAnswer => success(project, randomBytes(8).readBigUInt64BE().toString());
    const outcomes: Record<Scenario, () => Promise<void> | void> = {
      ok: () => respond(ok()),
      bad: () => respond(FCM_ERRORS.badToken()),
      mismatch: () => respond(FCM_ERRORS.senderIdMismatch()),
      gone: () => respond(FCM_ERRORS.unregistered()),
      busy: () => respond(FCM_ERRORS.quotaExceeded(), { 'retry-after': String(options.retryAfterSeconds ?? 1) }),
      fail: () => respond(FCM_ERRORS.internal()),
      flaky: () => respond(core.firstFlakyAttempt(push.token) ? FCM_ERRORS.unavailable() : ok()),
      slow: async () => {
        await delay(options.slowMs ?? 2000);
        respond(ok());
      },
    };
    await outcomes[push.scenario]();
  }

  function arrival(req: IncomingMessage, raw: Buffer): ReceivedPush {
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      body = undefined;
    }
    const message = (body as { message?: { token?: unknown; data?: unknown } } | undefined)?.message;
    const token = typeof message?.token === 'string' ? message.token : '';
    return {
      provider: 'fcm',
      token,
      scenario: scenarioOf(token, { matchHexBytes: false }),
      method: req.method ?? '',
      path: req.url ?? '',
      headers: plainHeaders(req),
      body,
      bytes: raw.length,
      payloadBytes: dataBytes(message?.data),
      receivedAt: Date.now(),
      decrypted: decryptForDisplay(message?.data, options.decryptKey),
    };
  }

  await core.listen(server, options.host ?? '127.0.0.1', options.port ?? 0);
  return core;
}

class FcmSimulatorCore extends SimulatorCore implements FcmSimulator {
  constructor(
    log: SimulatorLog,
    private readonly tokens: AccessTokens,
    maxRecords?: number,
  ) {
    super('fcm', log, maxRecords);
  }

  get tokenUri(): string {
    return `${this.url}/token`;
  }

  get tokensIssued(): number {
    return this.tokens.issuedCount;
  }

  revokeAccessTokens(): void {
    this.tokens.revokeAll();
  }
}

function send(res: ServerResponse, answer: { status: number; body: unknown }, extra: Record<string, string> = {}): void {
  const text = JSON.stringify(answer.body);
  res.writeHead(answer.status, {
    'content-type': 'application/json; charset=UTF-8',
    'content-length': Buffer.byteLength(text),
    ...extra,
  });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    req.on('data', (chunk: Buffer) => {
      length += chunk.length;
      if (length <= MAX_READ_BYTES) chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function plainHeaders(req: IncomingMessage): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) result[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return result;
}
