/**
 * Unlist (DELETE) and relist (POST). Nothing is ever deleted: an unlisted version leaves search and
 * "latest version" answers, yet stays in the flat container and restores, exactly as on nuget.org.
 * https://learn.microsoft.com/nuget/api/package-publish-resource#delete-a-package
 */
import type { Logger } from '../logger.ts';
import { AppError } from '../../errors.ts';
import { NuGetVersion } from '../../domain/nuget-version.ts';
import { lowerPackageId } from '../../domain/package-id.ts';
import { authorize, authorizeFeed, enforce, type FeedAccess } from '../policy.ts';
import { actorName, type Caller } from '../actor.ts';
import { changeActorOf } from '../events.ts';
import type { PackageStore } from '../ports.ts';

export async function setListing(
  deps: { readonly packages: PackageStore; readonly now: () => Date; readonly log: Logger },
  caller: Caller,
  target: { readonly access: FeedAccess; readonly id: string; readonly version: string },
  listed: boolean,
): Promise<void> {
  const feedId = target.access.feed.feedId;
  enforce(authorizeFeed(caller.actor, 'unlist', target.access));
  enforce(authorize(caller.actor, 'unlist'));
  // The client sends the id and version as the user typed them: match case-insensitively and normalized.
  const idLower = lowerPackageId(target.id);
  enforce(authorize(caller.actor, 'unlist', { id: target.id, idLower, ownership: await deps.packages.ownership(idLower) }), { id: target.id, version: target.version });
  const version = NuGetVersion.tryParse(target.version);
  const event = {
    kind: listed ? 'package.relisted' : 'package.unlisted',
    at: deps.now(),
    actor: changeActorOf(caller.actor, caller.clientAddress),
    feedId: feedId,
    idLower,
    versionLower: version?.lower,
    data: { id: target.id, version: version?.normalized },
  } as const;
  // A scratch feed whose owner chose hard delete deletes; everywhere else a version is immutable and delete unlists.
  const hardDelete = !listed && target.access.feed.hardDelete;
  const found =
    version !== undefined &&
    (hardDelete
      ? await deps.packages.deleteVersion(feedId, idLower, version.lower, { ...event, kind: 'package.deleted' })
      : await deps.packages.setListed(feedId, idLower, version.lower, listed, event));
  if (!found) throw new AppError('NOT_FOUND', `The package '${target.id}' version '${target.version}' does not exist.`);
  deps.log.info({ id: target.id, version: version.normalized, actor: actorName(caller.actor) }, hardDelete ? 'package deleted' : listed ? 'package relisted' : 'package unlisted');
}
