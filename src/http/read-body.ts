/**
 * Reads an identity-encoded request body for the notify fast path, with body-parser's rules:
 * over the limit is a 413, but the rest of the body is still read off (so the answer reaches a
 * client that is still sending); a client that hangs up mid-body settles the read too.
 */
import type { IncomingMessage } from 'node:http';

/** The body, or one of body-parser's error types (so the same mapping turns it into an answer). */
export type BodyRead = { body: Buffer } | { type: 'entity.too.large' | 'request.aborted' };

export function readIdentityBody(req: IncomingMessage, limit: number): Promise<BodyRead> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let length = 0;
    let done = false;
    const settle = (read: BodyRead) => {
      if (done) return;
      done = true;
      resolve(read);
    };
    req.on('data', (chunk: Buffer) => {
      length += chunk.length;
      if (length <= limit) chunks.push(chunk);
      else chunks.length = 0;
    });
    req.on('end', () => {
      if (length > limit) settle({ type: 'entity.too.large' });
      else settle({ body: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, length) });
    });
    req.on('error', () => settle({ type: 'request.aborted' }));
    req.on('close', () => settle({ type: 'request.aborted' }));
  });
}
