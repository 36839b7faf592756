/**
 * A small HTTP CONNECT proxy for tests: optional basic auth, a count of tunnels by the
 * authority asked for, and nothing but CONNECT (a plain request gets 405).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';

export interface ConnectProxy {
  /** `http://[user:password@]127.0.0.1:port` */
  url: string;
  /** Tunnels opened, by `host:port` as asked in the CONNECT line. */
  tunnels: Map<string, number>;
  /** CONNECTs refused with 407 (missing or wrong credentials). */
  refused: number;
  close(): Promise<void>;
}

export async function startConnectProxy(credentials?: { user: string; password: string }): Promise<ConnectProxy> {
  const sockets = new Set<net.Socket>();
  const track = (s: net.Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  };
  const expected = credentials ? `Basic ${Buffer.from(`${credentials.user}:${credentials.password}`).toString('base64')}` : undefined;
  const proxy: ConnectProxy = { url: '', tunnels: new Map(), refused: 0, close: async () => undefined };

  const server = http.createServer((_req, res) => res.writeHead(405).end());
  server.on('connection', track);
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    client.on('error', () => undefined);
    if (expected !== undefined && req.headers['proxy-authorization'] !== expected) {
      proxy.refused += 1;
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const authority = req.url ?? '';
    const colon = authority.lastIndexOf(':');
    const host = authority.slice(0, colon).replace(/^\[|\]$/g, '');
    const upstream = net.connect(Number(authority.slice(colon + 1)), host);
    track(upstream);
    upstream.on('error', () => client.destroy());
    upstream.once('connect', () => {
      proxy.tunnels.set(authority, (proxy.tunnels.get(authority) ?? 0) + 1);
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    client.once('close', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const auth = credentials ? `${encodeURIComponent(credentials.user)}:${encodeURIComponent(credentials.password)}@` : '';
  proxy.url = `http://${auth}127.0.0.1:${port}`;
  proxy.close = async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return proxy;
}
