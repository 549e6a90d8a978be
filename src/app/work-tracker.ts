/**
 * Work in flight that must finish (or fail) before the stores close: pushes between their blob writes and
 * their commit, and garbage collection sweeps. Shutdown cuts connections first, which makes pushes fail
 * fast, then waits here, so nothing touches a closed database.
 */
export class WorkTracker {
  private readonly running = new Set<Promise<unknown>>();

  track<T>(work: Promise<T>): Promise<T> {
    this.running.add(work);
    const forget = () => this.running.delete(work);
    work.then(forget, forget);
    return work;
  }

  get size(): number {
    return this.running.size;
  }

  /** Resolves once everything tracked so far has settled. */
  async drain(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }
}
