/**
 * Read use cases behind the flat container, registration and details pages. Everything here was stored
 * at push time, so no read opens a zip or re-parses a manifest.
 */
import { NuGetVersion } from '../../domain/nuget-version.ts';
import { lowerPackageId } from '../../domain/package-id.ts';
import type { BlobKey, PackageStore, StoredVersion } from '../ports.ts';

export type PackageFileKind = 'nupkg' | 'nuspec' | 'readme' | 'icon' | 'license';

export interface PackageFile {
  readonly version: StoredVersion;
  readonly blobKey: BlobKey;
  readonly contentType: string;
}

export class PackageReader {
  private readonly packages: PackageStore;

  constructor(packages: PackageStore) {
    this.packages = packages;
  }

  /** Every version of an id, unlisted included, ascending; empty when the id is unknown. */
  async versions(id: string): Promise<StoredVersion[]> {
    return this.packages.listVersions(lowerPackageId(id));
  }

  /** The versions a registration hive shows: SemVer 1 hives leave SemVer 2.0.0 packages out. */
  async registrationVersions(id: string, includeSemVer2: boolean): Promise<StoredVersion[]> {
    const versions = await this.versions(id);
    return includeSemVer2 ? versions : versions.filter((version) => !version.isSemVer2);
  }

  /** Lenient on input: any casing and any equivalent version form (`1.0`, `1.0.0.0`) finds the version. */
  async version(id: string, versionText: string): Promise<StoredVersion | undefined> {
    const version = NuGetVersion.tryParse(versionText);
    if (!version) return undefined;
    return this.packages.findVersion(lowerPackageId(id), version.lower);
  }

  async file(id: string, versionText: string, kind: PackageFileKind): Promise<PackageFile | undefined> {
    const version = await this.version(id, versionText);
    if (!version) return undefined;
    switch (kind) {
      case 'nupkg':
        return { version, blobKey: version.packageBlob, contentType: 'application/octet-stream' };
      case 'nuspec':
        return { version, blobKey: version.nuspecBlob, contentType: 'text/xml; charset=utf-8' };
      case 'readme':
        return version.readmeBlob === undefined ? undefined : { version, blobKey: version.readmeBlob, contentType: 'text/markdown; charset=utf-8' };
      case 'icon':
        return version.iconBlob === undefined ? undefined : { version, blobKey: version.iconBlob, contentType: version.iconContentType ?? 'application/octet-stream' };
      case 'license':
        return version.licenseBlob === undefined ? undefined : { version, blobKey: version.licenseBlob, contentType: 'text/plain; charset=utf-8' };
    }
  }
}
