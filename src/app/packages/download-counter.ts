/**
 * Counts .nupkg downloads per version. Counts are buffered and written in one transaction every few
 * seconds, so a restore storm costs no write per request; at most one interval is lost if the process dies.
 * A batch that fails to save goes back into the buffer and is retried with the next one; the buffer holds
 * one entry per version at most, so retrying never grows it past the catalogue.
 */
import type { Logger } from '../logger.ts';
import type { DownloadCount, PackageStore } from '../ports.ts';
import type { FeedId } from '../../domain/feed.ts';

export class DownloadCounter {
  private readonly packages: PackageStore;
  private readonly log: Logger;
  private pending = new Map<string, DownloadCount>();
  private readonly timer: NodeJS.Timeout;

  constructor(packages: PackageStore, log: Logger, flushIntervalMs = 5000) {
    this.packages = packages;
    this.log = log;
    this.timer = setInterval(() => void this.flush(), flushIntervalMs);
    this.timer.unref();
  }

  record(feedId: FeedId, idLower: string, versionLower: string, count = 1): void {
    const key = `${feedId}/${idLower}/${versionLower}`;
    const current = this.pending.get(key);
    this.pending.set(key, { feedId, idLower, versionLower, count: (current?.count ?? 0) + count });
  }

  async flush(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = [...this.pending.values()];
    this.pending = new Map();
    try {
      await this.packages.addDownloads(batch);
    } catch (error) {
      for (const { feedId, idLower, versionLower, count } of batch) this.record(feedId, idLower, versionLower, count);
      this.log.error({ err: error, versions: batch.length }, 'download counts could not be saved; they will be retried');
    }
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }
}
