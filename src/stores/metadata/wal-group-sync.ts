/**
 * Durable commits without a sync on the event loop, shared by the commits that land together.
 *
 * With `synchronous = FULL` every COMMIT syncs the write-ahead log on the thread that runs it: Node's
 * event loop, about a millisecond per commit here and more under load, with every other request waiting.
 * The server's write connection runs with `synchronous = NORMAL` instead (the log is synced only at
 * checkpoints, and stays consistent), and a write is acknowledged only after this has synced the log file
 * on the thread pool. fsync covers the whole file whatever descriptor it comes through, so one sync that
 * starts after a commit was written makes that commit, and every one before it, survive a power cut.
 * Commits arriving while a sync runs wait for the next one, which starts when it ends: under a push storm
 * one sync serves many pushes (group commit).
 * https://www.sqlite.org/pragma.html#pragma_synchronous
 */
import { open } from 'node:fs/promises';

/** Syncs a file's data to the disk: opened for each sync, so a log file SQLite recreates is the one synced. */
async function syncFileData(filePath: string): Promise<void> {
  const handle = await open(filePath, 'r');
  try {
    await handle.datasync();
  } finally {
    await handle.close();
  }
}

export class WalGroupSync {
  private readonly walFile: string;
  private readonly syncFile: (filePath: string) => Promise<void>;
  private running: Promise<void> | undefined;
  private queued: Promise<void> | undefined;

  /** `walFile` is the database's `-wal` file; `syncFile` is replaceable for tests. */
  constructor(walFile: string, syncFile: (filePath: string) => Promise<void> = syncFileData) {
    this.walFile = walFile;
    this.syncFile = syncFile;
  }

  /** Resolves once every commit made before the call is on the disk. */
  afterCommit(): Promise<void> {
    if (this.running === undefined) return this.start();
    // The running sync may have started before this commit was written: it needs the next one.
    this.queued ??= this.running.then(
      () => this.startQueued(),
      () => this.startQueued(),
    );
    return this.queued;
  }

  private startQueued(): Promise<void> {
    this.queued = undefined;
    return this.start();
  }

  private start(): Promise<void> {
    const sync = this.syncFile(this.walFile).finally(() => {
      if (this.running === sync) this.running = undefined;
    });
    this.running = sync;
    return sync;
  }
}
