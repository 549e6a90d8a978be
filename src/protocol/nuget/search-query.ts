/**
 * Parses search and autocomplete query strings the way nuget.org reads them: `q` with `field:value`
 * terms and quoted phrases, `skip`/`take` with nuget.org's defaults, `prerelease`, `semVerLevel`, `packageType`.
 * Unknown parameters and unknown fields are ignored, as on nuget.org.
 * https://learn.microsoft.com/nuget/api/search-query-service-resource#request-parameters
 * https://learn.microsoft.com/nuget/consume-packages/finding-and-choosing-packages#search-syntax
 */
import { NuGetVersion } from '../../domain/nuget-version.ts';
import { AppError } from '../../errors.ts';
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

/** More terms than anyone types; past it the query would only grow SQL toward SQLite's expression limit. */
export const MAX_SEARCH_TERMS = 32;
const DEFAULT_TAKE = 20;
const MAX_TAKE = 1000;

export type QueryParameters = Record<string, string | string[] | undefined>;

export function queryValue(query: QueryParameters, name: string): string | undefined {
  const value = query[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Terms of `q`; terms past MAX_SEARCH_TERMS are dropped. */
export function parseSearchTerms(q: string | undefined): SearchTerm[] {
  const terms: SearchTerm[] = [];
  // A token is field:"quoted phrase", field:word, "quoted phrase" or word; `id: json` reads as `id:json`.
  const tokenPattern = /(?:([A-Za-z]+):\s*)?(?:"([^"]*)"|(\S+))/g;
  for (const match of (q ?? '').matchAll(tokenPattern)) {
    if (terms.length === MAX_SEARCH_TERMS) break;
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

/** The filters a query asks for; the feed it searches comes from its URL, not its parameters. */
export function parseFilters(query: QueryParameters): Omit<SearchFilters, 'feedId'> {
  const packageType = queryValue(query, 'packageType')?.trim().toLowerCase();
  return {
    includePrerelease: queryValue(query, 'prerelease')?.toLowerCase() === 'true',
    includeSemVer2: includesSemVer2(queryValue(query, 'semVerLevel')),
    packageType: packageType ? packageType : undefined,
  };
}

/** `semVerLevel=2.0.0` (or any version ≥ 2) opts into SemVer 2.0.0 packages; absent means 1.0.0. */
export function includesSemVer2(semVerLevel: string | undefined): boolean {
  const version = semVerLevel === undefined ? undefined : NuGetVersion.tryParse(semVerLevel);
  return version !== undefined && version.major >= 2;
}

/**
 * `skip` and `take` are whole numbers, or the request is refused: `take=1e9` must not quietly mean 1.
 * A `take` past 1,000 is served as 1,000 (Paket's find-packages asks autocomplete for 10,000).
 */
export function parsePaging(query: QueryParameters): { skip: number; take: number } {
  const skip = wholeNumberParameter(query, 'skip') ?? 0;
  const take = wholeNumberParameter(query, 'take') ?? DEFAULT_TAKE;
  return { skip, take: Math.min(take, MAX_TAKE) };
}

function wholeNumberParameter(query: QueryParameters, name: string): number | undefined {
  const text = queryValue(query, name)?.trim();
  if (text === undefined || text === '') return undefined;
  if (!/^\d{1,9}$/.test(text)) {
    throw new AppError('INVALID_REQUEST', `The '${name}' parameter must be a whole number from 0 to 999999999, not '${text.slice(0, 40)}'.`);
  }
  return Number(text);
}
