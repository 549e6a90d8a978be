/**
 * Registration documents (package metadata): index, pages and leaves, with nuget.org's paging —
 * pages of at most 64 leaves, all inlined in the index while an id has 127 versions or fewer.
 * https://learn.microsoft.com/nuget/api/registration-base-url-resource
 */
import type { PackageFacts, StoredVersion, VersionDetails } from '../../app/ports.ts';
import type { FeedUrls, RegistrationHive } from './feed-urls.ts';
import { packageFileUrls } from './package-file-urls.ts';
import { lowerPackageId } from '../../domain/package-id.ts';

/** nuget.org's Catalog2Registration settings: MaxLeavesPerPage and MaxInlinedLeafItems. */
export const MAX_LEAVES_PER_PAGE = 64;
export const MAX_INLINED_LEAVES = 127;

/** What nuget.org writes as `published` for unlisted versions; V2 clients infer "unlisted" from the year. */
export const UNLISTED_PUBLISHED = '1900-01-01T00:00:00+00:00';

/**
 * What a registration shows of a version: a stored version, or one an upstream source lists (which has no
 * embedded files here until it is downloaded, so its icon and license are the links its source gave).
 */
export type RegisteredVersion = Pick<
  StoredVersion,
  'idLower' | 'versionLower' | 'versionNormalized' | 'versionFull' | 'registrationId' | 'listed' | 'publishedAt' | 'isSemVer2' | 'iconBlob' | 'licenseBlob' | 'readmeBlob'
> & {
  readonly details: Pick<
    VersionDetails,
    'authors' | 'dependencyGroups' | 'description' | 'iconUrl' | 'language' | 'licenseExpression' | 'licenseUrl' | 'minClientVersion' | 'projectUrl' | 'requireLicenseAcceptance' | 'summary' | 'tags' | 'title'
  >;
};

interface Context {
  readonly urls: FeedUrls;
  readonly hive: RegistrationHive;
  readonly idLower: string;
  readonly facts: PackageFacts;
}

/** Versions in ascending order, already filtered for the hive; callers answer 404 for an empty list. */
export function buildRegistrationIndex(urls: FeedUrls, hive: RegistrationHive, versions: readonly RegisteredVersion[], facts: PackageFacts) {
  const idLower = firstOf(versions).idLower;
  const context: Context = { urls, hive, idLower, facts };
  const pages = chunk(versions, MAX_LEAVES_PER_PAGE);
  const inline = versions.length <= MAX_INLINED_LEAVES;
  const indexUrl = urls.registrationIndex(hive, idLower);
  return {
    '@id': indexUrl,
    '@type': ['catalog:CatalogRoot', 'PackageRegistration', 'catalog:Permalink'],
    count: pages.length,
    items: pages.map((page) => (inline ? buildPage(context, page, `${indexUrl}#page/${pageBounds(page).lower}/${pageBounds(page).upper}`) : pageReference(context, page))),
  };
}

/** The external page documents of an id with more versions than the index inlines; none otherwise. */
export function registrationPages(urls: FeedUrls, hive: RegistrationHive, versions: readonly RegisteredVersion[], facts: PackageFacts) {
  if (versions.length <= MAX_INLINED_LEAVES) return []; // small ids only have inlined pages
  const context: Context = { urls, hive, idLower: firstOf(versions).idLower, facts };
  return chunk(versions, MAX_LEAVES_PER_PAGE).map((page) => buildPage(context, page, pageUrl(context, page)));
}

export function buildRegistrationLeaf(urls: FeedUrls, hive: RegistrationHive, version: RegisteredVersion) {
  return {
    '@id': urls.registrationLeaf(hive, version.idLower, version.versionLower),
    '@type': ['Package', 'http://schema.nuget.org/catalog#Permalink'],
    listed: version.listed,
    packageContent: urls.packageContent(version.idLower, version.versionLower),
    published: publishedOf(version),
    registration: urls.registrationIndex(hive, version.idLower),
  };
}

function buildPage(context: Context, versions: readonly RegisteredVersion[], id: string) {
  const bounds = pageBounds(versions);
  return {
    '@id': id,
    '@type': 'catalog:CatalogPage',
    count: versions.length,
    lower: bounds.lower,
    upper: bounds.upper,
    parent: context.urls.registrationIndex(context.hive, context.idLower),
    items: versions.map((version) => buildLeafItem(context, version)),
  };
}

function pageReference(context: Context, versions: readonly RegisteredVersion[]) {
  const bounds = pageBounds(versions);
  return { '@id': pageUrl(context, versions), '@type': 'catalog:CatalogPage', count: versions.length, lower: bounds.lower, upper: bounds.upper };
}

function pageUrl(context: Context, versions: readonly RegisteredVersion[]): string {
  const bounds = pageBounds(versions);
  return context.urls.registrationPage(context.hive, context.idLower, bounds.lower, bounds.upper);
}

function buildLeafItem(context: Context, version: RegisteredVersion) {
  const { urls, hive } = context;
  const leafUrl = urls.registrationLeaf(hive, version.idLower, version.versionLower);
  const packageContent = urls.packageContent(version.idLower, version.versionLower);
  const details = version.details;
  const files = packageFileUrls(urls, version);
  return {
    '@id': leafUrl,
    '@type': 'Package',
    commitTimeStamp: version.publishedAt.toISOString(),
    catalogEntry: {
      '@id': leafUrl,
      '@type': 'PackageDetails',
      authors: details.authors,
      dependencyGroups: details.dependencyGroups.map((group) => ({
        '@type': 'PackageDependencyGroup',
        ...(group.targetFramework === undefined ? {} : { targetFramework: group.targetFramework }),
        dependencies: group.dependencies.map((dependency) => ({
          '@type': 'PackageDependency',
          id: dependency.id,
          range: dependency.range,
          registration: urls.registrationIndex(hive, lowerPackageId(dependency.id)),
        })),
      })),
      description: details.description,
      ...(files.iconUrl === undefined ? {} : { iconUrl: files.iconUrl }),
      id: version.registrationId,
      language: details.language ?? '',
      ...(details.licenseExpression === undefined ? {} : { licenseExpression: details.licenseExpression }),
      ...(files.licenseUrl === undefined ? {} : { licenseUrl: files.licenseUrl }),
      listed: version.listed,
      minClientVersion: details.minClientVersion ?? '',
      packageContent,
      ...(details.projectUrl === undefined ? {} : { projectUrl: details.projectUrl }),
      published: publishedOf(version),
      ...(files.readmeUrl === undefined ? {} : { readmeUrl: urls.packageDetails(version.registrationId, version.versionNormalized) }),
      requireLicenseAcceptance: details.requireLicenseAcceptance,
      summary: details.summary ?? '',
      tags: details.tags,
      title: details.title ?? '',
      // Not in nuget.org's registration (its gallery shows the checkmark); clients ignore what they do not know.
      verified: context.facts.verified,
      version: version.versionFull,
    },
    packageContent,
    registration: urls.registrationIndex(hive, version.idLower),
  };
}

function publishedOf(version: RegisteredVersion): string {
  return version.listed ? version.publishedAt.toISOString() : UNLISTED_PUBLISHED;
}

/** Page bounds are normalized versions without metadata; the client parses them with NuGetVersion. */
function pageBounds(versions: readonly RegisteredVersion[]): { lower: string; upper: string } {
  return { lower: firstOf(versions).versionNormalized.toLowerCase(), upper: lastOf(versions).versionNormalized.toLowerCase() };
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size));
  return chunks;
}

function firstOf<T>(items: readonly T[]): T {
  if (items.length === 0) throw new RangeError('a registration needs at least one version');
  return items[0] as T;
}

function lastOf<T>(items: readonly T[]): T {
  return items[items.length - 1] ?? firstOf(items);
}
