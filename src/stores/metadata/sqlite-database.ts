/**
 * Opens the SQLite database (Node's built-in `node:sqlite`, so no native module has to compile) and brings
 * its schema up to date. WAL lets restores read while a push writes.
 */
import { DatabaseSync } from 'node:sqlite';
import { MIGRATIONS } from './migrations.ts';

export function openSqliteDatabase(filePath: string): DatabaseSync {
  const database = new DatabaseSync(filePath);
  database.exec('PRAGMA journal_mode = WAL');
  // FULL: a 201 for a push means the row survives a power cut, not only a process crash.
  database.exec('PRAGMA synchronous = FULL');
  database.exec('PRAGMA foreign_keys = ON');
  database.exec('PRAGMA busy_timeout = 5000');
  migrate(database);
  return database;
}

function migrate(database: DatabaseSync): void {
  database.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
  const applied = new Set(
    database
      .prepare('SELECT version FROM schema_migrations')
      .all()
      .map((row) => Number(row.version)),
  );
  for (const migration of MIGRATIONS) {
    if (applied.has(migration.version)) continue;
    inTransaction(database, () => {
      database.exec(migration.sql);
      database
        .prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)')
        .run(migration.version, migration.name, new Date().toISOString());
    });
  }
}

/** Runs `work` in an IMMEDIATE transaction (the write lock is taken up front, so no upgrade deadlock). */
export function inTransaction<T>(database: DatabaseSync, work: () => T): T {
  database.exec('BEGIN IMMEDIATE');
  try {
    const result = work();
    database.exec('COMMIT');
    return result;
  } catch (error) {
    database.exec('ROLLBACK');
    throw error;
  }
}
