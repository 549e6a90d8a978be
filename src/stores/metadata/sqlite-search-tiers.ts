/**
 * The ranked page of a one-term query (`q=json`, `id:json`), read tier by tier. The score
 * (sqlite-search-index.ts) puts every exact id before every other id starting with the term, before every
 * id containing it elsewhere, before every title containing it, before the rest; inside a score the order
 * is downloads, then id: the order of the `search_documents_by_downloads` index. So a page is the top of the
 * first tiers, and a tier with many matches is read by walking that index through the most downloaded
 * documents until the page is full, instead of joining, scoring and sorting every match (8,400 for `json`
 * at 100,000 ids: 6–10 ms, where the walk reads a few hundred rows). A tier the walk does not fill is read
 * from the trigram index and sorted, as before. The answer is the same page either way; a test compares it
 * with the scored query's on a generated feed.
 */
import type { SearchRequest, SearchTerm } from '../../app/ports.ts';
import { SqlParams } from './sql-params.ts';
import type { StatementCache } from './sqlite-database.ts';
import { columnPhrase, feedVariantCondition, variantOf } from './search-text-match.ts';

/**
 * Documents a walk reads at most: when the tier is sparse among the most downloaded, a wasted walk costs
 * 0.1–0.5 ms, and the trigram index then finds its matches.
 */
const WALK_ROWS = 2000;

type PageRow = Record<string, unknown>;

interface Tier {
  /** The tier's SQL condition on the document `e` (and its text `c`, when `text`). */
  readonly condition: string;
  readonly text: boolean;
  /** Read through the id index (the exact id, and the prefix when a walk cannot fill the page), not the trigram index. */
  readonly byId: boolean;
  /** Worth a walk first: every tier but the exact id, which is one probe. */
  readonly walk: boolean;
  /** The trigram index's phrase that finds a superset of the tier's documents. */
  readonly match: string;
}

/** The one term a query ranks by, when the tiers can answer it: nothing else to filter, three characters or more. */
export function tieredTerm(request: SearchRequest): SearchTerm | undefined {
  const [term, ...rest] = request.terms;
  if (term === undefined || rest.length > 0 || request.packageType !== undefined) return undefined;
  if (term.field !== undefined && term.field !== 'id') return undefined;
  return [...term.value].length >= 3 ? term : undefined;
}

/** The smallest string above every string that starts with `prefix` (SQLite compares text by code point). */
function prefixUpperBound(prefix: string): string {
  const last = prefix.codePointAt(prefix.length - 1) as number;
  const width = last > 0xffff ? 2 : 1;
  return prefix.slice(0, prefix.length - width) + String.fromCodePoint(last + 1);
}

export class SearchTiers {
  private readonly statements: StatementCache;
  /** How many documents `FROM …` holds (remembered while the data is unchanged). */
  private readonly count: (matches: { from: string; params: SqlParams }) => number;

  constructor(statements: StatementCache, count: SearchTiers['count']) {
    this.statements = statements;
    this.count = count;
  }

  /** Whether a page is shallow enough for a walk to hold it. */
  static walkable(request: SearchRequest): boolean {
    return request.skip + request.take <= WALK_ROWS / 2;
  }

  /** The page's rows (`id_lower`, `version_lower`, `total_downloads`) in score order. */
  page(request: SearchRequest, term: SearchTerm): PageRow[] {
    const value = term.value;
    const tiers = this.tiersOf(term);
    const walkable = SearchTiers.walkable(request);
    const rows: PageRow[] = [];
    let offset = request.skip;
    let need = request.take;
    for (const tier of tiers) {
      if (need === 0) break;
      const walked = walkable && tier.walk ? this.walk(request, (params) => this.bind(tier, value, params), tier.text, need, offset) : undefined;
      const found = walked ?? (tier.byId ? this.byId(request, tier, need, offset) : this.matched(request, tier, need, offset));
      rows.push(...found);
      need -= found.length;
      if (offset > 0) offset = found.length > 0 ? 0 : Math.max(0, offset - this.tierCount(request, tier));
    }
    return rows;
  }

  /** The exact id, then ids starting with the term, then ids holding it elsewhere; for an unscoped term, then titles, then the rest. */
  private tiersOf(term: SearchTerm): Tier[] {
    const idPhrase = columnPhrase('id_lower', term.value);
    const tiers: Tier[] = [
      { condition: 'e.id_lower = :value', text: false, byId: true, walk: false, match: idPhrase },
      { condition: 'e.id_lower > :value AND e.id_lower < :upper', text: false, byId: true, walk: true, match: idPhrase },
      { condition: 'instr(e.id_lower, :value) > 1', text: false, byId: false, walk: true, match: idPhrase },
    ];
    if (term.field === 'id') return tiers;
    tiers.push({
      condition: 'instr(e.id_lower, :value) = 0 AND instr(e.title_lower, :value) > 0',
      text: false,
      byId: false,
      walk: true,
      match: columnPhrase('title_lower', term.value),
    });
    tiers.push({
      condition: `instr(e.id_lower, :value) = 0 AND instr(e.title_lower, :value) = 0
        AND (instr(c.description_lower, :value) > 0 OR instr(c.summary_lower, :value) > 0
             OR instr(c.authors_lower, :value) > 0 OR instr(c.tags_lower, :value) > 0)`,
      text: true,
      byId: false,
      walk: true,
      match: columnPhrase('description_lower summary_lower authors_lower tags_lower', term.value),
    });
    return tiers;
  }

  private bind(tier: Tier, value: string, params: SqlParams): string {
    return tier.condition.replaceAll(':value', params.add(value)).replaceAll(':upper', () => params.add(prefixUpperBound(value)));
  }

  /** The exact id and the prefix tiers: a probe or a range of the id index, sorted. */
  private byId(request: SearchRequest, tier: Tier, need: number, offset: number): PageRow[] {
    const params = new SqlParams();
    const value = request.terms[0]?.value as string;
    return this.statements
      .prepare(
        `SELECT e.id_lower, e.version_lower, e.total_downloads FROM search_documents e
         WHERE ${this.bind(tier, value, params)} AND ${feedVariantCondition(request, params)}
         ORDER BY e.total_downloads DESC, e.id_lower LIMIT ${params.add(need)} OFFSET ${params.add(offset)}`,
      )
      .all(params.values);
  }

  /**
   * The page of documents meeting `condition` among the WALK_ROWS most downloaded ones, in download order;
   * undefined when they do not hold the whole page, as the rows below might then belong on it. The inner
   * query is a co-routine that hands its rows over in its own order, so the outer LIMIT stops the walk as
   * soon as the page is full (an outer ORDER BY would read and sort all WALK_ROWS first: 3 ms instead of
   * 0.03). The comparison test with the scored query (sqlite-search-tiers.test.ts) would catch an SQLite
   * that stopped keeping that order.
   */
  walk(request: SearchRequest, condition: (params: SqlParams) => string, text: boolean, need: number, offset: number): PageRow[] | undefined {
    const params = new SqlParams();
    const rows = this.statements
      .prepare(
        `SELECT e.id_lower, e.version_lower, e.total_downloads
         FROM (SELECT doc, feed_id, id_lower, version_lower, title_lower, total_downloads FROM search_documents
               INDEXED BY search_documents_by_downloads
               WHERE feed_id = ${params.add(request.feedId)} AND (variants & ${params.add(1 << variantOf(request))}) != 0
               ORDER BY total_downloads DESC, id_lower LIMIT ${params.add(WALK_ROWS)}) AS e${text ? ' JOIN search_text c ON c.rowid = e.doc' : ''}
         WHERE ${condition(params)}
         LIMIT ${params.add(need)} OFFSET ${params.add(offset)}`,
      )
      .all(params.values);
    return rows.length === need ? rows : undefined;
  }

  /** The tier's rows from the trigram index's matches, sorted. */
  private matched(request: SearchRequest, tier: Tier, need: number, offset: number): PageRow[] {
    const { from, params } = this.matches(request, tier);
    return this.statements
      .prepare(
        `SELECT e.id_lower, e.version_lower, e.total_downloads FROM ${from}
         ORDER BY e.total_downloads DESC, e.id_lower LIMIT ${params.add(need)} OFFSET ${params.add(offset)}`,
      )
      .all(params.values);
  }

  private tierCount(request: SearchRequest, tier: Tier): number {
    return this.count(this.matches(request, tier));
  }

  private matches(request: SearchRequest, tier: Tier): { from: string; params: SqlParams } {
    const params = new SqlParams();
    const value = request.terms[0]?.value as string;
    const from = `search_text c JOIN search_documents e ON e.doc = c.rowid
      WHERE search_text MATCH ${params.add(tier.match)} AND ${feedVariantCondition(request, params)} AND ${this.bind(tier, value, params)}`;
    return { from, params };
  }
}
