/** The identity fields of a version as a push derives them from its nuspec id and version. */
import { NuGetVersion } from '../../src/domain/nuget-version.ts';
import { lowerPackageId } from '../../src/domain/package-id.ts';
import type { PackageIdentity } from '../../src/app/ports.ts';

export function identityOf(id: string, versionText: string, options: { isSemVer2?: boolean } = {}): PackageIdentity {
  const version = NuGetVersion.parse(versionText);
  return {
    id,
    idLower: lowerPackageId(id),
    versionLower: version.lower,
    versionNormalized: version.normalized,
    versionFull: version.full,
    versionOriginal: version.originalText,
    sortKey: version.sortKey,
    isPrerelease: version.isPrerelease,
    isSemVer2: options.isSemVer2 ?? version.isSemVer2,
  };
}
