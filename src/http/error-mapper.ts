/**
 * AppError code → HTTP status, and the NuGet-shaped error response. The NuGet client prints the reason
 * phrase, not the body, so the message goes into both (as nuget.org does).
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, type ErrorCode } from '../errors.ts';
import { clientAddressOf } from './client-address.ts';

const STATUS_BY_CODE: Record<ErrorCode, number> = {
  INVALID_REQUEST: 400,
  INVALID_PACKAGE: 400,
  PACKAGE_EXISTS: 409,
  CONFLICT: 409,
  NOT_FOUND: 404,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  PAYLOAD_TOO_LARGE: 413,
  REQUEST_TIMEOUT: 408,
  TOO_MANY_REQUESTS: 429,
  UNAVAILABLE: 503,
};

export function statusOf(code: ErrorCode): number {
  return STATUS_BY_CODE[code];
}

/** A reason phrase must be one line of visible Latin-1; keep it short enough for any proxy. */
export function reasonPhrase(message: string): string {
  return message.replace(/[^\x20-\x7e]/g, '?').slice(0, 400);
}

export function sendError(reply: FastifyReply, status: number, message: string, challenge: 'ApiKey' | 'Basic' = 'ApiKey'): FastifyReply {
  reply.raw.statusMessage = reasonPhrase(message);
  if (status === 401) reply.header('www-authenticate', `${challenge} realm="Pallet"`);
  return reply.code(status).type('text/plain; charset=utf-8').send(`${message}\n`);
}

/**
 * Every refusal is logged with its reason, the package when known and the client's address; the request
 * line Fastify logs never carries credentials (they are redacted by path in logging.ts).
 */
export function handleError(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (error instanceof AppError) {
    const status = statusOf(error.code);
    request.log.info(
      { code: error.code, status, reason: error.message, clientAddress: clientAddressOf(request), method: request.method, url: request.url, ...error.subject },
      'request refused',
    );
    if (error.retryAfterSeconds !== undefined) reply.header('retry-after', String(error.retryAfterSeconds));
    return sendError(reply, status, error.message, error.challenge);
  }
  const statusCode = (error as FastifyError).statusCode;
  if (statusCode !== undefined && statusCode >= 400 && statusCode < 500) {
    request.log.info({ status: statusCode, reason: error.message, clientAddress: clientAddressOf(request), method: request.method, url: request.url }, 'request refused');
    return sendError(reply, statusCode, error.message);
  }
  request.log.error({ err: error }, 'request failed');
  return sendError(reply, 500, `Internal server error (request ${request.id}); the server log has the details.`);
}
