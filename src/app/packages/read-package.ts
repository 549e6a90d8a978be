/**
 * Read use cases behind the flat container, registration and details pages. Everything here was stored
 * at push time, so no read opens a zip or re-parses a manifest.
 */
import { NuGetVersion } from '../../domain/nuget-version.ts';
import { lowerPackageId } from '../../domain/package-id.ts';
import type { BlobKey, BlobStore, PackageStore, SearchFilters, StoredVersion, VersionFiles } from '../ports.ts';
import type { FeedId } from '../../domain/feed.ts';

export type PackageFileKind = 'nupkg' | 'nuspec' | 'readme' | 'icon' | 'license';

export interface PackageFile {
  readonly files: VersionFiles;
  readonly blobKey: BlobKey;
  readonly contentType: string;
  /** Known for the .nupkg (the row records it), so it may be served from memory. */
  readonly size: number | undefined;
}

export class PackageReader {
  private readonly packages: PackageStore;
  private readonly blobs: BlobStore;

  constructor(packages: PackageStore, blobs: BlobStore) {
    this.packages = packages;
    this.blobs = blobs;
  }

  /** Listed versions that pass the search filters (prerelease, SemVer 2.0.0), ascending. */
  async listedVersions(feedId: FeedId, id: string, filters: Pick<SearchFilters, 'includePrerelease' | 'includeSemVer2'>): Promise<StoredVersion[]> {
    return (await this.versions(feedId, id)).filter(
      (version) => version.listed && (filters.includePrerelease || !version.isPrerelease) && (filters.includeSemVer2 || !version.isSemVer2),
    );
  }

  /** Every version of an id in the feed, unlisted included, ascending; empty when the feed does not hold the id. */
  async versions(feedId: FeedId, id: string): Promise<StoredVersion[]> {
    return this.packages.listVersions(feedId, lowerPackageId(id));
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
  async version(feedId: FeedId, id: string, versionText: string): Promise<StoredVersion | undefined> {
    const version = NuGetVersion.tryParse(versionText);
    if (!version) return undefined;
    return this.packages.findVersion(feedId, lowerPackageId(id), version.lower);
  }

  async file(feedId: FeedId, id: string, versionText: string, kind: PackageFileKind): Promise<PackageFile | undefined> {
    const versionLower = NuGetVersion.tryParse(versionText)?.lower;
    const files = versionLower === undefined ? undefined : await this.packages.findFiles(feedId, lowerPackageId(id), versionLower);
    if (!files) return undefined;
    switch (kind) {
      case 'nupkg':
        return { files, blobKey: files.packageBlob, contentType: 'application/octet-stream', size: files.packageSize };
      case 'nuspec':
        return { files, blobKey: files.nuspecBlob, contentType: 'text/xml; charset=utf-8', size: undefined };
      case 'readme':
        return files.readmeBlob === undefined ? undefined : { files, blobKey: files.readmeBlob, contentType: 'text/markdown; charset=utf-8', size: undefined };
      case 'icon':
        return files.iconBlob === undefined
          ? undefined
          : { files, blobKey: files.iconBlob, contentType: files.iconContentType ?? 'application/octet-stream', size: undefined };
      case 'license':
        return files.licenseBlob === undefined ? undefined : { files, blobKey: files.licenseBlob, contentType: 'text/plain; charset=utf-8', size: undefined };
    }
  }
}
