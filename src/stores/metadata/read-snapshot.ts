/**
 * A read-only connection whose reads share one read transaction per turn of the event loop. In WAL mode
 * every statement outside a transaction takes and drops SQLite's read lock (two fcntl calls and an fstat,
 * about 6 µs, more under load), which is most of a cached restore read. Here the first read in a turn
 * begins the transaction and the turn's end (setImmediate) commits it, so a burst of requests pays once.
 * A commit on the write connection ends the snapshot at once (`release`), so this process always reads its
 * own writes; another process's commits are seen from the next turn.
 */
import type { DatabaseSync } from 'node:sqlite';

export class ReadSnapshot {
  readonly database: DatabaseSync;
  private open = false;

  constructor(database: DatabaseSync) {
    this.database = database;
  }

  /** The connection, inside this turn's read transaction. */
  current(): DatabaseSync {
    if (!this.open) {
      this.database.exec('BEGIN');
      this.open = true;
      setImmediate(() => this.release());
    }
    return this.database;
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
