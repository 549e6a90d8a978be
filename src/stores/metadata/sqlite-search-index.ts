/**
 * Search and autocomplete in SQL over the metadata database. A package is described by its latest version
 * that passes the filters (listed, prerelease, SemVer 2.0.0, package type), as nuget.org's search does.
 * `package_latest` holds that version per id and filter variant, so a query scans ids, not versions.
 * https://learn.microsoft.com/nuget/api/search-query-service-resource
 */
import type { DatabaseSync } from 'node:sqlite';
import type { SearchFilters, SearchHit, SearchIndex, SearchRequest, SearchTerm, StoredVersion } from '../../app/ports.ts';
import { SqlParams } from './sql-params.ts';
import { StatementCache } from './sqlite-database.ts';
import { VERSION_COLUMNS, rowToStoredVersion } from './version-row.ts';

/** The `package_latest.variant` for these filters: bit 1 includes prereleases, bit 2 SemVer 2.0.0. */
function variantOf(filters: SearchFilters): number {
  return (filters.includePrerelease ? 1 : 0) | (filters.includeSemVer2 ? 2 : 0);
}

/** The filter on versions every search applies: listed, and prerelease / SemVer 2.0.0 only when asked for. */
function eligibleCondition(filters: SearchFilters, params: SqlParams, alias: string): string {
  return `${alias}.listed = 1
    AND (${params.add(filters.includePrerelease ? 1 : 0)} = 1 OR ${alias}.is_prerelease = 0)
    AND (${params.add(filters.includeSemVer2 ? 1 : 0)} = 1 OR ${alias}.is_semver2 = 0)`;
}

/** FROM clause: each id's latest eligible version as `e`, its registration as `p`. */
function latestVersions(filters: SearchFilters, params: SqlParams): string {
  return `package_latest l
    JOIN package_versions e ON e.id_lower = l.id_lower AND e.version_lower = l.version_lower
    JOIN packages p ON p.id_lower = l.id_lower
    WHERE l.variant = ${params.add(variantOf(filters))}`;
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

/** Exact id first, then id prefix, id substring, title, and anything else. */
function scoreExpression(terms: readonly SearchTerm[], params: SqlParams): string {
  const idTerms = terms.filter((term) => term.field === undefined || term.field === 'id' || term.field === 'packageid');
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
    const params = new SqlParams();
    // One pass ranks the matches and counts them all (count(*) OVER ()) before LIMIT applies.
    const page = this.statements.prepare(
        `SELECT e.id_lower, e.version_lower, p.total_downloads, count(*) OVER () AS total_hits,
                (${scoreExpression(request.terms, params)}) AS score
         FROM ${latestVersions(request, params)} AND ${matchConditions(request, params)}
         ORDER BY score DESC, p.total_downloads DESC, e.id_lower
         LIMIT ${params.add(request.take)} OFFSET ${params.add(request.skip)}`,
      )
      .all(params.values);
    // An empty page (past the end, or take=0) carries no total_hits column to read the count from.
    if (page.length === 0) return { totalHits: this.countMatches(request), hits: [] };

    const versionsById = this.eligibleVersionsOf(
      page.map((row) => String(row.id_lower)),
      request,
    );
    const hits = page.map((row) => {
      const versions = versionsById.get(String(row.id_lower)) ?? [];
      const latest = versions.find((version) => version.versionLower === String(row.version_lower));
      if (!latest) throw new Error(`search index out of step for ${String(row.id_lower)}`);
      return { latest, versions, totalDownloads: Number(row.total_downloads) };
    });
    return { totalHits: Number(page[0]?.total_hits ?? 0), hits };
  }

  /** The number of matching ids, for an empty page. */
  private countMatches(request: SearchRequest): number {
    const params = new SqlParams();
    const row = this.statements.prepare(`SELECT count(*) AS total FROM ${latestVersions(request, params)} AND ${matchConditions(request, params)}`)
      .get(params.values);
    return Number(row?.total ?? 0);
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
    const params = new SqlParams();
    const prefix = params.add(request.prefix.toLowerCase());
    const matches = `${latestVersions(request, params)} AND ${packageTypeCondition(request, params)}
      AND (${prefix} = '' OR instr(e.id_lower, ${prefix}) = 1 OR instr(e.id_lower, '.' || ${prefix}) > 0
           OR instr(e.id_lower, '-' || ${prefix}) > 0 OR instr(e.id_lower, '_' || ${prefix}) > 0)`;
    const matchValues = { ...params.values }; // before paging adds placeholders the count query lacks
    const rows = this.statements.prepare(
        `SELECT p.id AS registration_id, count(*) OVER () AS total_hits FROM ${matches}
         ORDER BY CASE WHEN instr(e.id_lower, ${prefix}) = 1 THEN 0 ELSE 1 END, p.total_downloads DESC, e.id_lower
         LIMIT ${params.add(request.take)} OFFSET ${params.add(request.skip)}`,
      )
      .all(params.values);
    // An empty page (past the end, or take=0) carries no total_hits column to read the count from.
    const totalHits =
      rows.length > 0 ? Number(rows[0]?.total_hits) : Number(this.statements.prepare(`SELECT count(*) AS total FROM ${matches}`).get(matchValues)?.total ?? 0);
    return { totalHits, ids: rows.map((row) => String(row.registration_id)) };
  }
}
