/** A byte-level HTTP/1.1 client for hostile-input tests: sends exactly what it is given, as slowly as asked. */
import net from 'node:net';

export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** Milliseconds from connecting until the server answered or closed. */
  ms: number;
  /** The server closed the connection (rather than the client giving up). */
  closedByServer: boolean;
}

/**
 * Connects to `url`, writes each chunk `gapMs` apart (stopping once the server answers or
 * closes), and resolves with the answer, or status 0 when the server never answered within
 * `giveUpMs`.
 */
export function rawRequest(url: string, chunks: Array<string | Buffer>, options: { gapMs?: number; giveUpMs?: number } = {}): Promise<RawAnswer> {
  const { hostname, port } = new URL(url);
  const started = Date.now();
  return new Promise((resolve) => {
    const socket = net.connect(Number(port), hostname);
    const received: Buffer[] = [];
    let closedByServer = true;
    let timer: NodeJS.Timeout | undefined;
    const giveUp = setTimeout(() => {
      closedByServer = false;
      socket.destroy();
    }, options.giveUpMs ?? 10_000);
    const writeNext = (i: number): void => {
      if (i >= chunks.length || socket.destroyed || received.length > 0) return;
      socket.write(chunks[i]);
      timer = setTimeout(() => writeNext(i + 1), options.gapMs ?? 0);
    };
    socket.on('connect', () => writeNext(0));
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      clearTimeout(giveUp);
      resolve({ ...parseAnswer(Buffer.concat(received).toString('utf8')), ms: Date.now() - started, closedByServer });
    });
  });
}

function parseAnswer(text: string): Pick<RawAnswer, 'status' | 'headers' | 'body'> {
  const end = text.indexOf('\r\n\r\n');
  if (end === -1) return { status: 0, headers: {}, body: text };
  const [statusLine, ...lines] = text.slice(0, end).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status: Number(statusLine.split(' ')[1]), headers, body: text.slice(end + 4) };
}

/** A complete POST to the notify path with `body` and extra header lines; `Connection: close`. */
export function notifyRequest(body: Buffer | string, headers: Record<string, string> = {}): Buffer {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
  const lines = ['POST /_matrix/push/v1/notify HTTP/1.1', 'Host: herald', 'Connection: close', `Content-Length: ${bytes.length}`];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  return Buffer.concat([Buffer.from(lines.join('\r\n') + '\r\n\r\n', 'latin1'), bytes]);
}

/** Splits `data` into single bytes (for trickling). */
export function bytesOf(data: string | Buffer): Buffer[] {
  const bytes = Buffer.isBuffer(data) ? data : Buffer.from(data, 'latin1');
  return Array.from(bytes, (b) => Buffer.from([b]));
}
