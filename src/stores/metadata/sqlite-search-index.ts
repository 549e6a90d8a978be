/**
 * Search and autocomplete in SQL over the metadata database. A package is described by its latest version
 * that passes the filters (listed, prerelease, SemVer 2.0.0, package type), as nuget.org's search does:
 * https://learn.microsoft.com/nuget/api/search-query-service-resource
 */
import type { DatabaseSync } from 'node:sqlite';
import type { SearchFilters, SearchHit, SearchIndex, SearchRequest, SearchTerm, StoredVersion } from '../../app/ports.ts';
import { SqlParams } from './sql-params.ts';
import { VERSION_COLUMNS, rowToStoredVersion } from './version-row.ts';

/** CTEs: eligible versions, ranked newest first within each id (`recency` 1 = latest), and download totals. */
function eligibleVersions(filters: SearchFilters, params: SqlParams): string {
  return `
    eligible AS (
      SELECT ${VERSION_COLUMNS},
             ROW_NUMBER() OVER (PARTITION BY v.id_lower ORDER BY v.sort_key DESC) AS recency,
             lower(coalesce(v.title, '')) AS title_lower, lower(v.description) AS description_lower,
             lower(coalesce(v.summary, '')) AS summary_lower, lower(v.authors) AS authors_lower,
             lower(v.tags) AS tags_lower, v.package_types
      FROM package_versions v JOIN packages p ON p.id_lower = v.id_lower
      WHERE v.listed = 1
        AND (${params.add(filters.includePrerelease ? 1 : 0)} = 1 OR v.is_prerelease = 0)
        AND (${params.add(filters.includeSemVer2 ? 1 : 0)} = 1 OR v.is_semver2 = 0)
    ),
    totals AS (SELECT id_lower, SUM(downloads) AS total_downloads FROM package_versions GROUP BY id_lower)`;
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

function termCondition(term: SearchTerm, params: SqlParams): string {
  const value = params.add(term.value);
  switch (term.field) {
    case undefined:
      return `(${Object.values(FIELD_COLUMN)
        .map((column) => `instr(${column}, ${value}) > 0`)
        .join(' OR ')})`;
    case 'packageid':
      return `e.id_lower = ${value}`;
    case 'version':
      return `EXISTS (SELECT 1 FROM eligible o WHERE o.id_lower = e.id_lower AND o.version_lower = ${value})`;
    case 'owners':
      // Ownership arrives with accounts; until then no package has an owner to match.
      return '0 = 1';
    default:
      return `instr(${FIELD_COLUMN[term.field]}, ${value}) > 0`;
  }
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
  private readonly database: DatabaseSync;

  constructor(database: DatabaseSync) {
    this.database = database;
  }

  async search(request: SearchRequest): Promise<{ totalHits: number; hits: SearchHit[] }> {
    const params = new SqlParams();
    const matches = `
      WITH ${eligibleVersions(request, params)},
      matches AS (
        SELECT e.*, (${scoreExpression(request.terms, params)}) AS score, coalesce(t.total_downloads, 0) AS total_downloads
        FROM eligible e LEFT JOIN totals t ON t.id_lower = e.id_lower
        WHERE e.recency = 1 AND ${[packageTypeCondition(request, params), ...request.terms.map((term) => termCondition(term, params))].join(' AND ')}
      )`;
    const total = Number(this.database.prepare(`${matches} SELECT count(*) AS total FROM matches`).get(params.values)?.total ?? 0);
    const page = this.database
      .prepare(`${matches} SELECT * FROM matches ORDER BY score DESC, total_downloads DESC, id_lower
                LIMIT ${params.add(request.take)} OFFSET ${params.add(request.skip)}`)
      .all(params.values);
    if (page.length === 0) return { totalHits: total, hits: [] };

    const versionsById = this.eligibleVersionsOf(
      page.map((row) => String(row.id_lower)),
      request,
    );
    const hits = page.map((row) => {
      const latest = rowToStoredVersion(row);
      return { latest, versions: versionsById.get(latest.idLower) ?? [latest], totalDownloads: Number(row.total_downloads) };
    });
    return { totalHits: total, hits };
  }

  private eligibleVersionsOf(idsLower: string[], filters: SearchFilters): Map<string, StoredVersion[]> {
    const params = new SqlParams();
    const sql = `WITH ${eligibleVersions(filters, params)}
      SELECT * FROM eligible WHERE id_lower IN (${idsLower.map((id) => params.add(id)).join(', ')}) ORDER BY id_lower, sort_key`;
    const versionsById = new Map<string, StoredVersion[]>();
    for (const row of this.database.prepare(sql).all(params.values)) {
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
    const matches = `
      WITH ${eligibleVersions(request, params)},
      matches AS (
        SELECT e.id_lower, e.registration_id, coalesce(t.total_downloads, 0) AS total_downloads,
               CASE WHEN instr(e.id_lower, ${prefix}) = 1 THEN 1 ELSE 0 END AS is_prefix
        FROM eligible e LEFT JOIN totals t ON t.id_lower = e.id_lower
        WHERE e.recency = 1 AND ${packageTypeCondition(request, params)}
          AND (${prefix} = '' OR instr(e.id_lower, ${prefix}) = 1 OR instr(e.id_lower, '.' || ${prefix}) > 0
               OR instr(e.id_lower, '-' || ${prefix}) > 0 OR instr(e.id_lower, '_' || ${prefix}) > 0)
      )`;
    const total = Number(this.database.prepare(`${matches} SELECT count(*) AS total FROM matches`).get(params.values)?.total ?? 0);
    const rows = this.database
      .prepare(`${matches} SELECT registration_id FROM matches ORDER BY is_prefix DESC, total_downloads DESC, id_lower
                LIMIT ${params.add(request.take)} OFFSET ${params.add(request.skip)}`)
      .all(params.values);
    return { totalHits: total, ids: rows.map((row) => String(row.registration_id)) };
  }
}
