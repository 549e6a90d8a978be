/**
 * Push: validate the spooled .nupkg, store its blobs, then insert the version row, which is the commit
 * point. A crash before the insert leaves only unreferenced blobs, which garbage collection removes.
 * https://learn.microsoft.com/nuget/api/package-publish-resource#push-a-package
 */
import { createHash } from 'node:crypto';
import type { Logger } from '../logger.ts';
import { AppError } from '../../errors.ts';
import { ArchiveError, openZipArchive } from '../../archive/zip-reader.ts';
import { inspectPackage, PACKAGE_LIMITS, PackageRuleError, type InspectedPackage } from '../../domain/nupkg.ts';
import { isSemVer2Package, type Manifest } from '../../domain/manifest.ts';
import { lowerPackageId } from '../../domain/package-id.ts';
import { authorize } from '../policy.ts';
import { actorName, type Actor } from '../actor.ts';
import type { BlobStore, PackageStore, VersionDetails } from '../ports.ts';
import type { BlobGate } from '../blob-gate.ts';
import type { SpooledUpload } from './spooled-upload.ts';

export interface PushDependencies {
  readonly packages: PackageStore;
  readonly blobs: BlobStore;
  readonly blobGate: BlobGate;
  readonly now: () => Date;
  readonly log: Logger;
}

export async function pushPackage(deps: PushDependencies, actor: Actor, upload: SpooledUpload): Promise<{ id: string; version: string }> {
  authorize(actor, 'push');
  const inspected = await inspectUpload(upload);
  const { manifest } = inspected;
  const idLower = lowerPackageId(manifest.id);
  const versionLower = manifest.version.lower;

  // A cheap early answer; the unique key on insert is what really guarantees a single winner.
  if (await deps.packages.findVersion(idLower, versionLower)) throw alreadyExists(manifest);

  // From the first blob stored to the row inserted, garbage collection must not judge these blobs unreferenced.
  const outcome = await deps.blobGate.shared(() => storeAndCommit(deps, upload, inspected));
  if (outcome === 'exists') throw alreadyExists(manifest);

  deps.log.info({ id: manifest.id, version: manifest.version.full, size: upload.size, actor: actorName(actor) }, 'package pushed');
  return { id: manifest.id, version: manifest.version.full };
}

/** Stores the blobs, then inserts the version row: the commit point. */
async function storeAndCommit(deps: PushDependencies, upload: SpooledUpload, inspected: InspectedPackage): Promise<'created' | 'exists'> {
  const { manifest } = inspected;
  const [nuspecBlob, readmeBlob, iconBlob, licenseBlob] = await Promise.all([
    putSmallBlob(deps.blobs, inspected.nuspecBytes),
    putSmallBlob(deps.blobs, inspected.readme),
    putSmallBlob(deps.blobs, inspected.icon?.bytes),
    putSmallBlob(deps.blobs, inspected.licenseFile),
  ]);
  await deps.blobs.putFile(upload.sha512Hex, upload.path);

  return deps.packages.insertVersion({
    id: manifest.id,
    idLower: lowerPackageId(manifest.id),
    versionLower: manifest.version.lower,
    versionNormalized: manifest.version.normalized,
    versionFull: manifest.version.full,
    versionOriginal: manifest.version.originalText,
    sortKey: manifest.version.sortKey,
    isPrerelease: manifest.version.isPrerelease,
    isSemVer2: isSemVer2Package(manifest),
    publishedAt: deps.now(),
    packageBlob: upload.sha512Hex,
    packageSize: upload.size,
    packageSha512: Buffer.from(upload.sha512Hex, 'hex').toString('base64'),
    nuspecBlob: nuspecBlob as string,
    readmeBlob,
    iconBlob,
    iconContentType: inspected.icon?.contentType,
    licenseBlob,
    details: versionDetails(manifest),
  });
}

async function inspectUpload(upload: SpooledUpload): Promise<InspectedPackage> {
  try {
    const archive = await openZipArchive(upload.path, { maxEntries: PACKAGE_LIMITS.maxEntries });
    try {
      return await inspectPackage(archive);
    } finally {
      archive.close();
    }
  } catch (error) {
    if (error instanceof ArchiveError || error instanceof PackageRuleError) {
      throw new AppError('INVALID_PACKAGE', `The package is invalid: ${error.message}.`, { cause: error });
    }
    throw error;
  }
}

async function putSmallBlob(blobs: BlobStore, bytes: Buffer | undefined): Promise<string | undefined> {
  if (bytes === undefined) return undefined;
  const key = createHash('sha512').update(bytes).digest('hex');
  await blobs.putBytes(key, bytes);
  return key;
}

function alreadyExists(manifest: Manifest): AppError {
  return new AppError(
    'PACKAGE_EXISTS',
    `A package with ID '${manifest.id}' and version '${manifest.version.normalized}' already exists and cannot be modified.`,
  );
}

function versionDetails(manifest: Manifest): VersionDetails {
  return {
    title: manifest.title,
    description: manifest.description,
    summary: manifest.summary,
    authors: manifest.authors,
    tags: manifest.tags,
    releaseNotes: manifest.releaseNotes,
    copyright: manifest.copyright,
    language: manifest.language,
    projectUrl: manifest.projectUrl,
    iconUrl: manifest.iconUrl,
    licenseUrl: manifest.licenseUrl,
    licenseExpression: manifest.license?.type === 'expression' ? manifest.license.expression : undefined,
    requireLicenseAcceptance: manifest.requireLicenseAcceptance,
    developmentDependency: manifest.developmentDependency,
    minClientVersion: manifest.minClientVersion,
    repository: manifest.repository,
    packageTypes: manifest.packageTypes,
    dependencyGroups: manifest.dependencyGroups.map((group) => ({
      targetFramework: group.targetFramework,
      dependencies: group.dependencies.map((dependency) => ({ id: dependency.id, range: dependency.range.normalized })),
    })),
  };
}
