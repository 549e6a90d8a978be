/**
 * The `search_documents` table and its trigram index `search_text` (migration 3): per id, a row for each
 * version that is the latest listed one of at least one filter variant, with the variants it is latest
 * for as bits. Rewritten inside the transaction of every push, unlist and relist, so search never sees a
 * state the versions never had. nuget.org keeps one search document per package and variant the same way.
 */
import type { StatementCache } from './sqlite-database.ts';

/** The text columns, as named in both tables (an external-content index needs the same names). */
const TEXT_COLUMNS = 'id_lower, title_lower, description_lower, summary_lower, authors_lower, tags_lower';

/**
 * For the ids `ids` selects (a one-column `id_lower` query): each version that is the latest listed one
 * of some variant (bit 1: prereleases admitted, bit 2: SemVer 2.0.0 admitted), with `variants` holding
 * bit v for each variant v it is latest for.
 */
function expectedDocuments(ids: string): string {
  return `
    SELECT id_lower, version_lower, sum(1 << variant) AS variants FROM (
      SELECT i.id_lower, variant.value AS variant,
             (SELECT v.version_lower FROM package_versions v
              WHERE v.id_lower = i.id_lower AND v.listed = 1
                AND ((variant.value & 1) = 1 OR v.is_prerelease = 0) AND ((variant.value & 2) = 2 OR v.is_semver2 = 0)
              ORDER BY v.sort_key DESC LIMIT 1) AS version_lower
      FROM (${ids}) AS i, (SELECT 0 AS value UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3) AS variant
    ) WHERE version_lower IS NOT NULL GROUP BY id_lower, version_lower`;
}

const ALL_EXPECTED = expectedDocuments('SELECT id_lower FROM packages');

/** Inserts the documents of `expected` rows (id_lower, version_lower, variants) from their versions. */
function insertDocumentsFrom(expected: string): string {
  return `INSERT INTO search_documents (id_lower, version_lower, variants, registration_id, total_downloads, title_lower,
                                        description_lower, summary_lower, authors_lower, tags_lower, package_types)
    SELECT x.id_lower, x.version_lower, x.variants, p.id, p.total_downloads, v.title_lower, v.description_lower,
           v.summary_lower, v.authors_lower, v.tags_lower, v.package_types
    FROM (${expected}) AS x
    JOIN package_versions v ON v.id_lower = x.id_lower AND v.version_lower = x.version_lower
    JOIN packages p ON p.id_lower = x.id_lower`;
}

export class SqliteSearchDocuments {
  private readonly statements: StatementCache;

  constructor(statements: StatementCache) {
    this.statements = statements;
  }

  /** Brings the id's documents and their index entries in line with its versions; inside the caller's transaction. */
  refresh(idLower: string): void {
    const expected = new Map(
      this.statements
        .prepare(expectedDocuments('SELECT ? AS id_lower'))
        .all(idLower)
        .map((row) => [String(row.version_lower), Number(row.variants)] as const),
    );
    const current = this.statements.prepare('SELECT doc, version_lower, variants FROM search_documents WHERE id_lower = ?').all(idLower);
    for (const row of current) {
      const versionLower = String(row.version_lower);
      const variants = expected.get(versionLower);
      expected.delete(versionLower);
      if (variants === undefined) {
        // An external-content index forgets a row only when told its old text.
        this.statements
          .prepare(`INSERT INTO search_text (search_text, rowid, ${TEXT_COLUMNS}) SELECT 'delete', doc, ${TEXT_COLUMNS} FROM search_documents WHERE doc = ?`)
          .run(Number(row.doc));
        this.statements.prepare('DELETE FROM search_documents WHERE doc = ?').run(Number(row.doc));
      } else if (variants !== Number(row.variants)) {
        this.statements.prepare('UPDATE search_documents SET variants = ? WHERE doc = ?').run(variants, Number(row.doc));
      }
    }
    for (const [versionLower, variants] of expected) {
      const inserted = this.statements
        .prepare(insertDocumentsFrom('SELECT :id AS id_lower, :version AS version_lower, :variants AS variants'))
        .run({ id: idLower, version: versionLower, variants });
      this.statements
        .prepare(`INSERT INTO search_text (rowid, ${TEXT_COLUMNS}) SELECT doc, ${TEXT_COLUMNS} FROM search_documents WHERE doc = ?`)
        .run(inserted.lastInsertRowid);
    }
  }

  addDownloads(idLower: string, count: number): void {
    this.statements.prepare('UPDATE search_documents SET total_downloads = total_downloads + ? WHERE id_lower = ?').run(count, idLower);
  }

  /** Writes every document and the whole index again from the versions; inside the caller's transaction. */
  rebuild(): void {
    this.statements.prepare('DELETE FROM search_documents').run();
    this.statements.prepare(insertDocumentsFrom(ALL_EXPECTED)).run();
    this.statements.prepare("INSERT INTO search_text (search_text) VALUES ('rebuild')").run();
  }

  /** Where the documents or their index disagree with the versions (at most 1000 findings). */
  problems(): string[] {
    const rows = this.statements
      .prepare(
        `WITH expected AS (${ALL_EXPECTED})
         SELECT 'missing' AS kind, id_lower, version_lower, variants FROM (SELECT * FROM expected EXCEPT SELECT id_lower, version_lower, variants FROM search_documents)
         UNION ALL
         SELECT 'stale', id_lower, version_lower, variants FROM (SELECT id_lower, version_lower, variants FROM search_documents EXCEPT SELECT * FROM expected)
         ORDER BY 2, 3 LIMIT 1000`,
      )
      .all();
    const problems = rows.map((row) =>
      row.kind === 'missing'
        ? `search is missing '${String(row.id_lower)}' ${String(row.version_lower)} as the latest version for filter variants ${String(row.variants)}`
        : `search lists '${String(row.id_lower)}' ${String(row.version_lower)} as the latest version for filter variants ${String(row.variants)}, which it is not`,
    );
    const stale = this.statements
      .prepare(
        `SELECT d.id_lower, d.version_lower FROM search_documents d
         JOIN package_versions v ON v.id_lower = d.id_lower AND v.version_lower = d.version_lower
         JOIN packages p ON p.id_lower = d.id_lower
         WHERE d.registration_id IS NOT p.id OR d.total_downloads IS NOT p.total_downloads OR d.title_lower IS NOT v.title_lower
            OR d.description_lower IS NOT v.description_lower OR d.summary_lower IS NOT v.summary_lower OR d.authors_lower IS NOT v.authors_lower
            OR d.tags_lower IS NOT v.tags_lower OR d.package_types IS NOT v.package_types
         ORDER BY 1, 2 LIMIT 1000`,
      )
      .all();
    for (const row of stale) problems.push(`search's document for '${String(row.id_lower)}' ${String(row.version_lower)} differs from the version`);
    problems.push(...this.indexProblems());
    return problems;
  }

  private indexProblems(): string[] {
    try {
      this.statements.prepare("INSERT INTO search_text (search_text, rank) VALUES ('integrity-check', 1)").run();
      return [];
    } catch (error) {
      const sqliteError = error as { errcode?: number; message: string };
      // SQLITE_READONLY (8): FTS5's own check is a write statement; read-only, compare the rows the index records.
      if ((sqliteError.errcode ?? 0) % 256 !== 8) return [`search's text index does not match its documents (${sqliteError.message})`];
      const indexed = Number(this.statements.prepare('SELECT count(*) AS count FROM search_text_docsize').get()?.count ?? 0);
      const documents = Number(this.statements.prepare('SELECT count(*) AS count FROM search_documents').get()?.count ?? 0);
      return indexed === documents ? [] : [`search's text index records ${indexed} documents, but there are ${documents}`];
    }
  }
}
