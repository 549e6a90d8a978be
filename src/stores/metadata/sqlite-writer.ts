/**
 * The write side of one SQLite connection, shared by every store over it: a write is one IMMEDIATE
 * transaction, after which the read snapshot ends (so this process reads its own write) and, with group
 * commit, the caller waits until the log holding it is synced. It counts its own commits, which SQLite's
 * `data_version` on the same connection does not (see SqlitePackageStore.readGeneration).
 */
import type { DatabaseSync } from 'node:sqlite';
import { StatementCache, inTransaction } from './sqlite-database.ts';
import type { ReadSnapshot } from './read-snapshot.ts';
import type { WalGroupSync } from './wal-group-sync.ts';

export class SqliteWriter {
  readonly database: DatabaseSync;
  readonly statements: StatementCache;
  private readonly snapshot: ReadSnapshot | undefined;
  private readonly readStatements: StatementCache;
  private readonly commits: WalGroupSync | undefined;
  private committed = 0;
  private readonly ownershipListeners: ((idsLower: readonly string[]) => void)[] = [];

  /**
   * `database` is the connection writes go through. With `reads`, a second (read-only) connection, request
   * reads go through it in per-turn snapshots (read-snapshot.ts). With `commits`, the connection was opened
   * with `groupCommit` and each write returns once it is synced.
   */
  constructor(database: DatabaseSync, options: { reads?: ReadSnapshot | undefined; commits?: WalGroupSync | undefined } = {}) {
    this.database = database;
    this.statements = new StatementCache(database);
    this.snapshot = options.reads;
    this.readStatements = options.reads ? new StatementCache(options.reads.database) : this.statements;
    this.commits = options.commits;
  }

  /** Writes of this connection so far (rolled-back ones included: they only make a cache look once more). */
  writeCount(): number {
    return this.committed;
  }

  /** The statements for a request's read, inside the current snapshot when there is a read connection. */
  reading(): StatementCache {
    this.snapshot?.current();
    return this.readStatements;
  }

  /** The read snapshot's `data_version`, or this connection's when reads share it. */
  dataVersion(): number {
    return this.snapshot ? this.snapshot.dataVersion() : Number(this.statements.prepare('PRAGMA data_version').get()?.data_version);
  }

  /**
   * Derived rows that depend on who owns an id (the read documents' `verified`) are refreshed by the store
   * that keeps them: it listens here, and a store that changes owners or reservations calls
   * `ownershipChanged` inside its transaction, so both land together or not at all.
   */
  onOwnershipChanged(listener: (idsLower: readonly string[]) => void): void {
    this.ownershipListeners.push(listener);
  }

  /** Inside a write: the owners of these ids, or the reservations covering them, changed. */
  ownershipChanged(idsLower: readonly string[]): void {
    if (idsLower.length === 0) return;
    for (const listener of this.ownershipListeners) listener(idsLower);
  }

  /** A write transaction, returned once durable; the read snapshot ends with it, so the next read sees the change. */
  async write<T>(work: () => T): Promise<T> {
    let result: T;
    try {
      result = inTransaction(this.database, work);
    } finally {
      this.committed++;
      this.snapshot?.release();
    }
    await this.commits?.afterCommit();
    return result;
  }
}
