/**
 * In a secondary process (several processes share the port, see cli/server-processes.ts), pushes, unlists
 * and relists are not handled here but passed, as they arrive, to the primary process over its private
 * Unix socket, and its answer is passed back. One process then owns every write to the blob folder, so
 * garbage collection's in-process gate (app/blob-gate.ts) still covers every push, and limits such as
 * maxConcurrentUploads count the uploads of all processes. A download that must first be stored from an
 * upstream source is a write too, and goes the same way (routes/package-content.ts).
 */
import type http from 'node:http';
import { request as httpRequest } from '../node-http.ts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { clientAddressOf, FORWARDED_CLIENT_HEADER } from './client-address.ts';

/** Headers of one connection, not of the request (RFC 9110 §7.6.1): never passed on. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

const forwardedRequests = new WeakSet<http.IncomingMessage>();

/** Whether this request's body went to the primary (so no one here should drain it). */
export function isForwarded(request: FastifyRequest): boolean {
  return forwardedRequests.has(request.raw);
}

function passable(headers: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !HOP_BY_HOP.has(name.toLowerCase())));
}

/** Hands the request to the primary over its socket and passes its answer back. */
export async function forwardToPrimary(socketPath: string, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  reply.hijack();
  forwardedRequests.add(request.raw);
  const upstream = httpRequest({
    socketPath,
    method: request.method,
    path: request.raw.url,
    headers: { ...passable(request.headers), [FORWARDED_CLIENT_HEADER]: clientAddressOf(request) },
  });
  upstream.on('response', (response) => {
    reply.raw.writeHead(response.statusCode ?? 502, response.statusMessage, passable(response.headers));
    response.pipe(reply.raw);
  });
  upstream.on('error', (error) => {
    if (reply.raw.headersSent) {
      reply.raw.destroy(error);
      return;
    }
    request.log.error({ err: error }, 'the primary process did not take a forwarded write');
    const message = 'The server is restarting; try again shortly.';
    reply.raw.statusMessage = message;
    reply.raw.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', 'retry-after': '5' }).end(`${message}\n`);
  });
  // A client that goes away mid-upload ends the forwarded request too, so the primary drops its spool file.
  reply.raw.on('close', () => {
    if (!reply.raw.writableFinished) upstream.destroy();
  });
  request.raw.pipe(upstream);
}

export function registerForwardedWriteRoutes(server: FastifyInstance, socketPath: string): void {
  const forward = (request: FastifyRequest, reply: FastifyReply) => forwardToPrimary(socketPath, request, reply);
  server.put('/api/v2/package', forward);
  server.delete('/api/v2/package/:id/:version', forward);
  server.post('/api/v2/package/:id/:version', forward);
}
