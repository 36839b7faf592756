/**
 * Answers for requests that never reach express: malformed HTTP, oversized headers, and
 * requests not received within the server's header/request timeouts (slow-loris). Node would
 * answer these in plain text; a homeserver gets a Matrix error like everywhere else.
 */
import type { Duplex } from 'node:stream';

interface ClientErrorAnswer {
  status: number;
  reason: string;
  error: string;
}

function answerFor(code: string | undefined): ClientErrorAnswer {
  switch (code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, reason: 'Request Timeout', error: 'request not received within the time allowed' };
    case 'HPE_HEADER_OVERFLOW':
      return { status: 431, reason: 'Request Header Fields Too Large', error: 'request headers too large' };
    default:
      return { status: 400, reason: 'Bad Request', error: 'malformed HTTP request' };
  }
}

/** For `server.on('clientError')`: answers once if nothing was written yet, then closes. */
export function answerClientError(err: Error & { code?: string }, socket: Duplex): void {
  // A response already under way (or a socket already gone) cannot take a second status line.
  if (!socket.writable || (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent) {
    socket.destroy();
    return;
  }
  const { status, reason, error } = answerFor(err.code);
  const body = JSON.stringify({ errcode: 'M_NOT_JSON', error });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
