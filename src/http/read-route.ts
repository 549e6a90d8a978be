/**
 * Registers a read-only route for GET and HEAD. Node sends no body for HEAD; `BlobResponder` also skips
 * reading the blob, so a HEAD of a .nupkg costs a stat, not a read.
 */
import type { FastifyInstance, RouteGenericInterface, RouteHandlerMethod } from 'fastify';
import type { RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression } from 'fastify';

export function readRoute<Route extends RouteGenericInterface = RouteGenericInterface>(
  server: FastifyInstance,
  url: string,
  handler: RouteHandlerMethod<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, Route>,
): void {
  server.route<Route>({ method: ['GET', 'HEAD'], url, handler });
}
