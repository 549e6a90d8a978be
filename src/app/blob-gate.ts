/**
 * Keeps garbage collection from deleting a blob between a push storing it and the push's row committing.
 * Pushes pass through shared (many at once); a sweep's final re-check-and-delete runs exclusive, after the
 * pushes already inside have finished and before new ones enter. One process owns a data folder and all its
 * writes (the lock in stores/data-folder-lock.ts sees to it, and secondary processes forward their writes to
 * it: http/forward-writes.ts), so an in-process gate is enough.
 */
export class BlobGate {
  private sharedHolders = 0;
  private exclusiveTurn: Promise<void> | undefined;
  private wakeExclusive: (() => void) | undefined;

  async shared<T>(work: () => Promise<T>): Promise<T> {
    while (this.exclusiveTurn) await this.exclusiveTurn;
    this.sharedHolders += 1;
    try {
      return await work();
    } finally {
      this.sharedHolders -= 1;
      if (this.sharedHolders === 0) this.wakeExclusive?.();
    }
  }

  async exclusive<T>(work: () => Promise<T>): Promise<T> {
    while (this.exclusiveTurn) await this.exclusiveTurn;
    let release!: () => void;
    this.exclusiveTurn = new Promise<void>((resolve) => {
      release = resolve;
    });
    try {
      while (this.sharedHolders > 0) {
        await new Promise<void>((resolve) => {
          this.wakeExclusive = resolve;
        });
      }
      this.wakeExclusive = undefined;
      return await work();
    } finally {
      this.exclusiveTurn = undefined;
      release();
    }
  }
}
