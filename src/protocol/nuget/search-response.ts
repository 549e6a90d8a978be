/**
 * Search and autocomplete response documents.
 * https://learn.microsoft.com/nuget/api/search-query-service-resource#response
 * https://learn.microsoft.com/nuget/api/search-autocomplete-service-resource#response
 */
import type { SearchHit } from '../../app/ports.ts';
import type { FeedUrls, RegistrationHive } from './feed-urls.ts';
import { packageFileUrls } from './package-file-urls.ts';

export function buildSearchResponse(urls: FeedUrls, result: { totalHits: number; hits: readonly SearchHit[] }, includeSemVer2: boolean) {
  // nuget.org links SemVer 1 searches to the SemVer 1 hive, so a follow-up read never shows a hidden package.
  const hive: RegistrationHive = includeSemVer2 ? 'semver2-gz' : 'semver1';
  return {
    '@context': { '@vocab': 'http://schema.nuget.org/schema#', '@base': urls.registrationBase(hive) },
    totalHits: result.totalHits,
    data: result.hits.map(({ latest, versions, totalDownloads, owners, verified }) => {
      const details = latest.details;
      const registration = urls.registrationIndex(hive, latest.idLower);
      return {
        '@id': registration,
        '@type': 'Package',
        registration,
        id: latest.registrationId,
        version: latest.versionFull,
        description: details.description,
        summary: details.summary ?? '',
        title: details.title ?? latest.registrationId,
        ...iconAndLicense(packageFileUrls(urls, latest)),
        ...(details.projectUrl === undefined ? {} : { projectUrl: details.projectUrl }),
        ...(details.licenseExpression === undefined ? {} : { licenseExpression: details.licenseExpression }),
        tags: details.tags,
        authors: splitAuthors(details.authors),
        totalDownloads,
        owners,
        verified,
        packageTypes: details.packageTypes.length > 0 ? details.packageTypes.map((type) => ({ name: type.name })) : [{ name: 'Dependency' }],
        versions: versions.map((version) => ({
          version: version.versionFull,
          downloads: version.downloads,
          '@id': urls.registrationLeaf(hive, version.idLower, version.versionLower),
        })),
        vulnerabilities: [],
      };
    }),
  };
}

export function buildAutocompleteResponse(totalHits: number, data: readonly string[]) {
  return { '@context': { '@vocab': 'http://schema.nuget.org/schema#' }, totalHits, data };
}

function iconAndLicense({ iconUrl, licenseUrl }: { iconUrl?: string; licenseUrl?: string }) {
  return { ...(iconUrl === undefined ? {} : { iconUrl }), ...(licenseUrl === undefined ? {} : { licenseUrl }) };
}

function splitAuthors(authors: string): string[] {
  return authors
    .split(',')
    .map((author) => author.trim())
    .filter((author) => author.length > 0);
}
