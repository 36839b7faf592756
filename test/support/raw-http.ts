/**
 * One HTTP/1.1 keep-alive connection driven by hand, so a test can put a second request on a
 * connection whose first request is still in flight (pipelining) — e.g. to ask /health while
 * the server is draining, when new connections are no longer accepted.
 */
import net from 'node:net';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface RawConnection {
  post(path: string, body: unknown, headers?: Record<string, string>): void;
  get(path: string): void;
  /** The next complete response, in order. */
  next(timeoutMs?: number): Promise<RawResponse>;
  close(): void;
}

export async function rawConnection(url: string): Promise<RawConnection> {
  const { hostname, port } = new URL(url);
  const socket = net.connect(Number(port), hostname);
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  let buffer = Buffer.alloc(0);
  const parsed: RawResponse[] = [];
  let wake: (() => void) | undefined;
  let ended = false;
  socket.on('data', (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    for (let r = take(); r; r = take()) parsed.push(r);
    wake?.();
  });
  socket.on('close', () => {
    ended = true;
    wake?.();
  });
  socket.on('error', () => undefined);

  function take(): RawResponse | undefined {
    const end = buffer.indexOf('\r\n\r\n');
    if (end === -1) return undefined;
    const [statusLine, ...headerLines] = buffer.subarray(0, end).toString('latin1').split('\r\n');
    const headers = Object.fromEntries(headerLines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
    const length = Number(headers['content-length'] ?? 0);
    if (buffer.length < end + 4 + length) return undefined;
    const body = buffer.subarray(end + 4, end + 4 + length).toString('utf8');
    buffer = buffer.subarray(end + 4 + length);
    return { status: Number(statusLine.split(' ')[1]), headers, body };
  }

  const write = (method: string, path: string, body?: string, headers: Record<string, string> = {}) => {
    const lines = [`${method} ${path} HTTP/1.1`, `Host: ${hostname}:${port}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
    if (body !== undefined) lines.push('Content-Type: application/json', `Content-Length: ${Buffer.byteLength(body)}`);
    socket.write(`${lines.join('\r\n')}\r\n\r\n${body ?? ''}`);
  };

  return {
    post: (path, body, headers) => write('POST', path, JSON.stringify(body), headers),
    get: (path) => write('GET', path),
    async next(timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      while (parsed.length === 0) {
        if (ended) throw new Error('connection closed before a response');
        if (Date.now() > deadline) throw new Error('no response in time');
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 50);
        });
      }
      return parsed.shift()!;
    },
    close: () => socket.destroy(),
  };
}
