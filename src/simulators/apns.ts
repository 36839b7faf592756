/**
 * A local APNs: HTTP/2 over TLS, `POST /3/device/<token>`, provider-token or client-certificate
 * auth, Apple's status codes and `reason` bodies. Token prefixes pick failures (see scenarios.ts).
 */
import { randomUUID } from 'node:crypto';
import http2, { IncomingHttpHeaders, ServerHttp2Stream } from 'node:http2';
import { TLSSocket } from 'node:tls';
import { ProviderKey, authenticate, providerTokenCheck } from './apns-auth';
import { certificateAllowsTopic, checkHeaders, checkToken, header, maxBodyBytes, parseBody } from './apns-validate';
import { Simulator, SimulatorCore, SimulatorLog, delay } from './core';
import { ReceivedPush, decryptForDisplay } from './record';
import { Scenario, scenarioOf } from './scenarios';

export interface ApnsSimulatorOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: an ephemeral port (read it back from `sim.port`). */
  port?: number;
  /** The server's TLS certificate and key (PEM). */
  tls: { certPem: string; keyPem: string };
  /** When set, client certificates issued by this CA (PEM) authenticate their connection. */
  clientCa?: string;
  /** Keys accepted for provider-token (ES256 JWT) auth. */
  providerKeys?: ProviderKey[];
  /** Default 4096 (5120 for `apns-push-type: voip`), as Apple. */
  maxPayloadBytes?: number;
  voipMaxPayloadBytes?: number;
  /** How long `slow…` tokens wait before succeeding. Default 2000 ms. */
  slowMs?: number;
  /** The `retry-after` header (seconds) on `busy…` answers. Default 1. */
  retryAfterSeconds?: number;
  /** Provider tokens older than this are `ExpiredProviderToken`. Default 3600. */
  providerTokenMaxAgeSeconds?: number;
  /** MSC3013 private key (unpadded base64): decrypts payloads for display. */
  decryptKey?: string;
  /** One line per answered push. Default: none. */
  log?: SimulatorLog;
  /** The clock provider-token ages are measured with (tests). Default Date.now. */
  now?: () => number;
  /** How many records `received` keeps (oldest dropped first). Default 10000. */
  maxRecords?: number;
}

export type ApnsSimulator = Simulator;

const MAX_READ_BYTES = 1024 * 1024;
const PATH = /^\/3\/device\/([^/?]*)$/;

export async function startApnsSimulator(options: ApnsSimulatorOptions): Promise<ApnsSimulator> {
  const core = new SimulatorCore('apns', options.log ?? (() => undefined), options.maxRecords);
  const tokenCheck = providerTokenCheck(
    options.providerKeys ?? [],
    options.providerTokenMaxAgeSeconds ?? 3600,
    options.now,
  );
  const server = http2.createSecureServer({
    cert: options.tls.certPem,
    key: options.tls.keyPem,
    ...(options.clientCa ? { ca: options.clientCa, requestCert: true } : {}),
    // Token-auth clients present no certificate; a request without either is answered 403.
    rejectUnauthorized: false,
  });
  server.on('sessionError', () => undefined);
  server.on('stream', (stream, headers) => {
    stream.on('error', () => undefined);
    void handle(stream, headers);
  });

  const answer = (stream: ServerHttp2Stream, headers: IncomingHttpHeaders, status: number, reason?: string, extra = {}): void => {
    if (stream.destroyed || stream.closed) return;
    const responseHeaders = { ':status': status, 'apns-id': header(headers, 'apns-id') ?? randomUUID(), ...extra };
    if (reason === undefined) {
      stream.respond(responseHeaders, { endStream: true });
      return;
    }
    const body = status === 410 ? { reason, timestamp: Date.now() } : { reason };
    stream.respond({ ...responseHeaders, 'content-type': 'application/json' });
    stream.end(JSON.stringify(body));
  };

  async function handle(stream: ServerHttp2Stream, headers: IncomingHttpHeaders): Promise<void> {
    const method = header(headers, ':method') ?? '';
    const path = header(headers, ':path') ?? '';
    const match = PATH.exec(path);
    if (!match) return answer(stream, headers, 404, 'BadPath');
    if (method !== 'POST') return answer(stream, headers, 405, 'MethodNotAllowed');
    const { body, length } = await readBody(stream);
    const push = arrival(safeDecode(match[1]), method, path, headers, body, length);
    core.arrived(push);
    const respond = (status: number, reason?: string, extra = {}): void => {
      if (stream.destroyed || stream.closed) return;
      answer(stream, headers, status, reason, extra);
      core.answered(push, status, reason);
    };

    const faults = core.faults.current;
    if (faults.stall) return;
    if (faults.resetAfterMs !== undefined) {
      delay(faults.resetAfterMs).then(() => stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR), () => undefined);
      return;
    }
    if (core.faults.takeGoaway()) {
      // lastStreamId below this stream's id tells the client it was never processed.
      stream.session?.goaway(http2.constants.NGHTTP2_NO_ERROR, (stream.id ?? 1) - 1, Buffer.from('{"reason":"Shutdown"}'));
      stream.close(http2.constants.NGHTTP2_REFUSED_STREAM);
      stream.session?.close();
      return;
    }
    if (faults.latencyMs) await delay(faults.latencyMs);
    if (core.faults.takeBurst()) return respond(503, 'ServiceUnavailable');

    const auth = authenticate(stream.session?.socket as TLSSocket | undefined, header(headers, 'authorization'), tokenCheck);
    if (!auth.ok) return respond(403, auth.reason);
    const badHeader = checkHeaders(headers);
    if (badHeader) return respond(badHeader.status, badHeader.reason);
    const topic = header(headers, 'apns-topic') ?? (auth.method === 'certificate' ? auth.topic : undefined);
    if (topic === undefined) return respond(400, 'MissingTopic');
    if (auth.method === 'certificate' && !certificateAllowsTopic(auth.topic, topic)) return respond(400, 'TopicDisallowed');
    const limit = maxBodyBytes(headers, options.maxPayloadBytes ?? 4096, options.voipMaxPayloadBytes ?? 5120);
    const parsed = parseBody(body, limit, length);
    if (!parsed.ok) return respond(parsed.status, parsed.reason);
    const badToken = checkToken(push.token);
    if (badToken) return respond(badToken.status, badToken.reason);
    await answerScenario(push, respond);
  }

  async function answerScenario(push: ReceivedPush, respond: (status: number, reason?: string, extra?: object) => void): Promise<void> {
    const outcomes: Record<Scenario, () => Promise<void> | void> = {
      ok: () => respond(200),
      bad: () => respond(400, 'BadDeviceToken'),
      mismatch: () => respond(400, 'DeviceTokenNotForTopic'),
      gone: () => respond(410, 'Unregistered'),
      busy: () => respond(429, 'TooManyRequests', { 'retry-after': String(options.retryAfterSeconds ?? 1) }),
      fail: () => respond(500, 'InternalServerError'),
      flaky: () => (core.firstFlakyAttempt(push.token) ? respond(503, 'ServiceUnavailable') : respond(200)),
      slow: async () => {
        await delay(options.slowMs ?? 2000);
        respond(200);
      },
    };
    await outcomes[push.scenario]();
  }

  function arrival(
    token: string,
    method: string,
    path: string,
    headers: IncomingHttpHeaders,
    body: Buffer,
    length: number,
  ): ReceivedPush {
    let parsedBody: unknown;
    try {
      parsedBody = JSON.parse(body.toString('utf8'));
    } catch {
      parsedBody = undefined;
    }
    return {
      provider: 'apns',
      token,
      scenario: scenarioOf(token, { matchHexBytes: true }),
      method,
      path,
      headers: plainHeaders(headers),
      body: parsedBody,
      bytes: length,
      payloadBytes: length,
      receivedAt: Date.now(),
      decrypted: decryptForDisplay(parsedBody, options.decryptKey),
    };
  }

  await core.listen(server, options.host ?? '127.0.0.1', options.port ?? 0);
  return core;
}

/** The body (kept up to a cap) and its full length. */
function readBody(stream: ServerHttp2Stream): Promise<{ body: Buffer; length: number }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let length = 0;
    stream.on('data', (chunk: Buffer) => {
      // Past the cap only the length matters (for the 413); the bytes are dropped.
      length += chunk.length;
      if (length <= MAX_READ_BYTES) chunks.push(chunk);
    });
    const done = (): void => resolve({ body: Buffer.concat(chunks), length });
    stream.on('end', done);
    stream.on('close', done);
  });
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function plainHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith(':') || value === undefined) continue;
    result[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return result;
}
