/**
 * Parses search and autocomplete query strings the way nuget.org reads them: `q` with `field:value`
 * terms and quoted phrases, `skip`/`take` with nuget.org's defaults, `prerelease`, `semVerLevel`, `packageType`.
 * Unknown parameters and unknown fields are ignored, as on nuget.org.
 * https://learn.microsoft.com/nuget/api/search-query-service-resource#request-parameters
 * https://learn.microsoft.com/nuget/consume-packages/finding-and-choosing-packages#search-syntax
 */
import { NuGetVersion } from '../../domain/nuget-version.ts';
import type { SearchFilters, SearchTerm } from '../../app/ports.ts';

const FIELD_ALIASES: Record<string, Exclude<SearchTerm['field'], undefined>> = {
  id: 'id',
  packageid: 'packageid',
  version: 'version',
  title: 'title',
  description: 'description',
  tag: 'tags',
  tags: 'tags',
  author: 'authors',
  authors: 'authors',
  summary: 'summary',
  owner: 'owners',
  owners: 'owners',
};

const DEFAULT_TAKE = 20;
const MAX_TAKE = 1000;
const MAX_SKIP = 3000;

export type QueryParameters = Record<string, string | string[] | undefined>;

function single(query: QueryParameters, name: string): string | undefined {
  const value = query[name];
  return Array.isArray(value) ? value[0] : value;
}

export function parseSearchTerms(q: string | undefined): SearchTerm[] {
  const terms: SearchTerm[] = [];
  // A token is field:"quoted phrase", field:word, "quoted phrase" or word.
  const tokenPattern = /(?:([A-Za-z]+):)?(?:"([^"]*)"|(\S+))/g;
  for (const match of (q ?? '').matchAll(tokenPattern)) {
    const fieldName = match[1]?.toLowerCase();
    const value = (match[2] ?? match[3] ?? '').trim().toLowerCase();
    if (value.length === 0) continue;
    if (fieldName === undefined) {
      terms.push({ field: undefined, value });
      continue;
    }
    const field = FIELD_ALIASES[fieldName];
    if (field === undefined) continue; // nuget.org drops terms with unknown fields
    terms.push({ field, value: field === 'version' ? (NuGetVersion.tryParse(value)?.lower ?? value) : value });
  }
  return terms;
}

export function parseFilters(query: QueryParameters): SearchFilters {
  const packageType = single(query, 'packageType')?.trim().toLowerCase();
  return {
    includePrerelease: single(query, 'prerelease')?.toLowerCase() === 'true',
    includeSemVer2: includesSemVer2(single(query, 'semVerLevel')),
    packageType: packageType ? packageType : undefined,
  };
}

/** `semVerLevel=2.0.0` (or any version ≥ 2) opts into SemVer 2.0.0 packages; absent means 1.0.0. */
export function includesSemVer2(semVerLevel: string | undefined): boolean {
  const version = semVerLevel === undefined ? undefined : NuGetVersion.tryParse(semVerLevel);
  return version !== undefined && version.major >= 2;
}

/** nuget.org resets a negative or too-large `take` to the default instead of clamping it. */
export function parsePaging(query: QueryParameters): { skip: number; take: number } {
  const skipValue = Number.parseInt(single(query, 'skip') ?? '0', 10);
  const takeValue = Number.parseInt(single(query, 'take') ?? `${DEFAULT_TAKE}`, 10);
  const skip = Number.isFinite(skipValue) && skipValue > 0 ? Math.min(skipValue, MAX_SKIP) : 0;
  const take = Number.isFinite(takeValue) && takeValue >= 0 && takeValue <= MAX_TAKE ? takeValue : DEFAULT_TAKE;
  return { skip, take };
}

export function queryValue(query: QueryParameters, name: string): string | undefined {
  return single(query, name);
}
