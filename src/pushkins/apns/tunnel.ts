/**
 * A TLS connection to the APNs host, directly or through an HTTP CONNECT proxy, for HTTP/2's
 * `createConnection`. node-apn's own `proxy` option drops `ca` on the floor (only
 * NODE_EXTRA_CA_CERTS would apply), which breaks `ca_file` behind a proxy; doing the tunnel here
 * keeps one TLS setup for both paths. `createConnection` must answer synchronously, so the
 * proxy leg is a Duplex that holds TLS's first bytes until the tunnel is up.
 */
import http from 'node:http';
import net from 'node:net';
import { Duplex } from 'node:stream';
import tls from 'node:tls';

export interface TlsTarget {
  host: string;
  port: number;
  /** Extra trusted CAs (PEM); undefined = the system store. */
  ca?: string[];
  /** Certificate auth: client certificate chain and key (PEM). */
  cert?: string;
  key?: string;
}

export function connectTls(target: TlsTarget, proxyUrl: string | undefined): tls.TLSSocket {
  const options: tls.ConnectionOptions = {
    host: target.host,
    port: target.port,
    ALPNProtocols: ['h2'],
    // SNI must be a host name; for an IP literal the address itself is checked against the certificate.
    ...(net.isIP(target.host) ? {} : { servername: target.host }),
    ...(target.ca ? { ca: target.ca } : {}),
    ...(target.cert ? { cert: target.cert, key: target.key } : {}),
  };
  if (proxyUrl === undefined) return tls.connect(options);
  return tls.connect({ ...options, socket: connectTunnel(new URL(proxyUrl), target.host, target.port) });
}

/** A stream that becomes the CONNECT tunnel once the proxy says 200; writes wait until then. */
export function connectTunnel(proxy: URL, host: string, port: number): Duplex {
  const authority = `${net.isIPv6(host) ? `[${host}]` : host}:${port}`;
  let upstream: net.Socket | undefined;
  let waiting: Array<{ chunk: Buffer; done: (error?: Error | null) => void }> = [];

  const tunnel = new Duplex({
    write(chunk: Buffer, _encoding, done) {
      if (upstream) upstream.write(chunk, done);
      else waiting.push({ chunk, done });
    },
    read() {
      upstream?.resume();
    },
    final(done) {
      if (upstream) upstream.end(done);
      else done();
    },
    destroy(error, done) {
      request.destroy();
      upstream?.destroy();
      done(error);
    },
  });

  const request = http.request({
    host: proxy.hostname.replace(/^\[|\]$/g, ''),
    port: Number(proxy.port || 80),
    method: 'CONNECT',
    path: authority,
    headers: { host: authority, ...proxyAuthorization(proxy) },
  });
  request.on('connect', (response, socket, head) => {
    if (response.statusCode !== 200) {
      socket.destroy();
      tunnel.destroy(new Error(`proxy refused CONNECT ${authority}: ${response.statusCode}`));
      return;
    }
    upstream = socket;
    if (head.length > 0) tunnel.push(head);
    socket.on('data', (data) => {
      if (!tunnel.push(data)) socket.pause();
    });
    socket.on('end', () => tunnel.push(null));
    socket.on('error', (error) => tunnel.destroy(error));
    for (const { chunk, done } of waiting) socket.write(chunk, done);
    waiting = [];
  });
  request.on('error', (error) => tunnel.destroy(new Error(`cannot reach proxy: ${error.message}`)));
  request.end();
  return tunnel;
}

function proxyAuthorization(proxy: URL): Record<string, string> {
  if (proxy.username === '') return {};
  const credentials = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
  return { 'proxy-authorization': `Basic ${Buffer.from(credentials).toString('base64')}` };
}
