/** Maps `package_versions` rows (joined with the registration's display id) to and from `StoredVersion`. */
import type { SQLInputValue } from 'node:sqlite';
import type { NewPackageVersion, StoredVersion, VersionDetails } from '../../app/ports.ts';
import type { FeedId } from '../../domain/feed.ts';

/** A version `v` with its registration `p` (for the display id). */
export const VERSION_WITH_PACKAGE = 'package_versions v JOIN packages p ON p.feed_id = v.feed_id AND p.id_lower = v.id_lower';

export const VERSION_COLUMNS = `v.feed_id, v.id_lower, v.version_lower, v.id, v.version_normalized, v.version_full, v.version_original,
  v.sort_key, v.is_prerelease, v.is_semver2, v.listed, v.published_at, v.package_blob, v.package_size, v.package_sha512,
  v.nuspec_blob, v.readme_blob, v.icon_blob, v.icon_content_type, v.license_blob, v.details_json, v.downloads,
  v.pushed_by_label, v.pushed_with_key, v.provenance,
  p.id AS registration_id`;

export function versionInsertValues(feedId: FeedId, version: NewPackageVersion): Record<string, SQLInputValue> {
  const details = version.details;
  return {
    feed_id: feedId,
    id_lower: version.idLower,
    version_lower: version.versionLower,
    id: version.id,
    version_normalized: version.versionNormalized,
    version_full: version.versionFull,
    version_original: version.versionOriginal,
    sort_key: version.sortKey,
    is_prerelease: version.isPrerelease ? 1 : 0,
    is_semver2: version.isSemVer2 ? 1 : 0,
    published_at: version.publishedAt.toISOString(),
    package_blob: version.packageBlob,
    package_size: version.packageSize,
    package_sha512: version.packageSha512,
    nuspec_blob: version.nuspecBlob,
    readme_blob: version.readmeBlob ?? null,
    icon_blob: version.iconBlob ?? null,
    icon_content_type: version.iconContentType ?? null,
    license_blob: version.licenseBlob ?? null,
    title_lower: (details.title ?? '').toLowerCase(),
    description_lower: details.description.toLowerCase(),
    summary_lower: (details.summary ?? '').toLowerCase(),
    authors_lower: details.authors.toLowerCase(),
    tags_lower: details.tags.join(' ').toLowerCase(),
    package_types: packageTypesColumn(details),
    details_json: JSON.stringify(details),
  };
}

/** `|dependency|` when no type is declared: NuGet's default package type. */
function packageTypesColumn(details: VersionDetails): string {
  const names = details.packageTypes.length > 0 ? details.packageTypes.map((type) => type.name.toLowerCase()) : ['dependency'];
  return `|${names.join('|')}|`;
}

export function rowToStoredVersion(row: Record<string, unknown>): StoredVersion {
  const text = (name: string) => String(row[name]);
  const optional = (name: string) => (row[name] === null || row[name] === undefined ? undefined : String(row[name]));
  return {
    feedId: Number(row.feed_id),
    idLower: text('id_lower'),
    versionLower: text('version_lower'),
    id: text('id'),
    registrationId: text('registration_id'),
    versionNormalized: text('version_normalized'),
    versionFull: text('version_full'),
    versionOriginal: text('version_original'),
    sortKey: text('sort_key'),
    isPrerelease: Number(row.is_prerelease) === 1,
    isSemVer2: Number(row.is_semver2) === 1,
    listed: Number(row.listed) === 1,
    publishedAt: new Date(text('published_at')),
    packageBlob: text('package_blob'),
    packageSize: Number(row.package_size),
    packageSha512: text('package_sha512'),
    nuspecBlob: text('nuspec_blob'),
    readmeBlob: optional('readme_blob'),
    iconBlob: optional('icon_blob'),
    iconContentType: optional('icon_content_type'),
    licenseBlob: optional('license_blob'),
    details: JSON.parse(text('details_json')) as VersionDetails,
    downloads: Number(row.downloads),
    pushedBy: row.pushed_by_label === null ? undefined : { label: text('pushed_by_label'), keyName: optional('pushed_with_key') },
    provenance: row.provenance === null || row.provenance === undefined ? undefined : (JSON.parse(text('provenance')) as Record<string, string>),
  };
}
