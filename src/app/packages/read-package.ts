/**
 * Read use cases behind the flat container, registration and details pages. Everything here was stored
 * at push time, so no read opens a zip or re-parses a manifest.
 */
import { NuGetVersion } from '../../domain/nuget-version.ts';
import { lowerPackageId } from '../../domain/package-id.ts';
import type { BlobKey, BlobStore, PackageStore, SearchFilters, StoredVersion } from '../ports.ts';

export type PackageFileKind = 'nupkg' | 'nuspec' | 'readme' | 'icon' | 'license';

export interface PackageFile {
  readonly version: StoredVersion;
  readonly blobKey: BlobKey;
  readonly contentType: string;
}

export class PackageReader {
  private readonly packages: PackageStore;
  private readonly blobs: BlobStore;

  constructor(packages: PackageStore, blobs: BlobStore) {
    this.packages = packages;
    this.blobs = blobs;
  }

  /** Listed versions that pass the search filters (prerelease, SemVer 2.0.0), ascending. */
  async listedVersions(id: string, filters: Pick<SearchFilters, 'includePrerelease' | 'includeSemVer2'>): Promise<StoredVersion[]> {
    return (await this.versions(id)).filter(
      (version) => version.listed && (filters.includePrerelease || !version.isPrerelease) && (filters.includeSemVer2 || !version.isSemVer2),
    );
  }

  /** Every version of an id, unlisted included, ascending; empty when the id is unknown. */
  async versions(id: string): Promise<StoredVersion[]> {
    return this.packages.listVersions(lowerPackageId(id));
  }

  /** The package's readme as text, when it has one. */
  async readmeText(version: StoredVersion): Promise<string | undefined> {
    if (version.readmeBlob === undefined) return undefined;
    const stream = await this.blobs.open(version.readmeBlob);
    if (!stream) return undefined;
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
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
