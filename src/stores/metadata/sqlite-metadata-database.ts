/** MetadataDatabase on SQLite: the engine's integrity check, and snapshots with VACUUM INTO. */
import { syncPath } from '../../fs-sync.ts';
import type { DatabaseSync } from 'node:sqlite';
import type { MetadataDatabase } from '../../app/ports.ts';

export class SqliteMetadataDatabase implements MetadataDatabase {
  private readonly database: DatabaseSync;

  constructor(database: DatabaseSync) {
    this.database = database;
  }

  async integrityProblems(): Promise<string[]> {
    const rows = this.database.prepare('PRAGMA integrity_check(100)').all();
    const messages = rows.map((row) => String(Object.values(row)[0]));
    return messages.length === 1 && messages[0] === 'ok' ? [] : messages;
  }

  async snapshotTo(filePath: string): Promise<void> {
    // VACUUM INTO reads one transaction's view, so the copy is consistent while pushes commit; it does not
    // sync the file it writes, so that is done here before the snapshot is trusted.
    this.database.prepare('VACUUM INTO ?').run(filePath);
    await syncPath(filePath);
  }
}
