/**
 * Publishing a feed's version to another NuGet server (MyGet's "push upstream", to nuget.org or a release
 * server): a feed's owners register targets (the other server's service index and an API key, which is kept
 * sealed with the configuration's secretsKey); a contributor who owns the id pushes a version there, and the
 * answer (201, 409, a refusal, or the server unreachable) is recorded and shown with the target.
 */
import { AppError } from '../../errors.ts';
import { lowerPackageId } from '../../domain/package-id.ts';
import { NuGetVersion } from '../../domain/nuget-version.ts';
import type { SecretBox } from '../../security/secret-box.ts';
import type { Caller } from '../actor.ts';
import { changeActorOf } from '../events.ts';
import { authorize, enforce, refusalError } from '../policy.ts';
import { feedAllowing } from './feed-access.ts';
import type { BlobStore, PackageStore } from '../ports.ts';
import type { FeedStore } from './ports.ts';
import type { PushResult, PushTarget, PushTargetStore, UpstreamPublisher } from './push-target-ports.ts';

export interface PushUpstreamDependencies {
  readonly feeds: FeedStore;
  readonly targets: PushTargetStore;
  readonly packages: PackageStore;
  readonly blobs: BlobStore;
  readonly publisher: UpstreamPublisher;
  /** Undefined without `secretsKey`: no target can be added, nor used. */
  readonly secrets: SecretBox | undefined;
  readonly now: () => Date;
}

function secretsOf(deps: PushUpstreamDependencies): SecretBox {
  if (deps.secrets === undefined) throw new AppError('UNAVAILABLE', 'This server has no secretsKey configured (PALLET_SECRETS_KEY), so it cannot keep an upstream API key.');
  return deps.secrets;
}

export async function addPushTarget(
  deps: PushUpstreamDependencies,
  caller: Caller,
  request: { readonly feed: string; readonly name: string; readonly serviceIndex: string; readonly apiKey: string },
): Promise<PushTarget> {
  const feed = await feedAllowing(deps.feeds, caller.actor, request.feed, 'manage');
  const secrets = secretsOf(deps);
  const name = request.name.trim();
  if (!/^[a-z0-9][a-z0-9-]{0,63}$/.test(name)) throw new AppError('INVALID_REQUEST', `'${name.slice(0, 64)}' is not a target name: use lowercase letters, digits and '-'.`);
  let url: URL;
  try {
    url = new URL(request.serviceIndex);
  } catch {
    throw new AppError('INVALID_REQUEST', `'${request.serviceIndex.slice(0, 200)}' is not an absolute URL.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new AppError('INVALID_REQUEST', 'An upstream server is reached over https (or http).');
  const pushUrl = await deps.publisher.discoverPushUrl(url.href).catch((error: unknown) => {
    throw new AppError('INVALID_REQUEST', `The upstream service index could not be read: ${(error as Error).message}.`);
  });
  const at = deps.now();
  const added = await deps.targets.addPushTarget(
    { feedId: feed.feedId, name, pushUrl, createdAt: at, apiKeySealed: secrets.seal(request.apiKey) },
    { kind: 'feed.push-target-added', at, actor: changeActorOf(caller.actor, caller.clientAddress), feedId: feed.feedId, data: { feed: feed.name, target: name, pushUrl } },
  );
  if (added === 'name-taken') throw new AppError('CONFLICT', `The feed '${feed.name}' has a push target named '${name}' already.`);
  return added;
}

export async function removePushTarget(deps: PushUpstreamDependencies, caller: Caller, request: { readonly feed: string; readonly name: string }): Promise<void> {
  const feed = await feedAllowing(deps.feeds, caller.actor, request.feed, 'manage');
  const removed = await deps.targets.removePushTarget(feed.feedId, request.name, {
    kind: 'feed.push-target-removed',
    at: deps.now(),
    actor: changeActorOf(caller.actor, caller.clientAddress),
    feedId: feed.feedId,
    data: { feed: feed.name, target: request.name },
  });
  if (!removed) throw new AppError('NOT_FOUND', `The feed '${feed.name}' has no push target '${request.name.slice(0, 64)}'.`);
}

/** The feed's targets with their latest results, for its members. */
export async function pushTargetsOf(deps: PushUpstreamDependencies, caller: Caller, feedName: string): Promise<{ readonly target: PushTarget; readonly results: PushResult[] }[]> {
  const feed = await feedAllowing(deps.feeds, caller.actor, feedName, 'push');
  const targets = await deps.targets.pushTargets(feed.feedId);
  return Promise.all(targets.map(async (target) => ({ target, results: await deps.targets.pushResults(target.targetId, 20) })));
}

export async function pushUpstream(
  deps: PushUpstreamDependencies,
  caller: Caller,
  request: { readonly feed: string; readonly target: string; readonly id: string; readonly version: string },
): Promise<PushResult> {
  const actor = caller.actor;
  const feed = await feedAllowing(deps.feeds, actor, request.feed, 'push');
  const target = await deps.targets.pushTarget(feed.feedId, request.target);
  if (target === undefined) throw new AppError('NOT_FOUND', `The feed '${feed.name}' has no push target '${request.target.slice(0, 64)}'.`);
  const parsed = NuGetVersion.tryParse(request.version);
  const version = parsed === undefined ? undefined : await deps.packages.findVersion(feed.feedId, lowerPackageId(request.id), parsed.lower);
  if (version === undefined) throw new AppError('NOT_FOUND', `The feed '${feed.name}' has no version ${request.version.slice(0, 64)} of '${request.id.slice(0, 128)}'.`);
  // The id's owners decide where it is published, as for a push.
  const ownership = await deps.packages.ownership(version.idLower);
  if (actor.kind === 'session') {
    if (!actor.user.isAdministrator && !ownership.ownerIds.includes(actor.user.accountId)) {
      throw refusalError({ allowed: false, code: 'FORBIDDEN', reason: `Only an owner of '${version.registrationId}' publishes it upstream.`, challenge: undefined });
    }
  } else {
    enforce(authorize(actor, 'push', { id: version.registrationId, idLower: version.idLower, ownership }), { id: version.registrationId });
  }
  const apiKey = secretsOf(deps).open(target.apiKeySealed);
  const nupkg = await deps.blobs.open(version.packageBlob);
  if (nupkg === undefined) throw new AppError('NOT_FOUND', `The .nupkg of '${version.registrationId}' ${version.versionFull} is missing from the data folder; run pallet verify.`);
  let result: PushResult;
  try {
    const answer = await deps.publisher.push(target.pushUrl, apiKey, nupkg, version.packageSize);
    result = { idLower: version.idLower, versionLower: version.versionLower, status: answer.status, message: answer.reason || `HTTP ${answer.status}`, pushedAt: deps.now() };
  } catch (error) {
    nupkg.destroy();
    result = { idLower: version.idLower, versionLower: version.versionLower, status: undefined, message: `The upstream server could not be reached: ${(error as Error).message}`.slice(0, 300), pushedAt: deps.now() };
  }
  await deps.targets.recordPushResult(target.targetId, result, {
    kind: 'package.pushed-upstream',
    at: result.pushedAt,
    actor: changeActorOf(actor, caller.clientAddress),
    feedId: feed.feedId,
    idLower: version.idLower,
    versionLower: version.versionLower,
    data: { id: version.registrationId, version: version.versionFull, target: target.name, status: result.status ?? null, message: result.message },
  });
  return result;
}
