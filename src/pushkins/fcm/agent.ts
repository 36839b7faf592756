/**
 * The HTTPS agent every FCM request (messages and OAuth tokens) goes through. It can point a
 * constant provider host at a configured endpoint (firebase-admin always dials
 * fcm.googleapis.com:443), trust an extra CA on top of the system roots, and tunnel through an
 * HTTP CONNECT proxy.
 *
 * Why not https-proxy-agent: version 9 is ESM-only and Jest's CommonJS loader (configured to
 * transpile only @noble/*) cannot load it, which would leave the proxy path untested. A CONNECT
 * tunnel is one request and one status line, so it is done here.
 */
import type { ClientRequest } from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';

export interface Redirect {
  host: string;
  port: number;
}

export interface ProviderAgentOptions {
  maxSockets: number;
  keepAlive: boolean;
  /** Extra CA (PEM) trusted in addition to the system roots. */
  caPem?: string;
  /** http(s):// URL of a CONNECT proxy. */
  proxy?: string;
  /** `host:port` as the client asks for it → where to connect instead. */
  redirects?: ReadonlyMap<string, Redirect>;
  /** Bound on the proxy's CONNECT answer; the request's own deadline still applies. */
  proxyTimeoutMs?: number;
  /** Sees every request before it gets a socket; a request it destroys is never sent. */
  onRequest?: (request: ClientRequest) => void;
}

type AddRequest = (this: https.Agent, request: ClientRequest, options: unknown) => void;

export class ProviderAgent extends https.Agent {
  private readonly redirects: ReadonlyMap<string, Redirect>;
  private readonly proxy?: URL;
  private readonly proxyTimeoutMs: number;
  private readonly onRequest?: (request: ClientRequest) => void;

  constructor(options: ProviderAgentOptions) {
    super({
      keepAlive: options.keepAlive,
      maxSockets: options.maxSockets,
      // `ca` would replace Node's trust store, so the system roots are kept explicitly. Built once
      // as a secure context: an agent's `ca` option is copied into every request, and https
      // joins it into the agent key (~140 root PEMs, ~200 KB) on each one.
      ...(options.caPem !== undefined ? { secureContext: tls.createSecureContext({ ca: [...tls.rootCertificates, options.caPem] }) } : {}),
    });
    this.redirects = options.redirects ?? new Map();
    this.proxy = options.proxy !== undefined ? new URL(options.proxy) : undefined;
    this.proxyTimeoutMs = options.proxyTimeoutMs ?? 10_000;
    this.onRequest = options.onRequest;
  }

  /**
   * `http.Agent#addRequest` is where every request reaches an agent, synchronously from its
   * caller and before anything is written (absent from @types/node, present in every Node).
   */
  addRequest(request: ClientRequest, options: unknown): void {
    this.onRequest?.(request);
    if (request.destroyed) return;
    (https.Agent.prototype as unknown as { addRequest: AddRequest }).addRequest.call(this, request, options);
  }

  override createConnection(
    options: https.RequestOptions,
    callback?: (err: Error | null, stream: Duplex) => void,
  ): Duplex | null | undefined {
    const asked = { host: String(options.host ?? options.hostname ?? 'localhost'), port: Number(options.port ?? 443) };
    const target = this.redirects.get(`${asked.host}:${asked.port}`) ?? asked;
    const tlsOptions = withServerName({ ...(options as tls.ConnectionOptions), host: target.host, port: target.port });
    if (this.proxy === undefined) return tls.connect(tlsOptions);
    openTunnel(this.proxy, target, this.proxyTimeoutMs).then(
      (socket) => callback?.(null, tls.connect({ ...tlsOptions, socket })),
      (err: Error) => callback?.(err, undefined as unknown as Duplex),
    );
    return undefined;
  }
}

/** SNI must name the host actually dialled, and may not be an IP address. */
function withServerName(options: tls.ConnectionOptions & { host: string }): tls.ConnectionOptions {
  const { servername: _asked, ...rest } = options;
  return net.isIP(options.host) === 0 ? { ...rest, servername: options.host } : rest;
}

const MAX_PROXY_HEADER_BYTES = 16 * 1024;

/** Opens a raw TCP stream to `target` through an HTTP CONNECT proxy. */
export function openTunnel(proxy: URL, target: Redirect, timeoutMs: number): Promise<net.Socket> {
  const proxyPort = Number(proxy.port) || (proxy.protocol === 'https:' ? 443 : 80);
  const proxyHost = proxy.hostname.replace(/^\[|\]$/g, '');
  const socket: net.Socket =
    proxy.protocol === 'https:'
      ? tls.connect(withServerName({ host: proxyHost, port: proxyPort }))
      : net.connect(proxyPort, proxyHost);
  const authority = `${net.isIPv6(target.host) ? `[${target.host}]` : target.host}:${target.port}`;
  const lines = [`CONNECT ${authority} HTTP/1.1`, `Host: ${authority}`];
  if (proxy.username !== '' || proxy.password !== '') {
    const credentials = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
    lines.push(`Proxy-Authorization: Basic ${Buffer.from(credentials).toString('base64')}`);
  }
  socket.write(`${lines.join('\r\n')}\r\n\r\n`);

  return new Promise((resolve, reject) => {
    let received = Buffer.alloc(0);
    const fail = (err: Error): void => {
      cleanup();
      socket.destroy();
      reject(err);
    };
    const onData = (chunk: Buffer): void => {
      received = Buffer.concat([received, chunk]);
      const end = received.indexOf('\r\n\r\n');
      if (end === -1) {
        if (received.length > MAX_PROXY_HEADER_BYTES) fail(proxyError('proxy answer too long'));
        return;
      }
      const status = Number(received.subarray(0, end).toString('latin1').split(' ')[1]);
      if (status !== 200) return fail(proxyError(`proxy refused CONNECT with status ${status}`));
      cleanup();
      socket.pause(); // TLS takes over reading; nothing may be consumed before it does
      const rest = received.subarray(end + 4);
      if (rest.length > 0) socket.unshift(rest);
      resolve(socket);
    };
    const onError = (err: Error): void => fail(err);
    const onClose = (): void => fail(proxyError('proxy closed the connection'));
    const timer = setTimeout(() => fail(proxyError('proxy did not answer CONNECT in time')), timeoutMs);
    const cleanup = (): void => {
      clearTimeout(timer);
      socket.off('data', onData).off('error', onError).off('close', onClose);
    };
    socket.on('data', onData).on('error', onError).on('close', onClose);
  });
}

function proxyError(message: string): Error {
  return Object.assign(new Error(message), { code: 'EPROXY' });
}
