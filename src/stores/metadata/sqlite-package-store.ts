/** PackageStore on SQLite: registrations and versions, with the version row as the commit point of a push. */
import type { DatabaseSync } from 'node:sqlite';
import type {
  PackageFacts,
  BlobKey,
  DocumentProjection,
  DownloadCount,
  NewPackageVersion,
  PackageOwnership,
  PackageStore,
  PushRecord,
  StoredDocument,
  StoredVersion,
  VersionFiles,
} from '../../app/ports.ts';
import type { NewEvent } from '../../app/events.ts';
import type { StatementCache } from './sqlite-database.ts';
import { SqliteWriter } from './sqlite-writer.ts';
import { recordEvent } from './sqlite-events.ts';
import { RESERVATION_COVERS } from './sqlite-reservation-store.ts';
import { VERSION_COLUMNS, VERSION_WITH_PACKAGE, rowToStoredVersion, versionInsertValues } from './version-row.ts';
import type { FeedId } from '../../domain/feed.ts';
import { SqliteReadDocuments } from './sqlite-read-documents.ts';
import { SqliteSearchDocuments } from './sqlite-search-documents.ts';

export class SqlitePackageStore implements PackageStore {
  private readonly writer: SqliteWriter;
  private readonly statements: StatementCache;
  private readonly documents: SqliteReadDocuments;
  private readonly searchDocuments: SqliteSearchDocuments;
  private generation = 0;
  private seenDataVersion = -1;
  private seenWrites = 0;
  private versionColumnList: string | undefined;

  /** `writer` is the connection's write side, shared with the other stores over it (sqlite-writer.ts). */
  constructor(writer: SqliteWriter | DatabaseSync, projection: DocumentProjection) {
    this.writer = writer instanceof SqliteWriter ? writer : new SqliteWriter(writer);
    this.statements = this.writer.statements;
    this.documents = new SqliteReadDocuments(this.statements, () => this.reading(), projection);
    this.searchDocuments = new SqliteSearchDocuments(this.statements);
    // An owner or a reservation changed in another store's transaction: the documents' `verified` follows in it.
    this.writer.onOwnershipChanged((idsLower) => {
      for (const idLower of idsLower) {
        for (const row of this.statements.prepare('SELECT feed_id FROM packages WHERE id_lower = ?').all(idLower)) {
          const feedId = Number(row.feed_id) as FeedId;
          this.documents.replace(feedId, idLower, this.versionsOf(feedId, idLower), this.factsOf(idLower));
        }
      }
    });
  }

  /** What the documents say of the id beyond its versions: whether an owner holds a reservation covering it. */
  private factsOf(idLower: string, statements = this.statements): PackageFacts {
    const verified = statements
      .prepare(`SELECT 1 FROM package_owners o JOIN prefix_reservations r ON r.owner_id = o.account_id WHERE o.id_lower = ? AND ${RESERVATION_COVERS('o.id_lower')} LIMIT 1`)
      .get(idLower);
    return { verified: verified !== undefined };
  }

  private reading(): StatementCache {
    return this.writer.reading();
  }

  private write<T>(work: () => T): Promise<T> {
    return this.writer.write(work);
  }

  readGeneration(): number {
    // data_version counts other connections' commits (another process's, and with a read connection this
    // process's too); the writer counts this connection's own, which its data_version does not.
    const dataVersion = this.writer.dataVersion();
    const writes = this.writer.writeCount();
    if (dataVersion !== this.seenDataVersion || writes !== this.seenWrites) {
      this.seenDataVersion = dataVersion;
      this.seenWrites = writes;
      this.generation++;
    }
    return this.generation;
  }

  async insertVersion(feedId: FeedId, version: NewPackageVersion, record: PushRecord): Promise<'created' | 'exists' | 'not-owner'> {
    const values = {
      ...versionInsertValues(feedId, version),
      pushed_by_user_id: record.event.actor.userId ?? null,
      pushed_by_label: record.event.actor.label,
      pushed_with_key: record.event.actor.key?.name ?? null,
      provenance: record.provenance === undefined ? null : JSON.stringify(record.provenance),
      from_upstream: record.fromUpstream === true ? 1 : 0,
    };
    const columns = Object.keys(values);
    return this.write(() => {
      if (record.ownerAccountId !== undefined) {
        // Claimed before this push's own package row exists: an id is new when no feed holds it and no one owns it.
        this.statements
          .prepare(
            `INSERT INTO package_owners (id_lower, account_id, added_at)
             SELECT :id, :owner, :at WHERE NOT EXISTS (SELECT 1 FROM package_owners WHERE id_lower = :id)
                                       AND NOT EXISTS (SELECT 1 FROM packages WHERE id_lower = :id)`,
          )
          .run({ id: version.idLower, owner: record.ownerAccountId, at: version.publishedAt.toISOString() });
        const owns = this.statements.prepare('SELECT 1 FROM package_owners WHERE id_lower = ? AND account_id = ?').get(version.idLower, record.ownerAccountId);
        if (!owns) return 'not-owner';
      }
      this.statements
        .prepare('INSERT INTO packages (feed_id, id_lower, id, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (feed_id, id_lower) DO NOTHING')
        .run(feedId, version.idLower, version.id, version.publishedAt.toISOString());
      const result = this.statements.prepare(
          `INSERT INTO package_versions (${columns.join(', ')}) VALUES (${columns.map((c) => `:${c}`).join(', ')})
           ON CONFLICT (feed_id, id_lower, version_lower) DO NOTHING`,
        )
        .run(values);
      if (result.changes !== 1) return 'exists';
      this.recordChange(record.event);
      this.refreshDerived(feedId, version.idLower);
      return 'created';
    });
  }

  async copyVersion(fromFeedId: FeedId, toFeedId: FeedId, idLower: string, versionLower: string, event: NewEvent): Promise<'copied' | 'exists' | 'missing'> {
    return this.write(() => {
      const statements = this.statements;
      const key = { from: fromFeedId, to: toFeedId, id: idLower, version: versionLower };
      const source = statements.prepare('SELECT 1 FROM package_versions WHERE feed_id = :from AND id_lower = :id AND version_lower = :version').get({ from: fromFeedId, id: idLower, version: versionLower });
      if (source === undefined) return 'missing' as const;
      statements
        .prepare(
          `INSERT INTO packages (feed_id, id_lower, id, created_at) SELECT :to, id_lower, id, :at FROM packages WHERE feed_id = :from AND id_lower = :id
           ON CONFLICT (feed_id, id_lower) DO NOTHING`,
        )
        .run({ from: fromFeedId, to: toFeedId, id: idLower, at: event.at.toISOString() });
      const copied = this.copiedVersionColumns();
      const inserted = statements
        .prepare(
          `INSERT INTO package_versions (feed_id, listed, downloads, ${copied}) SELECT :to, 1, 0, ${copied} FROM package_versions
           WHERE feed_id = :from AND id_lower = :id AND version_lower = :version ON CONFLICT (feed_id, id_lower, version_lower) DO NOTHING`,
        )
        .run(key);
      if (inserted.changes !== 1) return 'exists' as const;
      this.recordChange({ ...event, feedId: toFeedId, idLower, versionLower });
      this.refreshDerived(toFeedId, idLower);
      return 'copied' as const;
    });
  }

  async deleteVersion(feedId: FeedId, idLower: string, versionLower: string, event: NewEvent): Promise<boolean> {
    return this.write(() => {
      const statements = this.statements;
      const deleted = statements.prepare('DELETE FROM package_versions WHERE feed_id = ? AND id_lower = ? AND version_lower = ?').run(feedId, idLower, versionLower);
      if (deleted.changes !== 1) return false;
      this.recordChange(event);
      if (statements.prepare('SELECT 1 FROM package_versions WHERE feed_id = ? AND id_lower = ? LIMIT 1').get(feedId, idLower) === undefined) {
        // The id's last version in the feed: nothing of it is left there.
        statements.prepare('DELETE FROM read_documents WHERE feed_id = ? AND id_lower = ?').run(feedId, idLower);
        this.searchDocuments.refresh(feedId, idLower);
        statements.prepare('DELETE FROM packages WHERE feed_id = ? AND id_lower = ?').run(feedId, idLower);
      } else {
        this.refreshDerived(feedId, idLower);
      }
      return true;
    });
  }

  /** Every column of a version row but its feed, listing and downloads, read from the schema once: a promotion copies them all. */
  private copiedVersionColumns(): string {
    this.versionColumnList ??= this.statements
      .prepare("SELECT name FROM pragma_table_info('package_versions')")
      .all()
      .map((row) => String(row.name))
      .filter((name) => !['feed_id', 'listed', 'downloads'].includes(name))
      .join(', ');
    return this.versionColumnList;
  }

  async hasOwnVersions(feedId: FeedId, idLower: string): Promise<boolean> {
    return this.reading().prepare('SELECT 1 FROM package_versions WHERE feed_id = ? AND id_lower = ? AND from_upstream = 0 LIMIT 1').get(feedId, idLower) !== undefined;
  }

  async ownership(idLower: string): Promise<PackageOwnership> {
    const statements = this.reading();
    const ownerIds = statements
      .prepare('SELECT account_id FROM package_owners WHERE id_lower = ? ORDER BY account_id')
      .all(idLower)
      .map((row) => Number(row.account_id));
    const exists = statements.prepare('SELECT 1 FROM packages WHERE id_lower = ? LIMIT 1').get(idLower) !== undefined;
    const reservations = statements
      .prepare(`SELECT text, owner_id FROM prefix_reservations r WHERE ${RESERVATION_COVERS('?')} ORDER BY length(value_lower) DESC, reservation_id`)
      .all(idLower, idLower, idLower)
      .map((row) => ({ text: String(row.text), ownerId: Number(row.owner_id) }));
    return { exists, ownerIds, reservations };
  }

  /** The change's event, and its key's last use; inside the change's transaction. */
  private recordChange(event: NewEvent): void {
    recordEvent(this.statements, event);
    if (event.actor.key !== undefined) {
      this.statements.prepare('UPDATE api_keys SET last_used_at = ? WHERE key_id = ?').run(event.at.toISOString(), event.actor.key.keyId);
    }
  }

  async findVersion(feedId: FeedId, idLower: string, versionLower: string): Promise<StoredVersion | undefined> {
    const row = this.reading()
      .prepare(`SELECT ${VERSION_COLUMNS} FROM ${VERSION_WITH_PACKAGE} WHERE v.feed_id = ? AND v.id_lower = ? AND v.version_lower = ?`)
      .get(feedId, idLower, versionLower);
    return row ? rowToStoredVersion(row) : undefined;
  }

  async findFiles(feedId: FeedId, idLower: string, versionLower: string): Promise<VersionFiles | undefined> {
    const row = this.reading()
      .prepare(
        `SELECT package_blob, package_size, nuspec_blob, readme_blob, icon_blob, icon_content_type, license_blob
         FROM package_versions WHERE feed_id = ? AND id_lower = ? AND version_lower = ?`,
      )
      .get(feedId, idLower, versionLower);
    if (!row) return undefined;
    const optional = (value: unknown) => (value === null || value === undefined ? undefined : String(value));
    return {
      feedId,
      idLower,
      versionLower,
      packageBlob: String(row.package_blob),
      packageSize: Number(row.package_size),
      nuspecBlob: String(row.nuspec_blob),
      readmeBlob: optional(row.readme_blob),
      iconBlob: optional(row.icon_blob),
      iconContentType: optional(row.icon_content_type),
      licenseBlob: optional(row.license_blob),
    };
  }

  async listVersions(feedId: FeedId, idLower: string): Promise<StoredVersion[]> {
    return this.versionsOf(feedId, idLower, this.reading());
  }

  async documentHash(feedId: FeedId, idLower: string, name: string): Promise<string | undefined> {
    return this.documents.hash(feedId, idLower, name);
  }

  async readDocument(feedId: FeedId, idLower: string, name: string): Promise<StoredDocument | undefined> {
    return this.documents.read(feedId, idLower, name);
  }

  async refreshStaleDocuments(): Promise<number> {
    if (!this.documents.isStale()) return 0;
    return this.write(() => this.projectAllDocuments());
  }

  async setListed(feedId: FeedId, idLower: string, versionLower: string, listed: boolean, event: NewEvent): Promise<boolean> {
    return this.write(() => {
      const current = this.statements
        .prepare('SELECT listed FROM package_versions WHERE feed_id = ? AND id_lower = ? AND version_lower = ?')
        .get(feedId, idLower, versionLower);
      if (current === undefined) return false;
      if ((Number(current.listed) === 1) === listed) return true;
      this.statements
        .prepare('UPDATE package_versions SET listed = ? WHERE feed_id = ? AND id_lower = ? AND version_lower = ?')
        .run(listed ? 1 : 0, feedId, idLower, versionLower);
      this.recordChange(event);
      this.refreshDerived(feedId, idLower);
      return true;
    });
  }

  async addDownloads(counts: readonly DownloadCount[]): Promise<void> {
    if (counts.length === 0) return;
    const updateVersion = this.statements.prepare(
      'UPDATE package_versions SET downloads = downloads + ? WHERE feed_id = ? AND id_lower = ? AND version_lower = ?',
    );
    const updatePackage = this.statements.prepare('UPDATE packages SET total_downloads = total_downloads + ? WHERE feed_id = ? AND id_lower = ?');
    await this.write(() => {
      for (const { feedId, idLower, versionLower, count } of counts) {
        if (Number(updateVersion.run(count, feedId, idLower, versionLower).changes) !== 1) continue;
        updatePackage.run(count, feedId, idLower);
        this.searchDocuments.addDownloads(feedId, idLower, count);
      }
    });
  }

  async *allVersions(): AsyncIterable<StoredVersion> {
    // Keyset pages: each page is one short read, so a long verify never holds a read snapshot for minutes.
    const page = this.statements.prepare(
      `SELECT ${VERSION_COLUMNS} FROM ${VERSION_WITH_PACKAGE}
       WHERE (v.feed_id, v.id_lower, v.sort_key) > (?, ?, ?) ORDER BY v.feed_id, v.id_lower, v.sort_key LIMIT ${ALL_VERSIONS_PAGE}`,
    );
    let after: [number, string, string] = [0, '', ''];
    for (;;) {
      const rows = page.all(...after).map(rowToStoredVersion);
      yield* rows;
      const last = rows.at(-1);
      if (!last || rows.length < ALL_VERSIONS_PAGE) return;
      after = [last.feedId, last.idLower, last.sortKey];
    }
  }

  async derivedDataProblems(): Promise<string[]> {
    const problems = this.searchDocuments.problems();
    for (const { feedId, idLower } of this.allPackages()) {
      if (problems.length >= 2000) break;
      problems.push(...this.documents.problems(feedId, idLower, this.versionsOf(feedId, idLower), this.factsOf(idLower)));
    }
    return problems;
  }

  async rebuildDerivedData(): Promise<void> {
    await this.write(() => {
      this.searchDocuments.rebuild();
      this.writer.database.exec('DELETE FROM read_documents');
      this.projectAllDocuments();
    });
  }

  /** Recomputes everything derived from the id's versions in the feed; runs inside the transaction that changed them. */
  private refreshDerived(feedId: FeedId, idLower: string): void {
    this.searchDocuments.refresh(feedId, idLower);
    this.documents.replace(feedId, idLower, this.versionsOf(feedId, idLower), this.factsOf(idLower));
  }

  /** Projects every package's documents and records the format; runs inside the caller's transaction. */
  private projectAllDocuments(): number {
    let count = 0;
    for (const { feedId, idLower } of this.allPackages()) {
      this.documents.replace(feedId, idLower, this.versionsOf(feedId, idLower), this.factsOf(idLower));
      count += 1;
    }
    this.documents.markCurrent();
    return count;
  }

  private versionsOf(feedId: FeedId, idLower: string, statements = this.statements): StoredVersion[] {
    return statements
      .prepare(`SELECT ${VERSION_COLUMNS} FROM ${VERSION_WITH_PACKAGE} WHERE v.feed_id = ? AND v.id_lower = ? ORDER BY v.sort_key`)
      .all(feedId, idLower)
      .map(rowToStoredVersion);
  }

  /** Every package (an id in a feed) that has a version, by feed then id. */
  private *allPackages(): Generator<{ feedId: FeedId; idLower: string }> {
    const page = this.statements.prepare(
      'SELECT feed_id, id_lower FROM packages WHERE (feed_id, id_lower) > (?, ?) ORDER BY feed_id, id_lower LIMIT 1000',
    );
    let after: [number, string] = [0, ''];
    for (;;) {
      const packages = page.all(...after).map((row) => ({ feedId: Number(row.feed_id), idLower: String(row.id_lower) }));
      yield* packages;
      const last = packages.at(-1);
      if (last === undefined || packages.length < 1000) return;
      after = [last.feedId, last.idLower];
    }
  }

  async *referencedBlobKeys(): AsyncIterable<readonly BlobKey[]> {
    // Pages in rowid order, the table's own: reading in id order jumped about the file, minutes of reads on
    // a cold cache at 100,000 versions, where this reads it front to back. All rows at once were some 60 MB
    // of objects. Rowids only change under VACUUM, which Pallet never runs on a live database.
    const page = this.statements.prepare(
      `SELECT rowid, package_blob, nuspec_blob, readme_blob, icon_blob, license_blob FROM package_versions
       WHERE rowid > ? ORDER BY rowid LIMIT ${REFERENCES_PAGE}`,
    );
    let after = 0;
    for (;;) {
      const rows = page.all(after);
      const keys: BlobKey[] = [];
      for (const row of rows) {
        for (const column of BLOB_COLUMNS) {
          const key = row[column];
          if (typeof key === 'string') keys.push(key);
        }
      }
      // A batch per page: yielding key by key cost a promise each, seconds at 100,000 versions.
      yield keys;
      const last = rows.at(-1);
      if (!last || rows.length < REFERENCES_PAGE) return;
      after = Number(last.rowid);
    }
  }
}

const BLOB_COLUMNS = ['package_blob', 'nuspec_blob', 'readme_blob', 'icon_blob', 'license_blob'] as const;
/** A page takes about 2 ms to read at 100,000 versions: the sweep never holds restores up for longer. */
export const REFERENCES_PAGE = 500;
const ALL_VERSIONS_PAGE = 500;
