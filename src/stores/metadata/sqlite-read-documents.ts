/**
 * The `read_documents` table: each id's projected documents, replaced inside the transaction that
 * changed the id's versions, so a read never sees a document out of step with the rows.
 */
import { createHash } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { DocumentProjection, PackageFacts, ProjectedDocument, StoredDocument, StoredVersion } from '../../app/ports.ts';
import type { StatementCache } from './sqlite-database.ts';
import type { FeedId } from '../../domain/feed.ts';

const DERIVED_KIND = 'read_documents';

/** The hash of a document's text with its marker cut out (parts joined by NUL, which JSON text never holds raw). */
export function documentHash(document: Pick<ProjectedDocument, 'text' | 'baseMarker'>): string {
  const parts = document.baseMarker === undefined ? [document.text] : document.text.split(document.baseMarker);
  return createHash('sha256').update(parts.join('\u0000')).digest('base64url').slice(0, 27);
}

export class SqliteReadDocuments {
  private readonly statements: StatementCache;
  private readonly reads: () => StatementCache;
  private readonly projection: DocumentProjection;

  /** `statements` are the write connection's; `reads` gives the statements the public reads run on. */
  constructor(statements: StatementCache, reads: () => StatementCache, projection: DocumentProjection) {
    this.statements = statements;
    this.reads = reads;
    this.projection = projection;
  }

  /** Replaces the id's documents in the feed with a projection of `versions` (all of its versions there); runs inside the caller's transaction. */
  replace(feedId: FeedId, idLower: string, versions: readonly StoredVersion[], facts: PackageFacts): void {
    this.statements.prepare('DELETE FROM read_documents WHERE feed_id = ? AND id_lower = ?').run(feedId, idLower);
    const insert = this.statements.prepare(
      'INSERT INTO read_documents (feed_id, id_lower, name, hash, base_marker, body) VALUES (?, ?, ?, ?, ?, ?)',
    );
    for (const document of this.projection.project(versions, facts)) {
      insert.run(feedId, idLower, document.name, documentHash(document), document.baseMarker ?? null, deflateRawSync(document.text));
    }
  }

  hash(feedId: FeedId, idLower: string, name: string): string | undefined {
    const row = this.reads().prepare('SELECT hash FROM read_documents WHERE feed_id = ? AND id_lower = ? AND name = ?').get(feedId, idLower, name);
    return row === undefined ? undefined : String(row.hash);
  }

  read(feedId: FeedId, idLower: string, name: string): StoredDocument | undefined {
    const row = this.reads()
      .prepare('SELECT hash, base_marker, body FROM read_documents WHERE feed_id = ? AND id_lower = ? AND name = ?')
      .get(feedId, idLower, name);
    if (row === undefined) return undefined;
    return {
      hash: String(row.hash),
      baseMarker: row.base_marker === null ? undefined : String(row.base_marker),
      text: inflateRawSync(row.body as Uint8Array).toString('utf8'),
    };
  }

  /** Whether the stored documents were written by another format than the projection's (or never). */
  isStale(): boolean {
    const row = this.statements.prepare('SELECT format FROM derived_formats WHERE kind = ?').get(DERIVED_KIND);
    return row === undefined || String(row.format) !== this.projection.format;
  }

  markCurrent(): void {
    this.statements
      .prepare('INSERT INTO derived_formats (kind, format) VALUES (?, ?) ON CONFLICT (kind) DO UPDATE SET format = excluded.format')
      .run(DERIVED_KIND, this.projection.format);
  }

  /** Where the id's stored documents in the feed differ from a projection of `versions`: missing, stale or extra names. */
  problems(feedId: FeedId, idLower: string, versions: readonly StoredVersion[], facts: PackageFacts): string[] {
    const stored = new Map(
      this.statements
        .prepare('SELECT name, hash FROM read_documents WHERE feed_id = ? AND id_lower = ?')
        .all(feedId, idLower)
        .map((row) => [String(row.name), String(row.hash)] as const),
    );
    const problems: string[] = [];
    for (const document of this.projection.project(versions, facts)) {
      const hash = stored.get(document.name);
      stored.delete(document.name);
      if (hash === undefined) problems.push(`the read document '${document.name}' of '${idLower}' in feed ${feedId} is missing`);
      else if (hash !== documentHash(document)) problems.push(`the read document '${document.name}' of '${idLower}' in feed ${feedId} is out of date`);
    }
    for (const name of stored.keys()) problems.push(`the read document '${name}' of '${idLower}' in feed ${feedId} belongs to no version`);
    return problems;
  }
}
