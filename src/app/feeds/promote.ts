/**
 * Promotion, MyGet's CI flow: a version tested in one feed (`ci`) is put into another (`release`) as it is,
 * the same bytes (the same blobs, so the same hash), with its push record; optionally with its dependencies
 * that live in the source feed (for each, the lowest version there that its range allows, as restore picks).
 * The caller must read the source feed, push to the target, and own the ids; the target must accept the
 * version and not hold it yet (versions are immutable there too).
 */
import { AppError } from '../../errors.ts';
import { acceptanceProblem, type Feed } from '../../domain/feed.ts';
import { lowerPackageId } from '../../domain/package-id.ts';
import { NuGetVersion, compareVersions } from '../../domain/nuget-version.ts';
import { VersionRange } from '../../domain/version-range.ts';
import type { Actor, Caller } from '../actor.ts';
import { changeActorOf, type ChangeActor } from '../events.ts';
import { authorize, enforce, refusalError } from '../policy.ts';
import { feedAllowing } from './feed-access.ts';
import type { PackageOwnership, PackageStore, StoredVersion } from '../ports.ts';
import type { FeedStore } from './ports.ts';

export interface PromotionDependencies {
  readonly packages: PackageStore;
  readonly feeds: FeedStore;
  readonly now: () => Date;
}

export interface PromotionRequest {
  readonly id: string;
  readonly version: string;
  readonly from: string;
  readonly to: string;
  readonly withDependencies: boolean;
}

/** What was promoted, dependencies after the version that needed them; those the target held already are left out. */
export interface Promoted {
  readonly id: string;
  readonly version: string;
}

/**
 * The package's own rule: a key must allow pushing the id and act for an owner, as for a push; a signed-in
 * user (promotion is a management action) must own the id, or be an administrator.
 */
function mayPromote(actor: Actor, id: string, idLower: string, ownership: PackageOwnership): void {
  if (actor.kind !== 'session') {
    enforce(authorize(actor, 'push', { id, idLower, ownership }), { id });
    return;
  }
  if (actor.user.isAdministrator || ownership.ownerIds.includes(actor.user.accountId)) return;
  throw refusalError({ allowed: false, code: 'FORBIDDEN', reason: `Only an owner of '${id}' promotes it.`, challenge: undefined });
}

export async function promoteVersion(deps: PromotionDependencies, caller: Caller, request: PromotionRequest, given?: ChangeActor): Promise<Promoted[]> {
  const actor = caller.actor;
  const from = await feedAllowing(deps.feeds, actor, request.from, 'read');
  const to = await feedAllowing(deps.feeds, actor, request.to, 'push');
  if (from.feedId === to.feedId) throw new AppError('INVALID_REQUEST', 'The source and the target are the same feed.');
  const version = NuGetVersion.tryParse(request.version);
  const found = version === undefined ? undefined : await deps.packages.findVersion(from.feedId, lowerPackageId(request.id), version.lower);
  if (found === undefined) throw new AppError('NOT_FOUND', `The feed '${from.name}' has no version ${request.version.slice(0, 64)} of '${request.id.slice(0, 128)}'.`);

  const plan: StoredVersion[] = [found];
  if (request.withDependencies) await addDependencies(deps, from, found, plan);
  // Everything is checked before anything is copied, so a refusal leaves the target as it was.
  const copies: StoredVersion[] = [];
  for (const each of plan) {
    const held = (await deps.packages.findVersion(to.feedId, each.idLower, each.versionLower)) !== undefined;
    if (held && each === found) throw new AppError('PACKAGE_EXISTS', `The feed '${to.name}' already has '${each.registrationId}' ${each.versionFull}; versions are never replaced.`);
    if (held) continue;
    mayPromote(actor, each.registrationId, each.idLower, await deps.packages.ownership(each.idLower));
    const unaccepted = acceptanceProblem(to, each.isPrerelease);
    if (unaccepted !== undefined) throw new AppError('FORBIDDEN', `${unaccepted} '${each.registrationId}' ${each.versionFull} is ${each.isPrerelease ? 'a pre-release' : 'stable'}.`);
    copies.push(each);
  }
  const promoted: Promoted[] = [];
  for (const each of copies) {
    const outcome = await deps.packages.copyVersion(from.feedId, to.feedId, each.idLower, each.versionLower, {
      kind: 'package.promoted',
      at: deps.now(),
      actor: given ?? changeActorOf(actor, caller.clientAddress),
      data: { id: each.registrationId, version: each.versionFull, from: from.name, to: to.name, sha512: each.packageSha512 },
    });
    if (outcome === 'exists') throw new AppError('PACKAGE_EXISTS', `The feed '${to.name}' already has '${each.registrationId}' ${each.versionFull}; versions are never replaced.`);
    if (outcome === 'missing') throw new AppError('NOT_FOUND', `The feed '${from.name}' no longer has '${each.registrationId}' ${each.versionFull}.`);
    promoted.push({ id: each.registrationId, version: each.versionFull });
  }
  return promoted;
}

/** Adds to `plan`, depth first, the dependencies of `version` that the source feed holds (each version once). */
async function addDependencies(deps: PromotionDependencies, from: Feed, version: StoredVersion, plan: StoredVersion[]): Promise<void> {
  for (const group of version.details.dependencyGroups) {
    for (const dependency of group.dependencies) {
      const range = VersionRange.tryParse(dependency.range) ?? VersionRange.all;
      const candidates = (await deps.packages.listVersions(from.feedId, lowerPackageId(dependency.id)))
        .filter((candidate) => {
          const parsed = NuGetVersion.tryParse(candidate.versionNormalized);
          return parsed !== undefined && range.satisfies(parsed);
        })
        .sort((a, b) => compareVersions(NuGetVersion.parse(a.versionNormalized), NuGetVersion.parse(b.versionNormalized)));
      const chosen = candidates[0];
      if (chosen === undefined || plan.some((planned) => planned.idLower === chosen.idLower && planned.versionLower === chosen.versionLower)) continue;
      plan.push(chosen);
      await addDependencies(deps, from, chosen, plan);
    }
  }
}
