/**
 * Search and autocomplete in SQL over the metadata database. A package is described by its latest version
 * that passes the filters (listed, prerelease, SemVer 2.0.0, package type), as nuget.org's search does.
 * `search_documents` (sqlite-search-documents.ts) holds those versions with what a query filters and
 * ranks on, and its trigram index `search_text` narrows text terms to candidates, so a query reads its
 * candidates' documents only; an empty query walks the documents in download order.
 * https://learn.microsoft.com/nuget/api/search-query-service-resource
 */
import type { DatabaseSync } from 'node:sqlite';
import type { SearchFilters, SearchHit, SearchIndex, SearchRequest, SearchTerm, StoredVersion } from '../../app/ports.ts';
import { SqlParams } from './sql-params.ts';
import { StatementCache } from './sqlite-database.ts';
import { VERSION_COLUMNS, rowToStoredVersion } from './version-row.ts';
import { searchTextMatch } from './search-text-match.ts';

/** The bit of `search_documents.variants` for these filters' variant (variant bit 1: prereleases, bit 2: SemVer 2.0.0). */
function variantBit(filters: SearchFilters): number {
  return 1 << ((filters.includePrerelease ? 1 : 0) | (filters.includeSemVer2 ? 2 : 0));
}

/** The filter on versions every search applies: listed, and prerelease / SemVer 2.0.0 only when asked for. */
function eligibleCondition(filters: SearchFilters, params: SqlParams, alias: string): string {
  return `${alias}.listed = 1
    AND (${params.add(filters.includePrerelease ? 1 : 0)} = 1 OR ${alias}.is_prerelease = 0)
    AND (${params.add(filters.includeSemVer2 ? 1 : 0)} = 1 OR ${alias}.is_semver2 = 0)`;
}

/**
 * FROM clause: each id's document for the filters' variant as `e`. With a MATCH expression
 * (search-text-match.ts) the trigram index picks the candidates first; without one, every document is read.
 */
function latestVersions(filters: SearchFilters, params: SqlParams, match?: string): string {
  const variant = `(e.variants & ${params.add(variantBit(filters))}) != 0`;
  if (match === undefined) return `search_documents e WHERE ${variant}`;
  return `search_text c JOIN search_documents e ON e.doc = c.rowid WHERE search_text MATCH ${params.add(match)} AND ${variant}`;
}

/** Documents in download order (their index), so a page of an unranked query stops early. */
function latestVersionsByDownloads(filters: SearchFilters, params: SqlParams): string {
  return `search_documents e INDEXED BY search_documents_by_downloads WHERE (e.variants & ${params.add(variantBit(filters))}) != 0`;
}

function packageTypeCondition(filters: SearchFilters, params: SqlParams): string {
  return filters.packageType === undefined ? '1 = 1' : `instr(e.package_types, ${params.add(`|${filters.packageType}|`)}) > 0`;
}

const FIELD_COLUMN = {
  id: 'e.id_lower',
  title: 'e.title_lower',
  description: 'e.description_lower',
  summary: 'e.summary_lower',
  authors: 'e.authors_lower',
  tags: 'e.tags_lower',
} as const;

function termCondition(term: SearchTerm, filters: SearchFilters, params: SqlParams): string {
  // Every placeholder handed out must appear in the SQL, so `owners` (which matches nothing) adds none.
  if (term.field === 'owners') return '0 = 1';
  const value = params.add(term.value);
  switch (term.field) {
    case undefined:
      return `(${Object.values(FIELD_COLUMN)
        .map((column) => `instr(${column}, ${value}) > 0`)
        .join(' OR ')})`;
    case 'packageid':
      return `e.id_lower = ${value}`;
    case 'version':
      return `EXISTS (SELECT 1 FROM package_versions o WHERE o.id_lower = e.id_lower AND o.version_lower = ${value}
                      AND ${eligibleCondition(filters, params, 'o')})`;
    default:
      return `instr(${FIELD_COLUMN[term.field]}, ${value}) > 0`;
  }
}

function matchConditions(request: SearchRequest, params: SqlParams): string {
  return [packageTypeCondition(request, params), ...request.terms.map((term) => termCondition(term, request, params))].join(' AND ');
}

function idTermsOf(terms: readonly SearchTerm[]): SearchTerm[] {
  return terms.filter((term) => term.field === undefined || term.field === 'id' || term.field === 'packageid');
}

function hasIdTerms(terms: readonly SearchTerm[]): boolean {
  return idTermsOf(terms).length > 0;
}

/** Exact id first, then id prefix, id substring, title, and anything else. */
function scoreExpression(terms: readonly SearchTerm[], params: SqlParams): string {
  const idTerms = idTermsOf(terms);
  if (idTerms.length === 0) return '0';
  const whole = params.add(idTerms.map((term) => term.value).join(' '));
  const parts = [`CASE WHEN e.id_lower = ${whole} THEN 10000 ELSE 0 END`];
  for (const term of idTerms) {
    const value = params.add(term.value);
    parts.push(`CASE WHEN e.id_lower = ${value} THEN 1000
                     WHEN substr(e.id_lower, 1, length(${value})) = ${value} THEN 100
                     WHEN instr(e.id_lower, ${value}) > 0 THEN 50
                     WHEN instr(e.title_lower, ${value}) > 0 THEN 10
                     ELSE 1 END`);
  }
  return parts.join(' + ');
}

export class SqliteSearchIndex implements SearchIndex {
  private readonly statements: StatementCache;

  constructor(database: DatabaseSync) {
    this.statements = new StatementCache(database);
  }

  async search(request: SearchRequest): Promise<{ totalHits: number; hits: SearchHit[] }> {
    const match = searchTextMatch(request.terms);
    if (match === undefined && !hasIdTerms(request.terms)) return this.searchByDownloads(request);
    const params = new SqlParams();
    // One pass ranks the matches and counts them all (count(*) OVER ()) before LIMIT applies.
    const page = this.statements.prepare(
        `SELECT e.id_lower, e.version_lower, e.total_downloads, count(*) OVER () AS total_hits,
                (${scoreExpression(request.terms, params)}) AS score
         FROM ${latestVersions(request, params, match)} AND ${matchConditions(request, params)}
         ORDER BY score DESC, e.total_downloads DESC, e.id_lower
         LIMIT ${params.add(request.take)} OFFSET ${params.add(request.skip)}`,
      )
      .all(params.values);
    // An empty page (past the end, or take=0) carries no total_hits column to read the count from.
    if (page.length === 0) return { totalHits: this.countMatches(request, match), hits: [] };
    return { totalHits: Number(page[0]?.total_hits ?? 0), hits: this.hitsFor(page, request) };
  }

  /**
   * A query with no term that ranks (an empty `q`, or only `version:` terms): every score is equal, so the
   * order is downloads then id, which an index walk gives without sorting every id; counted apart.
   */
  private searchByDownloads(request: SearchRequest): { totalHits: number; hits: SearchHit[] } {
    const params = new SqlParams();
    const page = this.statements.prepare(
        `SELECT e.id_lower, e.version_lower, e.total_downloads FROM ${latestVersionsByDownloads(request, params)} AND ${matchConditions(request, params)}
         ORDER BY e.total_downloads DESC, e.id_lower
         LIMIT ${params.add(request.take)} OFFSET ${params.add(request.skip)}`,
      )
      .all(params.values);
    return { totalHits: this.countMatches(request, undefined), hits: page.length === 0 ? [] : this.hitsFor(page, request) };
  }

  private hitsFor(page: readonly Record<string, unknown>[], request: SearchRequest): SearchHit[] {
    const versionsById = this.eligibleVersionsOf(
      page.map((row) => String(row.id_lower)),
      request,
    );
    return page.map((row) => {
      const versions = versionsById.get(String(row.id_lower)) ?? [];
      const latest = versions.find((version) => version.versionLower === String(row.version_lower));
      if (!latest) throw new Error(`search index out of step for ${String(row.id_lower)}`);
      return { latest, versions, totalDownloads: Number(row.total_downloads) };
    });
  }

  /** The number of matching ids. Without terms or a type filter that is the variant's row count, read from its key alone. */
  private countMatches(request: SearchRequest, match: string | undefined): number {
    const params = new SqlParams();
    const sql =
      request.terms.length === 0 && request.packageType === undefined
        ? `SELECT count(*) AS total FROM search_documents WHERE (variants & ${params.add(variantBit(request))}) != 0`
        : `SELECT count(*) AS total FROM ${latestVersions(request, params, match)} AND ${matchConditions(request, params)}`;
    return Number(this.statements.prepare(sql).get(params.values)?.total ?? 0);
  }

  /** Every eligible version, with all columns, of the ids on the page, ascending. */
  private eligibleVersionsOf(idsLower: string[], filters: SearchFilters): Map<string, StoredVersion[]> {
    const params = new SqlParams();
    const sql = `SELECT ${VERSION_COLUMNS} FROM package_versions v JOIN packages p ON p.id_lower = v.id_lower
      WHERE v.id_lower IN (${idsLower.map((id) => params.add(id)).join(', ')}) AND ${eligibleCondition(filters, params, 'v')}
      ORDER BY v.id_lower, v.sort_key`;
    const versionsById = new Map<string, StoredVersion[]>();
    for (const row of this.statements.prepare(sql).all(params.values)) {
      const version = rowToStoredVersion(row);
      const list = versionsById.get(version.idLower) ?? [];
      list.push(version);
      versionsById.set(version.idLower, list);
    }
    return versionsById;
  }

  async autocompleteIds(request: SearchFilters & { prefix: string; skip: number; take: number }): Promise<{ totalHits: number; ids: string[] }> {
    const prefixLower = request.prefix.toLowerCase();
    const match = searchTextMatch([{ field: 'id', value: prefixLower }]);
    const params = new SqlParams();
    const prefix = params.add(prefixLower);
    // An empty prefix ranks nothing but downloads: walk ids in that order and stop after the page.
    const from = prefixLower === '' ? latestVersionsByDownloads(request, params) : latestVersions(request, params, match);
    const matches = `${from} AND ${packageTypeCondition(request, params)}
      AND (${prefix} = '' OR instr(e.id_lower, ${prefix}) = 1 OR instr(e.id_lower, '.' || ${prefix}) > 0
           OR instr(e.id_lower, '-' || ${prefix}) > 0 OR instr(e.id_lower, '_' || ${prefix}) > 0)`;
    const matchValues = { ...params.values }; // before paging adds placeholders the count query lacks
    const order =
      prefixLower === '' ? 'e.total_downloads DESC, e.id_lower' : `CASE WHEN instr(e.id_lower, ${prefix}) = 1 THEN 0 ELSE 1 END, e.total_downloads DESC, e.id_lower`;
    const rows = this.statements.prepare(
        `SELECT e.registration_id AS registration_id${prefixLower === '' ? '' : ', count(*) OVER () AS total_hits'} FROM ${matches}
         ORDER BY ${order}
         LIMIT ${params.add(request.take)} OFFSET ${params.add(request.skip)}`,
      )
      .all(params.values);
    // An empty page (past the end, or take=0) carries no total_hits column to read the count from.
    const totalHits =
      prefixLower === ''
        ? this.countMatches({ ...request, terms: [] }, undefined)
        : rows.length > 0
          ? Number(rows[0]?.total_hits)
          : Number(this.statements.prepare(`SELECT count(*) AS total FROM ${matches}`).get(matchValues)?.total ?? 0);
    return { totalHits, ids: rows.map((row) => String(row.registration_id)) };
  }
}
