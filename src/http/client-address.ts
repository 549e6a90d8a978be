/**
 * The address of the client a request came from, for logs. A write forwarded by another process of this
 * server (forward-writes.ts) arrives on the primary's private socket with the client's address in a
 * header; only requests taken from that socket are marked, so the header means nothing on the public port.
 */
import type { IncomingMessage } from 'node:http';
import type { FastifyRequest } from 'fastify';

export const FORWARDED_CLIENT_HEADER = 'x-pallet-client-address';

const forwardedClients = new WeakMap<IncomingMessage, string>();

/** Called by the private socket's listener before routing: takes the header off and remembers it. */
export function markForwarded(request: IncomingMessage): void {
  const header = request.headers[FORWARDED_CLIENT_HEADER];
  delete request.headers[FORWARDED_CLIENT_HEADER];
  if (typeof header === 'string') forwardedClients.set(request, header);
}

export function clientAddressOf(request: FastifyRequest): string {
  return forwardedClients.get(request.raw) ?? request.ip;
}
