/**
 * The `search_documents` table and its trigram index `search_text` (migration 3): per id, a row for each
 * version that is the latest listed one of at least one filter variant, with the variants it is latest
 * for as bits. Rewritten inside the transaction of every push, unlist and relist, so search never sees a
 * state the versions never had. nuget.org keeps one search document per package and variant the same way.
 */
import type { StatementCache } from './sqlite-database.ts';
import type { FeedId } from '../../domain/feed.ts';

/** The indexed text of a document, as `search_text` columns, taken from its version `v`. */
const TEXT_COLUMNS = 'id_lower, title_lower, description_lower, summary_lower, authors_lower, tags_lower, package_types, variants';
const TEXT_FROM_VERSION = 'v.id_lower, v.title_lower, v.description_lower, v.summary_lower, v.authors_lower, v.tags_lower, v.package_types';

/** `|f1v0|`: a feed's variant as the variants column of the text index holds it, matched by phrase (search-text-match.ts). */
export function variantPhraseText(feedId: FeedId, variant: number): string {
  return `|f${feedId}v${variant}|`;
}

/** `|f1v0|f1v3|`: the variants column of a document of the feed. */
export function variantsText(feedId: FeedId, variants: number): string {
  return [0, 1, 2, 3].map((variant) => ((variants >> variant) & 1 ? variantPhraseText(feedId, variant) : '')).join('');
}

/** variantsText in SQL, over a document's feed and variants columns. */
const VARIANTS_TEXT_SQL = (feed: string, variants: string) =>
  [0, 1, 2, 3].map((variant) => `(CASE WHEN ${variants} & ${1 << variant} THEN '|f' || ${feed} || 'v${variant}|' ELSE '' END)`).join(' || ');

/**
 * For the packages `packages` selects (a `feed_id, id_lower` query): each version that is the latest
 * listed one of some variant (bit 1: prereleases admitted, bit 2: SemVer 2.0.0 admitted), with `variants`
 * holding bit v for each variant v it is latest for.
 */
function expectedDocuments(packages: string): string {
  return `
    SELECT feed_id, id_lower, version_lower, sum(1 << variant) AS variants FROM (
      SELECT i.feed_id, i.id_lower, variant.value AS variant,
             (SELECT v.version_lower FROM package_versions v
              WHERE v.feed_id = i.feed_id AND v.id_lower = i.id_lower AND v.listed = 1
                AND ((variant.value & 1) = 1 OR v.is_prerelease = 0) AND ((variant.value & 2) = 2 OR v.is_semver2 = 0)
              ORDER BY v.sort_key DESC LIMIT 1) AS version_lower
      FROM (${packages}) AS i, (SELECT 0 AS value UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3) AS variant
    ) WHERE version_lower IS NOT NULL GROUP BY feed_id, id_lower, version_lower`;
}

const ALL_EXPECTED = expectedDocuments('SELECT feed_id, id_lower FROM packages');

/** Inserts the documents of `expected` rows (feed_id, id_lower, version_lower, variants) from their versions. */
function insertDocumentsFrom(expected: string): string {
  return `INSERT INTO search_documents (feed_id, id_lower, version_lower, variants, registration_id, total_downloads, title_lower)
    SELECT x.feed_id, x.id_lower, x.version_lower, x.variants, p.id, p.total_downloads, v.title_lower
    FROM (${expected}) AS x
    JOIN package_versions v ON v.feed_id = x.feed_id AND v.id_lower = x.id_lower AND v.version_lower = x.version_lower
    JOIN packages p ON p.feed_id = x.feed_id AND p.id_lower = x.id_lower`;
}

/** Indexes the text of the documents `where` selects (over `d`). */
function indexDocuments(where: string): string {
  return `INSERT INTO search_text (rowid, ${TEXT_COLUMNS})
    SELECT d.doc, ${TEXT_FROM_VERSION}, ${VARIANTS_TEXT_SQL('d.feed_id', 'd.variants')}
    FROM search_documents d JOIN package_versions v ON v.feed_id = d.feed_id AND v.id_lower = d.id_lower AND v.version_lower = d.version_lower
    WHERE ${where}`;
}

export class SqliteSearchDocuments {
  private readonly statements: StatementCache;

  constructor(statements: StatementCache) {
    this.statements = statements;
  }

  /** Brings the id's documents in the feed and their index rows in line with its versions; inside the caller's transaction. */
  refresh(feedId: FeedId, idLower: string): void {
    this.nextGeneration();
    const expected = new Map(
      this.statements
        .prepare(expectedDocuments('SELECT ? AS feed_id, ? AS id_lower'))
        .all(feedId, idLower)
        .map((row) => [String(row.version_lower), Number(row.variants)] as const),
    );
    const current = this.statements
      .prepare('SELECT doc, version_lower, variants FROM search_documents WHERE feed_id = ? AND id_lower = ?')
      .all(feedId, idLower);
    for (const row of current) {
      const doc = Number(row.doc);
      const versionLower = String(row.version_lower);
      const variants = expected.get(versionLower);
      expected.delete(versionLower);
      if (variants === undefined) {
        this.statements.prepare('DELETE FROM search_text WHERE rowid = ?').run(doc);
        this.statements.prepare('DELETE FROM search_documents WHERE doc = ?').run(doc);
      } else if (variants !== Number(row.variants)) {
        this.statements.prepare('UPDATE search_documents SET variants = ? WHERE doc = ?').run(variants, doc);
        this.statements.prepare('UPDATE search_text SET variants = ? WHERE rowid = ?').run(variantsText(feedId, variants), doc);
      }
    }
    for (const [versionLower, variants] of expected) {
      const inserted = this.statements
        .prepare(insertDocumentsFrom('SELECT :feed AS feed_id, :id AS id_lower, :version AS version_lower, :variants AS variants'))
        .run({ feed: feedId, id: idLower, version: versionLower, variants });
      this.statements.prepare(indexDocuments('d.doc = ?')).run(inserted.lastInsertRowid);
    }
  }

  /** Counts remembered by search are of the previous generation from this transaction's commit on. */
  private nextGeneration(): void {
    this.statements.prepare('UPDATE search_generation SET value = value + 1').run();
  }

  /** Download counts order hits but change no count, so the generation stays. */
  addDownloads(feedId: FeedId, idLower: string, count: number): void {
    this.statements
      .prepare('UPDATE search_documents SET total_downloads = total_downloads + ? WHERE feed_id = ? AND id_lower = ?')
      .run(count, feedId, idLower);
  }

  /** Writes every document and the whole index again from the versions; inside the caller's transaction. */
  rebuild(): void {
    this.nextGeneration();
    this.statements.prepare('DELETE FROM search_text').run();
    this.statements.prepare('DELETE FROM search_documents').run();
    this.statements.prepare(insertDocumentsFrom(ALL_EXPECTED)).run();
    this.statements.prepare(indexDocuments('1 = 1')).run();
  }

  /** Where the documents or their index disagree with the versions (at most 1000 findings of each kind). */
  problems(): string[] {
    const problems = this.statements
      .prepare(
        `WITH expected AS (${ALL_EXPECTED})
         SELECT 'missing' AS kind, feed_id, id_lower, version_lower, variants FROM
           (SELECT * FROM expected EXCEPT SELECT feed_id, id_lower, version_lower, variants FROM search_documents)
         UNION ALL
         SELECT 'stale', feed_id, id_lower, version_lower, variants FROM
           (SELECT feed_id, id_lower, version_lower, variants FROM search_documents EXCEPT SELECT * FROM expected)
         ORDER BY 2, 3, 4 LIMIT 1000`,
      )
      .all()
      .map((row) =>
        row.kind === 'missing'
          ? `search is missing '${String(row.id_lower)}' ${String(row.version_lower)} (feed ${String(row.feed_id)}) as the latest version for filter variants ${String(row.variants)}`
          : `search lists '${String(row.id_lower)}' ${String(row.version_lower)} (feed ${String(row.feed_id)}) as the latest version for filter variants ${String(row.variants)}, which it is not`,
      );
    const differing = this.statements
      .prepare(
        `SELECT d.feed_id, d.id_lower, d.version_lower FROM search_documents d
         JOIN package_versions v ON v.feed_id = d.feed_id AND v.id_lower = d.id_lower AND v.version_lower = d.version_lower
         JOIN packages p ON p.feed_id = d.feed_id AND p.id_lower = d.id_lower
         LEFT JOIN search_text t ON t.rowid = d.doc
         WHERE d.registration_id IS NOT p.id OR d.total_downloads IS NOT p.total_downloads OR d.title_lower IS NOT v.title_lower
            OR t.rowid IS NULL OR t.id_lower IS NOT v.id_lower OR t.title_lower IS NOT v.title_lower
            OR t.description_lower IS NOT v.description_lower OR t.summary_lower IS NOT v.summary_lower
            OR t.authors_lower IS NOT v.authors_lower OR t.tags_lower IS NOT v.tags_lower OR t.package_types IS NOT v.package_types
            OR t.variants IS NOT (${VARIANTS_TEXT_SQL('d.feed_id', 'd.variants')})
         ORDER BY 1, 2, 3 LIMIT 1000`,
      )
      .all();
    for (const row of differing) {
      problems.push(`search's document for '${String(row.id_lower)}' ${String(row.version_lower)} (feed ${String(row.feed_id)}) differs from the version`);
    }
    const strays = Number(
      this.statements.prepare('SELECT count(*) AS count FROM search_text WHERE rowid NOT IN (SELECT doc FROM search_documents)').get()?.count ?? 0,
    );
    if (strays > 0) problems.push(`search's text index holds ${strays} row(s) of no document`);
    problems.push(...this.indexProblems());
    return problems;
  }

  /** FTS5's own check of its index against its content; it is a write statement, so a read-only connection skips it. */
  private indexProblems(): string[] {
    try {
      this.statements.prepare("INSERT INTO search_text (search_text, rank) VALUES ('integrity-check', 1)").run();
      return [];
    } catch (error) {
      const sqliteError = error as { errcode?: number; message: string };
      if ((sqliteError.errcode ?? 0) % 256 === 8) return []; // SQLITE_READONLY: the rows were compared above
      return [`search's text index is damaged (${sqliteError.message})`];
    }
  }
}
