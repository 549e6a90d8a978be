/**
 * Search and autocomplete in SQL over the metadata database. A package is described by its latest version
 * that passes the filters (listed, prerelease, SemVer 2.0.0, package type), as nuget.org's search does.
 * `search_documents` (sqlite-search-documents.ts) holds those versions with what ranking reads, and the
 * trigram index `search_text` answers text terms of three characters or more, the variant and the package
 * type by itself (search-text-match.ts), so a query reads only its matches' documents and counts them in
 * the index; an empty query walks the documents in download order; other terms are SQL conditions. A
 * one-term query is read tier by tier of its score (sqlite-search-tiers.ts), and a query that ranks by
 * downloads alone (`tags:logging`) by walking the most downloaded documents, both falling back to sorting
 * the index's matches when the walk does not fill the page.
 * https://learn.microsoft.com/nuget/api/search-query-service-resource
 */
import type { DatabaseSync } from 'node:sqlite';
import type { SearchFilters, SearchHit, SearchHitVersion, SearchIndex, SearchRequest, SearchTerm, StoredVersion } from '../../app/ports.ts';
import { SqlParams } from './sql-params.ts';
import { StatementCache } from './sqlite-database.ts';
import { VERSION_COLUMNS, VERSION_WITH_PACKAGE, rowToStoredVersion } from './version-row.ts';
import { countingMatch, feedVariantCondition, searchTextMatch } from './search-text-match.ts';
import { SearchTiers, tieredTerm } from './sqlite-search-tiers.ts';
import { RESERVATION_COVERS } from './sqlite-reservation-store.ts';

type AutocompleteRequest = SearchFilters & { prefix: string; skip: number; take: number };

/** The filter on versions every search applies: listed, and prerelease / SemVer 2.0.0 only when asked for. */
function eligibleCondition(filters: SearchFilters, params: SqlParams, alias: string): string {
  return `${alias}.listed = 1
    AND (${params.add(filters.includePrerelease ? 1 : 0)} = 1 OR ${alias}.is_prerelease = 0)
    AND (${params.add(filters.includeSemVer2 ? 1 : 0)} = 1 OR ${alias}.is_semver2 = 0)`;
}

/**
 * The documents of the filters' feed and variant as `e`, their text as `c`. With a MATCH expression the
 * index finds them (and applies the package type itself); without one every document of the feed's
 * variant is read, in download order when `byDownloads`.
 */
function documents(filters: SearchFilters, params: SqlParams, match: string | undefined, options: { byDownloads?: boolean } = {}): string {
  const variant = feedVariantCondition(filters, params);
  if (match !== undefined) return `search_text c JOIN search_documents e ON e.doc = c.rowid WHERE search_text MATCH ${params.add(match)} AND ${variant}`;
  const table = options.byDownloads ? 'search_documents e INDEXED BY search_documents_by_downloads' : 'search_documents e';
  const packageType = filters.packageType === undefined ? '' : ` AND instr(c.package_types, ${params.add(`|${filters.packageType}|`)}) > 0`;
  return `${table} JOIN search_text c ON c.rowid = e.doc WHERE ${variant}${packageType}`;
}

/** Where each field's text is: the narrow document has the id and title, the index the rest. */
const FIELD_COLUMN = {
  id: 'e.id_lower',
  title: 'e.title_lower',
  description: 'c.description_lower',
  summary: 'c.summary_lower',
  authors: 'c.authors_lower',
  tags: 'c.tags_lower',
} as const;

function termCondition(term: SearchTerm, filters: SearchFilters, params: SqlParams): string {
  const value = params.add(term.value);
  switch (term.field) {
    case 'owners':
      // nuget.org's `owner:` names one owner exactly (account names ignore case, and the term is lowercased).
      return `EXISTS (SELECT 1 FROM package_owners o JOIN accounts a ON a.account_id = o.account_id
                      WHERE o.id_lower = e.id_lower AND a.name_lower = ${value})`;
    case undefined:
      return `(${Object.values(FIELD_COLUMN)
        .map((column) => `instr(${column}, ${value}) > 0`)
        .join(' OR ')})`;
    case 'packageid':
      return `e.id_lower = ${value}`;
    case 'version':
      return `EXISTS (SELECT 1 FROM package_versions o WHERE o.feed_id = e.feed_id AND o.id_lower = e.id_lower AND o.version_lower = ${value}
                      AND ${eligibleCondition(filters, params, 'o')})`;
    default:
      return `instr(${FIELD_COLUMN[term.field]}, ${value}) > 0`;
  }
}

function conditions(terms: readonly SearchTerm[], filters: SearchFilters, params: SqlParams): string {
  return ['1 = 1', ...terms.map((term) => termCondition(term, filters, params))].join(' AND ');
}

function idTermsOf(terms: readonly SearchTerm[]): SearchTerm[] {
  return terms.filter((term) => term.field === undefined || term.field === 'id' || term.field === 'packageid');
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

/** Counts remembered for the current search generation: a few queries are most of what clients send. */
const MAX_REMEMBERED_COUNTS = 1000;

export class SqliteSearchIndex implements SearchIndex {
  private readonly statements: StatementCache;
  private readonly counts = new Map<string, number>();
  private countsGeneration = '';

  private readonly tiers: SearchTiers | undefined;

  /**
   * `tiered: false` scores and sorts every match of every query in SQL: the reference the tiered reads
   * (sqlite-search-tiers.ts) are compared with in their test.
   */
  constructor(database: DatabaseSync, options: { tiered?: boolean } = {}) {
    this.statements = new StatementCache(database);
    this.tiers =
      options.tiered === false
        ? undefined
        : new SearchTiers(this.statements, (matches) => this.remembered(`SELECT count(*) AS total FROM ${matches.from}`, matches.params));
  }

  async search(request: SearchRequest): Promise<{ totalHits: number; hits: SearchHit[] }> {
    const { expression, residual } = searchTextMatch(request.terms, request);
    const ranked = idTermsOf(request.terms).length > 0;
    const tiered = tieredTerm(request);
    if (this.tiers && tiered !== undefined && expression !== undefined) {
      // One term, counted by the index alone: the tiers read the page without scoring every match.
      const totalHits = this.count(request, expression, residual);
      const rows = request.take === 0 || request.skip >= totalHits ? [] : this.tiers.page(request, tiered);
      return { totalHits, hits: rows.length === 0 ? [] : this.hitsFor(rows, request) };
    }
    if (this.tiers && !ranked && expression !== undefined && request.packageType === undefined && request.take > 0 && SearchTiers.walkable(request)) {
      // Nothing ranks but downloads (`tags:logging`): the page is the first matches in download order.
      const walked = this.tiers.walk(request, (params) => conditions(request.terms, request, params), true, request.take, request.skip);
      if (walked) return { totalHits: this.count(request, expression, residual), hits: this.hitsFor(walked, request) };
    }
    // With nothing left for SQL the index counts the matches by itself; otherwise the ranking pass counts them.
    const page =
      !ranked && expression === undefined
        ? this.pageByDownloads(request, residual)
        : this.rankedPage(request, expression, residual, residual.length > 0 || expression === undefined);
    const totalHits = page.totalHits ?? this.count(request, expression, residual);
    return { totalHits, hits: page.rows.length === 0 ? [] : this.hitsFor(page.rows, request) };
  }

  /** A page ranked by score, downloads and id; `withCount` also counts every match in the same pass. */
  private rankedPage(request: SearchRequest, match: string | undefined, residual: readonly SearchTerm[], withCount: boolean) {
    const params = new SqlParams();
    const rows = this.statements
      .prepare(
        `SELECT e.id_lower, e.version_lower, e.total_downloads${withCount ? ', count(*) OVER () AS total_hits' : ''},
                (${scoreExpression(request.terms, params)}) AS score
         FROM ${documents(request, params, match)} AND ${conditions(residual, request, params)}
         ORDER BY score DESC, e.total_downloads DESC, e.id_lower
         LIMIT ${params.add(request.take)} OFFSET ${params.add(request.skip)}`,
      )
      .all(params.values);
    // An empty page (past the end, or take=0) carries no total_hits column to read the count from.
    return { rows, totalHits: withCount && rows.length > 0 ? Number(rows[0]?.total_hits) : undefined };
  }

  /** No term ranks (an empty `q`, or only `version:` and short non-id terms): downloads then id, an index walk that stops after the page. */
  private pageByDownloads(request: SearchRequest, residual: readonly SearchTerm[]) {
    const params = new SqlParams();
    const rows = this.statements
      .prepare(
        `SELECT e.id_lower, e.version_lower, e.total_downloads FROM ${documents(request, params, undefined, { byDownloads: true })}
           AND ${conditions(residual, request, params)}
         ORDER BY e.total_downloads DESC, e.id_lower
         LIMIT ${params.add(request.take)} OFFSET ${params.add(request.skip)}`,
      )
      .all(params.values);
    return { rows, totalHits: undefined };
  }

  /** The number of matching ids: from the index alone when nothing is left for SQL. */
  private count(filters: SearchFilters, match: string | undefined, residual: readonly SearchTerm[]): number {
    const params = new SqlParams();
    let sql: string;
    if (residual.length > 0) sql = `SELECT count(*) AS total FROM ${documents(filters, params, match)} AND ${conditions(residual, filters, params)}`;
    else if (match !== undefined || filters.packageType !== undefined)
      sql = `SELECT count(*) AS total FROM search_text WHERE search_text MATCH ${params.add(countingMatch(match, filters))}`;
    // Every document of the feed's variant: the narrow table is read faster than the index's longest phrase list.
    else sql = `SELECT count(*) AS total FROM search_documents e WHERE ${feedVariantCondition(filters, params)}`;
    return this.remembered(sql, params);
  }

  /**
   * A count read once per search generation (migration 4): it cannot change until a push, unlist, relist or
   * rebuild commits, and counting every match of a common term or a whole variant is the slowest part of
   * many queries (5 to 13 ms at 100,000 ids, several times that on a cold cache). Download flushes, every
   * few seconds on a busy server, leave the generation alone.
   */
  private remembered(sql: string, params: SqlParams): number {
    const generation = String(this.statements.prepare('SELECT value FROM search_generation').get()?.value);
    if (generation !== this.countsGeneration || this.counts.size >= MAX_REMEMBERED_COUNTS) {
      this.counts.clear();
      this.countsGeneration = generation;
    }
    const key = `${sql}\n${JSON.stringify(params.values)}`;
    let total = this.counts.get(key);
    if (total === undefined) {
      total = Number(this.statements.prepare(sql).get(params.values)?.total ?? 0);
      this.counts.set(key, total);
    }
    return total;
  }

  private hitsFor(page: readonly Record<string, unknown>[], request: SearchRequest): SearchHit[] {
    const idsLower = page.map((row) => String(row.id_lower));
    const latest = this.versionsNamed(request, idsLower, page.map((row) => String(row.version_lower)));
    const listsById = this.versionListsOf(idsLower, request);
    const { owners, verified } = this.ownersOf(idsLower);
    return page.map((row) => {
      const found = latest.get(`${String(row.id_lower)}/${String(row.version_lower)}`);
      if (!found) throw new Error(`search index out of step for ${String(row.id_lower)}`);
      return {
        latest: found,
        versions: listsById.get(found.idLower) ?? [],
        totalDownloads: Number(row.total_downloads),
        owners: owners.get(found.idLower) ?? [],
        verified: verified.has(found.idLower),
      };
    });
  }

  /** The page's owners by name, and which ids a reservation held by one of their owners covers (instance-wide, like ownership). */
  private ownersOf(idsLower: readonly string[]): { owners: Map<string, string[]>; verified: Set<string> } {
    const params = new SqlParams();
    const ids = idsLower.map((id) => params.add(id)).join(', ');
    const owners = new Map<string, string[]>();
    const rows = this.statements
      .prepare(
        `SELECT o.id_lower, a.name FROM package_owners o JOIN accounts a ON a.account_id = o.account_id
         WHERE o.id_lower IN (${ids}) ORDER BY o.id_lower, a.name_lower`,
      )
      .all(params.values);
    for (const row of rows) {
      const idLower = String(row.id_lower);
      let names = owners.get(idLower);
      if (!names) owners.set(idLower, (names = []));
      names.push(String(row.name));
    }
    const verified = new Set(
      this.statements
        .prepare(
          `SELECT DISTINCT o.id_lower FROM package_owners o JOIN prefix_reservations r ON r.owner_id = o.account_id
           WHERE o.id_lower IN (${ids}) AND ${RESERVATION_COVERS('o.id_lower')}`,
        )
        .all(params.values)
        .map((row) => String(row.id_lower)),
    );
    return { owners, verified };
  }

  /** The page's latest versions with all columns, by `id/version`: at most one row per hit is read whole. */
  private versionsNamed(filters: SearchFilters, idsLower: readonly string[], versionsLower: readonly string[]): Map<string, StoredVersion> {
    const params = new SqlParams();
    // Every (id, version) pair of the two lists is a key probe; the pairs not on the page are dropped below.
    const sql = `SELECT ${VERSION_COLUMNS} FROM ${VERSION_WITH_PACKAGE}
      WHERE v.feed_id = ${params.add(filters.feedId)} AND v.id_lower IN (${idsLower.map((id) => params.add(id)).join(', ')})
        AND v.version_lower IN (${versionsLower.map((version) => params.add(version)).join(', ')})`;
    const wanted = new Set(idsLower.map((idLower, index) => `${idLower}/${versionsLower[index] as string}`));
    const found = new Map<string, StoredVersion>();
    for (const row of this.statements.prepare(sql).all(params.values)) {
      const key = `${String(row.id_lower)}/${String(row.version_lower)}`;
      if (wanted.has(key)) found.set(key, rowToStoredVersion(row));
    }
    return found;
  }

  /** Every eligible version of the ids on the page, ascending, with only what a hit's version list shows. */
  private versionListsOf(idsLower: readonly string[], filters: SearchFilters): Map<string, SearchHitVersion[]> {
    const params = new SqlParams();
    const sql = `SELECT v.id_lower, v.version_lower, v.version_normalized, v.version_full, v.downloads FROM package_versions v
      WHERE v.feed_id = ${params.add(filters.feedId)} AND v.id_lower IN (${idsLower.map((id) => params.add(id)).join(', ')}) AND ${eligibleCondition(filters, params, 'v')}
      ORDER BY v.id_lower, v.sort_key`;
    const listsById = new Map<string, SearchHitVersion[]>();
    for (const row of this.statements.prepare(sql).all(params.values)) {
      const idLower = String(row.id_lower);
      let list = listsById.get(idLower);
      if (!list) listsById.set(idLower, (list = []));
      list.push({
        idLower,
        versionLower: String(row.version_lower),
        versionNormalized: String(row.version_normalized),
        versionFull: String(row.version_full),
        downloads: Number(row.downloads),
      });
    }
    return listsById;
  }

  async autocompleteIds(request: AutocompleteRequest): Promise<{ totalHits: number; ids: string[] }> {
    const prefixLower = request.prefix.toLowerCase();
    if (prefixLower === '') {
      // Nothing ranks but downloads: walk the documents in that order and stop after the page.
      const params = new SqlParams();
      const rows = this.statements
        .prepare(
          `SELECT e.registration_id FROM ${documents(request, params, undefined, { byDownloads: true })}
           ORDER BY e.total_downloads DESC, e.id_lower LIMIT ${params.add(request.take)} OFFSET ${params.add(request.skip)}`,
        )
        .all(params.values);
      return { totalHits: this.count(request, undefined, []), ids: rows.map((row) => String(row.registration_id)) };
    }
    // The index finds ids containing the prefix; SQL keeps those where it starts the id or a part of it.
    const { expression } = searchTextMatch([{ field: 'id', value: prefixLower }], request);
    const params = new SqlParams();
    const prefix = params.add(prefixLower);
    const matches = `${documents(request, params, expression)}
      AND (instr(e.id_lower, ${prefix}) = 1 OR instr(e.id_lower, '.' || ${prefix}) > 0
           OR instr(e.id_lower, '-' || ${prefix}) > 0 OR instr(e.id_lower, '_' || ${prefix}) > 0)`;
    const matchValues = { ...params.values }; // before paging adds placeholders the count query lacks
    const rows = this.statements
      .prepare(
        `SELECT e.registration_id, count(*) OVER () AS total_hits FROM ${matches}
         ORDER BY CASE WHEN instr(e.id_lower, ${prefix}) = 1 THEN 0 ELSE 1 END, e.total_downloads DESC, e.id_lower
         LIMIT ${params.add(request.take)} OFFSET ${params.add(request.skip)}`,
      )
      .all(params.values);
    // An empty page (past the end, or take=0) carries no total_hits column to read the count from.
    const totalHits =
      rows.length > 0 ? Number(rows[0]?.total_hits) : Number(this.statements.prepare(`SELECT count(*) AS total FROM ${matches}`).get(matchValues)?.total ?? 0);
    return { totalHits, ids: rows.map((row) => String(row.registration_id)) };
  }
}
