/**
 * A read-only connection whose reads share one read transaction per turn of the event loop. In WAL mode
 * every statement outside a transaction takes and drops SQLite's read lock (two fcntl calls and an fstat,
 * about 6 µs, more under load), which is most of a cached restore read. Here the first read in a turn
 * begins the transaction and the turn's end (setImmediate) commits it, so a burst of requests pays once.
 * A commit on the write connection ends the snapshot at once (`release`), so this process always reads its
 * own writes; another process's commits are seen from the next turn.
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite';

export class ReadSnapshot {
  readonly database: DatabaseSync;
  private open = false;
  private openedAtVersion = 0;
  private readonly dataVersionStatement: StatementSync;

  constructor(database: DatabaseSync) {
    this.database = database;
    this.dataVersionStatement = database.prepare('PRAGMA data_version');
  }

  /** The connection, inside this turn's read transaction. */
  current(): DatabaseSync {
    if (!this.open) {
      this.database.exec('BEGIN');
      // Read before the transaction's first read takes its snapshot, so the snapshot is never older than
      // the version recorded for it (see dataVersion()).
      this.openedAtVersion = Number(this.dataVersionStatement.get()?.data_version);
      this.open = true;
      setImmediate(() => this.release());
    }
    return this.database;
  }

  /**
   * SQLite's `data_version` as this turn's snapshot began: it changes when any other connection (this
   * process's write connection, another process's) has committed, and what this snapshot reads is at
   * least as new as the change it counts.
   */
  dataVersion(): number {
    this.current();
    return this.openedAtVersion;
  }

  /** Ends the snapshot (after a local write, or at the end of the turn); the next read starts a new one. */
  release(): void {
    if (!this.open) return;
    this.open = false;
    this.database.exec('COMMIT');
  }

  close(): void {
    this.release();
    this.database.close();
  }
}
