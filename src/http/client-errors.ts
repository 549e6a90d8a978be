/**
 * Refusals Node makes before a request reaches a route: headers that trickled past `headersTimeout`, a
 * request past `requestTimeout`, headers too large, bytes that are not HTTP. Each is answered with a status
 * and a reason phrase where the socket still takes them, logged like every other refusal, and the
 * connection closed.
 */
import { STATUS_CODES } from '../node-http.ts';
import type { Socket } from 'node:net';
import type { FastifyBaseLogger } from 'fastify';
import { reasonPhrase } from './error-mapper.ts';

const ANSWERS: Record<string, { status: number; reason: string }> = {
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, reason: 'The request did not arrive in time (headersTimeout or requestTimeout).' },
  HPE_HEADER_OVERFLOW: { status: 431, reason: 'The request headers are too large.' },
};

export function clientErrorHandler(log: FastifyBaseLogger) {
  return (error: NodeJS.ErrnoException, socket: Socket): void => {
    // A client that went away needs no answer, and is not worth a log line.
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    const answer = ANSWERS[error.code ?? ''] ?? { status: 400, reason: `The request is not valid HTTP (${error.code ?? error.message}).` };
    log.info({ status: answer.status, reason: answer.reason, code: error.code, clientAddress: socket.remoteAddress }, 'request refused');
    // Never a second answer on a socket that already carries one (a timeout while draining after a refusal).
    const current = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (socket.writable && !current?.headersSent) {
      const body = `${answer.reason}\n`;
      socket.write(
        `HTTP/1.1 ${answer.status} ${reasonPhrase(answer.reason) || STATUS_CODES[answer.status]}\r\n` +
          `Content-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    }
    socket.destroy(error);
  };
}
