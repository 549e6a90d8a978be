/**
 * Package publish: push (PUT), unlist (DELETE) and relist (POST).
 * https://learn.microsoft.com/nuget/api/package-publish-resource
 */
import { rm } from 'node:fs/promises';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RouteDependencies } from '../route-dependencies.ts';
import type { Caller } from '../../app/actor.ts';
import { authorize, authorizeFeed, enforce, type FeedAccess } from '../../app/policy.ts';
import { clientAddressOf } from '../client-address.ts';
import { keyExpiryWarning } from '../../app/accounts/key-expiry.ts';
import { pushPackage } from '../../app/packages/push-package.ts';
import { setListing } from '../../app/packages/set-listing.ts';
import { spoolUpload } from '../upload.ts';
import type { FeedScope } from '../feed-of.ts';

export function registerPublishRoutes(server: FastifyInstance, deps: RouteDependencies, feed: FeedScope): void {
  const callerOf = async (request: FastifyRequest, reply: FastifyReply): Promise<Caller> => {
    const actor = await deps.authentication.actorOf(request);
    const warning = keyExpiryWarning(actor, deps.now());
    if (warning !== undefined) reply.header('x-nuget-warning', warning);
    return { actor, clientAddress: clientAddressOf(request) };
  };

  // The client PUTs to `{PackagePublish}/`; the router ignores the trailing slash.
  server.put('/api/v2/package', async (request, reply) => {
    const caller = await callerOf(request, reply);
    // Refused before a byte of a possibly huge body is read; server.ts drains what the client still sends.
    const access = await feed.accessOf(request, caller.actor);
    enforce(authorizeFeed(caller.actor, 'push', access));
    enforce(authorize(caller.actor, 'push'));
    const release = deps.uploadSlots.acquire();
    try {
      return await deps.work.track(receiveAndPush(request, reply, caller, access));
    } finally {
      release();
    }
  });

  const receiveAndPush = async (request: FastifyRequest, reply: FastifyReply, caller: Caller, access: FeedAccess) => {
    const upload = await spoolUpload(request.raw, { tempDir: deps.tempDir, maxBytes: deps.config.maxPackageSize, bodyTimeoutMs: deps.config.bodyTimeout });
    try {
      const pushed = await pushPackage(
        { packages: deps.packages, blobs: deps.blobs, blobGate: deps.blobGate, inspector: deps.inspector, now: deps.now, log: request.log },
        caller,
        access,
        upload,
      );
      return reply.code(201).send({ id: pushed.id, version: pushed.version });
    } finally {
      // After a successful push the file has moved into the blob store; otherwise it is discarded here.
      await rm(upload.path, { force: true });
    }
  };

  const listingRoute = (listed: boolean) => async (request: FastifyRequest<{ Params: { id: string; version: string } }>, reply: FastifyReply) => {
    const caller = await callerOf(request, reply);
    await setListing({ packages: deps.packages, now: deps.now, log: request.log }, caller, { access: await feed.accessOf(request, caller.actor), ...request.params }, listed);
    // nuget.org answers 200 with an empty body; any 2xx is success to the client.
    return reply.code(200).send();
  };
  server.delete('/api/v2/package/:id/:version', listingRoute(false));
  server.post('/api/v2/package/:id/:version', listingRoute(true));
}
