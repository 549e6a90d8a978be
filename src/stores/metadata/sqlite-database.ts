/**
 * Opens the SQLite database (Node's built-in `node:sqlite`, so no native module has to compile) and brings
 * its schema up to date. WAL lets restores read while a push writes.
 */
import { existsSync } from 'node:fs';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { MIGRATIONS } from './migrations.ts';

/** The administrator's tools cannot use this database: there is none, or its schema is not this Pallet's. */
export class ToolDatabaseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ToolDatabaseError';
  }
}

/**
 * Opens the database for the server: it may be created, and its schema is migrated. `tool` opens
 * an existing database for the administrator's tools next to a running server: nothing is migrated
 * (the server owns that), and a schema other than this Pallet's is refused with a clear message.
 */
export function openSqliteDatabase(filePath: string, options: { tool?: 'read' | 'write'; groupCommit?: boolean } = {}): DatabaseSync {
  if (options.tool) return openForTool(filePath, options.tool);
  const database = new DatabaseSync(filePath);
  database.exec('PRAGMA journal_mode = WAL');
  // A 201 for a push means the row survives a power cut, not only a process crash: FULL syncs the log in
  // each COMMIT; with `groupCommit` the caller syncs it after the commit instead (wal-group-sync.ts).
  database.exec(`PRAGMA synchronous = ${options.groupCommit ? 'NORMAL' : 'FULL'}`);
  database.exec('PRAGMA foreign_keys = ON');
  database.exec('PRAGMA busy_timeout = 5000');
  try {
    migrate(database);
  } catch (error) {
    database.close();
    throw error;
  }
  return database;
}

function openForTool(filePath: string, mode: 'read' | 'write'): DatabaseSync {
  if (!existsSync(filePath)) throw new ToolDatabaseError(`There is no Pallet database at ${filePath}; check --data (or PALLET_DATA_DIR).`);
  const database = new DatabaseSync(filePath, { readOnly: mode === 'read', timeout: 5000 });
  try {
    database.exec('PRAGMA foreign_keys = ON');
    const current = MIGRATIONS.at(-1)?.version ?? 0;
    const hasTable = database.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get() !== undefined;
    const applied = hasTable ? Number(database.prepare('SELECT max(version) AS version FROM schema_migrations').get()?.version ?? 0) : 0;
    if (applied !== current) {
      throw new ToolDatabaseError(
        applied < current
          ? `The database ${filePath} has schema version ${applied}; this Pallet needs ${current}. Start \`pallet serve\` once to upgrade it.`
          : `The database ${filePath} has schema version ${applied}, newer than this Pallet's ${current}; use the Pallet that wrote it.`,
      );
    }
    return database;
  } catch (error) {
    database.close();
    throw error;
  }
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
    if (migration.rebuildsTables) database.exec('PRAGMA foreign_keys = OFF');
    try {
      inTransaction(database, () => {
        database.exec(migration.sql);
        if (migration.rebuildsTables) refuseForeignKeyViolations(database, migration);
        database
          .prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)')
          .run(migration.version, migration.name, new Date().toISOString());
      });
    } finally {
      if (migration.rebuildsTables) database.exec('PRAGMA foreign_keys = ON');
    }
  }
}

function refuseForeignKeyViolations(database: DatabaseSync, migration: { version: number; name: string }): void {
  const violations = database.prepare('PRAGMA foreign_key_check').all();
  if (violations.length === 0) return;
  const first = violations[0] as Record<string, unknown>;
  throw new Error(
    `Migration ${migration.version} (${migration.name}) would leave ${violations.length} row(s) whose reference is broken, ` +
      `the first in ${String(first.table)} (rowid ${String(first.rowid)}) naming ${String(first.parent)}; the database is unchanged.`,
  );
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

/**
 * Prepared statements by SQL text, kept for the life of the connection. `node:sqlite` frees a statement's
 * compiled program (2 to 14 KiB here) only when V8 collects its small JS wrapper, so preparing on every
 * call (hundreds a second under load) keeps thousands of dead statements' native memory around between
 * collections. A statement runs to completion inside `run`, `get` or `all`, so one per text can be shared;
 * `iterate()` is never used on a cached one. Search builds a text per query shape, hence the LRU bound.
 */
export class StatementCache {
  private readonly database: DatabaseSync;
  private readonly maxSize: number;
  private readonly statements = new Map<string, StatementSync>();

  constructor(database: DatabaseSync, maxSize = 200) {
    this.database = database;
    this.maxSize = maxSize;
  }

  prepare(sql: string): StatementSync {
    let statement = this.statements.get(sql);
    if (statement) {
      // Deleted and set again below: a Map iterates in insertion order, so the first key is the least recent.
      this.statements.delete(sql);
    } else {
      statement = this.database.prepare(sql);
      if (this.statements.size >= this.maxSize) {
        const oldest = this.statements.keys().next();
        if (!oldest.done) this.statements.delete(oldest.value);
      }
    }
    this.statements.set(sql, statement);
    return statement;
  }
}
