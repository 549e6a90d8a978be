/**
 * Unlist (DELETE) and relist (POST). Nothing is ever deleted: an unlisted version leaves search and
 * "latest version" answers, yet stays in the flat container and restores, exactly as on nuget.org.
 * https://learn.microsoft.com/nuget/api/package-publish-resource#delete-a-package
 */
import type { Logger } from '../logger.ts';
import { AppError } from '../../errors.ts';
import { NuGetVersion } from '../../domain/nuget-version.ts';
import { lowerPackageId } from '../../domain/package-id.ts';
import { authorize } from '../policy.ts';
import { actorName, type Actor } from '../actor.ts';
import type { PackageStore } from '../ports.ts';
import type { FeedId } from '../../domain/feed.ts';

export async function setListing(
  deps: { readonly packages: PackageStore; readonly log: Logger },
  actor: Actor,
  target: { readonly feedId: FeedId; readonly id: string; readonly version: string },
  listed: boolean,
): Promise<void> {
  authorize(actor, 'unlist');
  // The client sends the id and version as the user typed them: match case-insensitively and normalized.
  const version = NuGetVersion.tryParse(target.version);
  const found = version !== undefined && (await deps.packages.setListed(target.feedId, lowerPackageId(target.id), version.lower, listed));
  if (!found) throw new AppError('NOT_FOUND', `The package '${target.id}' version '${target.version}' does not exist.`);
  deps.log.info({ id: target.id, version: version.normalized, actor: actorName(actor) }, listed ? 'package relisted' : 'package unlisted');
}
