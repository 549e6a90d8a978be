/**
 * Push: check the spooled .nupkg, store its blobs, then insert the version row, which is the commit
 * point. A crash before the insert leaves only unreferenced blobs, which garbage collection removes.
 * https://learn.microsoft.com/nuget/api/package-publish-resource#push-a-package
 */
import { createHash } from 'node:crypto';
import type { Logger } from '../logger.ts';
import { AppError } from '../../errors.ts';
import { authorize, authorizeFeed, enforce, type FeedAccess } from '../policy.ts';
import { actorName, type Caller } from '../actor.ts';
import { changeActorOf, type ChangeActor } from '../events.ts';
import type { BlobStore, InspectedUpload, PackageInspector, PackageStore, PushRecord } from '../ports.ts';
import type { BlobGate } from '../blob-gate.ts';
import type { SpooledUpload } from './spooled-upload.ts';
import { acceptanceProblem, type FeedId } from '../../domain/feed.ts';

export interface PushDependencies {
  readonly packages: PackageStore;
  readonly blobs: BlobStore;
  readonly blobGate: BlobGate;
  readonly inspector: PackageInspector;
  readonly now: () => Date;
  readonly log: Logger;
}

/** How a version came, when not pushed by the caller: stored from an upstream source, recorded as that source. */
export interface PushOrigin {
  readonly fromUpstream: boolean;
  readonly recordedAs: ChangeActor;
}

export async function pushPackage(deps: PushDependencies, caller: Caller, access: FeedAccess, upload: SpooledUpload, origin?: PushOrigin): Promise<{ id: string; version: string }> {
  const feedId = access.feed.feedId;
  enforce(authorizeFeed(caller.actor, 'push', access));
  enforce(authorize(caller.actor, 'push'));
  const inspected = await deps.inspector.inspect(upload.path);
  const subject = { id: inspected.id, version: inspected.versionNormalized };
  // The feed takes only the kind of version it is for (a CI feed its pre-releases, a release feed stable ones).
  const unaccepted = acceptanceProblem(access.feed, inspected.isPrerelease);
  if (unaccepted !== undefined) throw new AppError('FORBIDDEN', `${unaccepted} '${inspected.id}' ${inspected.versionFull} is ${inspected.isPrerelease ? 'a pre-release' : 'stable'}.`, { subject });
  // Who may push is decided before whether the version exists, so a refusal says nothing about another owner's versions.
  const decision = authorize(caller.actor, 'push', { id: inspected.id, idLower: inspected.idLower, ownership: await deps.packages.ownership(inspected.idLower) });
  enforce(decision, subject);

  // A cheap early answer; the unique key on insert is what really guarantees a single winner.
  if (await deps.packages.findVersion(feedId, inspected.idLower, inspected.versionLower)) throw alreadyExists(inspected);

  const provenance = caller.actor.kind === 'api-key' ? caller.actor.key.provenance : undefined;
  const record = (publishedAt: Date): PushRecord => ({
    ownerAccountId: decision.ownerAccountId,
    provenance,
    fromUpstream: origin?.fromUpstream,
    event: {
      kind: 'package.pushed',
      at: publishedAt,
      actor: origin?.recordedAs ?? changeActorOf(caller.actor, caller.clientAddress),
      feedId,
      idLower: inspected.idLower,
      versionLower: inspected.versionLower,
      data: { id: inspected.id, version: inspected.versionFull, size: upload.size, sha512: upload.sha512Hex, ...(provenance === undefined ? {} : { provenance }) },
    },
  });
  // From the first blob stored to the row inserted, garbage collection must not judge these blobs unreferenced.
  const outcome = await deps.blobGate.shared(() => storeAndCommit(deps, feedId, upload, inspected, record));
  if (outcome === 'exists') throw alreadyExists(inspected);
  if (outcome === 'not-owner') {
    // Another account became the owner of this new id while this push was being checked.
    throw new AppError('FORBIDDEN', `'${inspected.id}' belongs to other owners; ask one of them to add you as an owner.`, { subject });
  }

  deps.log.info({ id: inspected.id, version: inspected.versionFull, size: upload.size, actor: actorName(caller.actor) }, 'package pushed');
  return { id: inspected.id, version: inspected.versionFull };
}

/** Stores the blobs, then inserts the version row: the commit point. */
async function storeAndCommit(
  deps: PushDependencies,
  feedId: FeedId,
  upload: SpooledUpload,
  inspected: InspectedUpload,
  record: (publishedAt: Date) => PushRecord,
): Promise<'created' | 'exists' | 'not-owner'> {
  // Each blob is synced on its own; together they only have to be stored before the row that names them.
  const [nuspecBlob, readmeBlob, iconBlob, licenseBlob] = await Promise.all([
    putSmallBlob(deps.blobs, inspected.nuspec),
    putSmallBlob(deps.blobs, inspected.readme),
    putSmallBlob(deps.blobs, inspected.icon?.bytes),
    putSmallBlob(deps.blobs, inspected.license),
    deps.blobs.putFile(upload.sha512Hex, upload.path),
  ]);

  const { details, nuspec: _nuspec, readme: _readme, icon, license: _license, ...identity } = inspected;
  const publishedAt = deps.now();
  return deps.packages.insertVersion(feedId, {
    ...identity,
    publishedAt,
    packageBlob: upload.sha512Hex,
    packageSize: upload.size,
    packageSha512: Buffer.from(upload.sha512Hex, 'hex').toString('base64'),
    nuspecBlob: nuspecBlob as string,
    readmeBlob,
    iconBlob,
    iconContentType: icon?.contentType,
    licenseBlob,
    details,
  }, record(publishedAt));
}

async function putSmallBlob(blobs: BlobStore, bytes: Uint8Array | undefined): Promise<string | undefined> {
  if (bytes === undefined) return undefined;
  const key = createHash('sha512').update(bytes).digest('hex');
  await blobs.putBytes(key, bytes);
  return key;
}

function alreadyExists(version: InspectedUpload): AppError {
  return new AppError('PACKAGE_EXISTS', `A package with ID '${version.id}' and version '${version.versionNormalized}' already exists and cannot be modified.`, {
    subject: { id: version.id, version: version.versionNormalized },
  });
}
