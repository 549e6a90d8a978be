/**
 * Applies a feed's retention rules (domain/retention.ts): the versions they let go are unlisted (versions are
 * immutable: unlisted ones still restore by exact version, as on nuget.org), or deleted in a scratch feed whose
 * owner chose hard delete, each with its event; with
 * `dryRun` nothing changes and the list is only returned. Pins keep a version whatever the rules say. The
 * primary process runs it for every feed with rules on a schedule; `pallet retention FEED` runs it by hand.
 */
import { AppError } from '../../errors.ts';
import { hasRetentionRules, versionsToRelease, type RetainedVersion } from '../../domain/retention.ts';
import { lowerPackageId } from '../../domain/package-id.ts';
import { NuGetVersion } from '../../domain/nuget-version.ts';
import { changeActorOf, SERVER, type ChangeActor } from '../events.ts';
import type { Caller } from '../actor.ts';
import { feedAllowing } from './feed-access.ts';
import type { Logger } from '../logger.ts';
import type { PackageStore } from '../ports.ts';
import type { Feed } from '../../domain/feed.ts';
import type { FeedStore } from './ports.ts';

export interface RetentionDependencies {
  readonly packages: PackageStore;
  readonly feeds: FeedStore;
  readonly now: () => Date;
  readonly log: Logger;
}

export interface Released {
  readonly id: string;
  readonly version: string;
}

/** The feed's versions as retention sees them: the listed ones (an unlisted one is gone already, and restore picks none), with their pins and dependencies. */
async function candidates(deps: RetentionDependencies, feed: Feed): Promise<(RetainedVersion & { readonly id: string; readonly versionFull: string })[]> {
  const pins = new Set((await deps.feeds.pinnedVersions(feed.feedId)).map((pin) => `${pin.idLower}/${pin.versionLower}`));
  const versions = [];
  for await (const version of deps.packages.allVersions()) {
    if (version.feedId !== feed.feedId || !version.listed) continue;
    versions.push({
      id: version.registrationId,
      versionFull: version.versionFull,
      idLower: version.idLower,
      versionLower: version.versionLower,
      isPrerelease: version.isPrerelease,
      publishedAt: version.publishedAt,
      pinned: pins.has(`${version.idLower}/${version.versionLower}`),
      dependencies: version.details.dependencyGroups.flatMap((group) => group.dependencies.map((dependency) => ({ idLower: lowerPackageId(dependency.id), range: dependency.range }))),
    });
  }
  return versions;
}

/** Runs the rules of one feed; `given` is who the unlisting is recorded as (the schedule is the server). */
export async function applyRetention(deps: RetentionDependencies, feed: Feed, dryRun: boolean, given: ChangeActor = SERVER): Promise<Released[]> {
  if (!hasRetentionRules(feed.retention)) return [];
  const versions = await candidates(deps, feed);
  const released = versionsToRelease(versions, feed.retention, deps.now()) as (typeof versions)[number][];
  if (dryRun) return released.map((version) => ({ id: version.id, version: version.versionFull }));
  const done: Released[] = [];
  for (const version of released) {
    const at = deps.now();
    const event = {
      kind: feed.hardDelete ? ('package.deleted' as const) : ('package.unlisted' as const),
      at,
      actor: given,
      feedId: feed.feedId,
      idLower: version.idLower,
      versionLower: version.versionLower,
      data: { id: version.id, version: version.versionFull, reason: 'retention' },
    };
    // A hard-delete feed frees the space (the blobs go with the next sweep); an immutable one unlists.
    const changed = feed.hardDelete
      ? await deps.packages.deleteVersion(feed.feedId, version.idLower, version.versionLower, event)
      : await deps.packages.setListed(feed.feedId, version.idLower, version.versionLower, false, event);
    if (changed) done.push({ id: version.id, version: version.versionFull });
  }
  if (done.length > 0) deps.log.info({ feed: feed.name, unlisted: done.length }, 'retention unlisted versions');
  return done;
}

/** `pallet retention` and the management API: the feed's owners (or an administrator) run it, or see what it would do. */
export async function runRetention(deps: RetentionDependencies, caller: Caller, feedName: string, dryRun: boolean, given?: ChangeActor): Promise<Released[]> {
  const actor = caller.actor;
  const feed = await feedAllowing(deps.feeds, actor, feedName, 'manage');
  if (!hasRetentionRules(feed.retention)) throw new AppError('INVALID_REQUEST', `The feed '${feed.name}' has no retention rules; set them first (keepNewest, keepDays).`);
  return applyRetention(deps, feed, dryRun, given ?? changeActorOf(actor, caller.clientAddress));
}

/** Pins or unpins a version of a feed (its owners): a pinned version is never let go by retention. */
export async function setPinned(deps: RetentionDependencies, caller: Caller, request: { readonly feed: string; readonly id: string; readonly version: string; readonly pinned: boolean }): Promise<void> {
  const feed = await feedAllowing(deps.feeds, caller.actor, request.feed, 'manage');
  const version = NuGetVersion.tryParse(request.version);
  const found = version === undefined ? undefined : await deps.packages.findVersion(feed.feedId, lowerPackageId(request.id), version.lower);
  if (found === undefined || version === undefined) throw new AppError('NOT_FOUND', `The feed '${feed.name}' has no version ${request.version.slice(0, 64)} of '${request.id.slice(0, 128)}'.`);
  await deps.feeds.setPinned(feed.feedId, found.idLower, found.versionLower, request.pinned, deps.now());
}

/** The schedule's run: every feed with rules, one after another; a feed that fails is logged and the rest still run. */
export async function applyRetentionToAllFeeds(deps: RetentionDependencies): Promise<void> {
  for (const feed of await deps.feeds.listFeeds()) {
    if (!hasRetentionRules(feed.retention)) continue;
    try {
      await applyRetention(deps, feed, false);
    } catch (error) {
      deps.log.error({ err: error, feed: feed.name }, 'retention failed');
    }
  }
}
