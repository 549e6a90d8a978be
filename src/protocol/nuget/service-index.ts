/**
 * The service index. It advertises every type string some NuGet client looks for: the client matches
 * `@type` exactly against its own preference list (NuGet.Client ServiceTypes.cs), which differs from the docs,
 * e.g. search is only found as SearchQueryService/3.0.0-beta, /3.4.0 or /Versioned.
 * https://learn.microsoft.com/nuget/api/service-index
 */
import type { FeedUrls } from './feed-urls.ts';

export interface ServiceIndex {
  version: '3.0.0';
  resources: { '@id': string; '@type': string; comment?: string }[];
  '@context': { '@vocab': string; comment: string };
}

export function buildServiceIndex(urls: FeedUrls): ServiceIndex {
  const resources: ServiceIndex['resources'] = [];
  const add = (id: string, types: string[], comment: string) => {
    for (const type of types) resources.push({ '@id': id, '@type': type, comment });
  };

  add(urls.packageBase, ['PackageBaseAddress/3.0.0'], 'Base URL of where NuGet packages are stored, in the format {@id}{LOWER_ID}/{LOWER_VERSION}/{LOWER_ID}.{LOWER_VERSION}.nupkg');
  add(urls.packagePublish, ['PackagePublish/2.0.0'], 'Push, unlist (DELETE) and relist (POST) packages');
  add(urls.search, ['SearchQueryService', 'SearchQueryService/3.0.0-beta', 'SearchQueryService/3.0.0-rc', 'SearchQueryService/3.4.0', 'SearchQueryService/3.5.0', 'SearchQueryService/Versioned'], 'Query endpoint of the NuGet search service');
  add(urls.autocomplete, ['SearchAutocompleteService', 'SearchAutocompleteService/3.0.0-beta', 'SearchAutocompleteService/3.0.0-rc', 'SearchAutocompleteService/3.5.0', 'SearchAutocompleteService/Versioned'], 'Autocomplete endpoint of the NuGet search service');
  add(urls.registrationBase('semver1'), ['RegistrationsBaseUrl', 'RegistrationsBaseUrl/3.0.0-beta', 'RegistrationsBaseUrl/3.0.0-rc'], 'Package metadata without SemVer 2.0.0 packages, not compressed');
  add(urls.registrationBase('semver1-gz'), ['RegistrationsBaseUrl/3.4.0'], 'Package metadata without SemVer 2.0.0 packages, gzip-compressed');
  add(urls.registrationBase('semver2-gz'), ['RegistrationsBaseUrl/3.6.0', 'RegistrationsBaseUrl/Versioned'], 'Package metadata including SemVer 2.0.0 packages, gzip-compressed');
  add(urls.packageDetailsTemplate(), ['PackageDetailsUriTemplate/5.1.0'], 'URI template used by NuGet clients to construct the details URL for packages');
  add(urls.reportAbuseTemplate(), ['ReportAbuseUriTemplate/3.0.0', 'ReportAbuseUriTemplate/3.0.0-beta', 'ReportAbuseUriTemplate/3.0.0-rc', 'ReportAbuseUriTemplate/Versioned'], 'URI template used by NuGet clients to construct the report abuse URL for packages');
  add(urls.readmeTemplate(), ['ReadmeUriTemplate/6.13.0', 'ReadmeUriTemplate/Versioned'], 'URI template used by NuGet clients to fetch the readme of a package');

  return {
    version: '3.0.0',
    resources,
    '@context': { '@vocab': 'http://schema.nuget.org/services#', comment: 'http://www.w3.org/2000/01/rdf-schema#comment' },
  };
}
