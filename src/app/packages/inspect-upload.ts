/**
 * Checks an uploaded .nupkg file against every package rule and returns what a push stores, as plain
 * data. Runs inside a worker thread (see workers/), so a hostile archive costs a worker, never the event loop.
 */
import { AppError, type ErrorSubject } from '../../errors.ts';
import { ArchiveError, openZipArchive } from '../../archive/zip-reader.ts';
import { inspectPackage, PACKAGE_LIMITS, PackageRuleError } from '../../domain/nupkg.ts';
import { isSemVer2Package, type Manifest } from '../../domain/manifest.ts';
import { lowerPackageId } from '../../domain/package-id.ts';
import type { InspectedUpload, VersionDetails } from '../ports.ts';

export async function inspectUploadFile(filePath: string): Promise<InspectedUpload> {
  let subject: ErrorSubject | undefined;
  try {
    const archive = await openZipArchive(filePath, { maxEntries: PACKAGE_LIMITS.maxEntries });
    try {
      const inspected = await inspectPackage(archive, {
        manifestRead: (manifest) => {
          subject = { id: manifest.id, version: manifest.version.normalized };
        },
      });
      const { manifest } = inspected;
      return {
        id: manifest.id,
        idLower: lowerPackageId(manifest.id),
        versionLower: manifest.version.lower,
        versionNormalized: manifest.version.normalized,
        versionFull: manifest.version.full,
        versionOriginal: manifest.version.originalText,
        sortKey: manifest.version.sortKey,
        isPrerelease: manifest.version.isPrerelease,
        isSemVer2: isSemVer2Package(manifest),
        details: versionDetails(manifest),
        nuspec: inspected.nuspecBytes,
        readme: inspected.readme,
        icon: inspected.icon,
        license: inspected.licenseFile,
      };
    } finally {
      await archive.close();
    }
  } catch (error) {
    if (error instanceof ArchiveError || error instanceof PackageRuleError) {
      throw new AppError('INVALID_PACKAGE', `The package is invalid: ${error.message}.`, { cause: error, subject });
    }
    throw error;
  }
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
