/**
 * A feed backed by a folder of `.nupkg` files (`pallet serve --folder ./packages`, or a feed's `folder`): the
 * folder is the truth. Files dropped in are pushed into the feed (through the push's checks) without a restart;
 * a file removed unlists its version, and one put back relists it; at start, listed versions without a file
 * are unlisted. The folder is watched (fs.watch, recursive) and scanned again every half minute as well, since
 * watchers miss events on some file systems; scans run one at a time. Files are read, never changed.
 */
import { watch, type FSWatcher } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Feed } from '../../domain/feed.ts';
import { lowerPackageId } from '../../domain/package-id.ts';
import { NuGetVersion } from '../../domain/nuget-version.ts';
import { SERVER } from '../events.ts';
import type { Logger } from '../logger.ts';
import { importFile, nupkgFilesUnder, type ImportDependencies } from './import-folder.ts';

const RESCAN_INTERVAL_MS = 30_000;
const SETTLE_MS = 300;

interface SeenFile {
  readonly signature: string;
  readonly idLower: string | undefined;
  readonly versionLower: string | undefined;
}

export class FolderFeed {
  private readonly deps: ImportDependencies & { readonly log: Logger };
  private readonly feed: Feed;
  private readonly folder: string;
  private readonly seen = new Map<string, SeenFile>();
  private scanning: Promise<void> = Promise.resolve();
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private settle: NodeJS.Timeout | undefined;
  private closed = false;
  private first = true;

  constructor(deps: ImportDependencies & { readonly log: Logger }, feed: Feed, folder: string) {
    this.deps = deps;
    this.feed = feed;
    this.folder = folder;
  }

  /** Follows the folder, from before the first scan (so nothing dropped in meanwhile is missed); returns once that scan is done. */
  async start(): Promise<void> {
    try {
      this.watcher = watch(this.folder, { recursive: true }, () => {
        clearTimeout(this.settle);
        // A copy into the folder is many events: scan once it settles.
        this.settle = setTimeout(() => void this.rescan(), SETTLE_MS);
      });
      this.watcher.on('error', (error) => this.deps.log.warn({ err: error, folder: this.folder }, 'the folder watcher stopped; the periodic scan goes on'));
    } catch (error) {
      this.deps.log.warn({ err: error, folder: this.folder }, 'the folder cannot be watched; it is scanned every half minute');
    }
    this.timer = setInterval(() => void this.rescan(), RESCAN_INTERVAL_MS);
    this.timer.unref();
    await this.rescan();
  }

  /** A scan, after the one under way. */
  rescan(): Promise<void> {
    this.scanning = this.scanning.then(() => (this.closed ? undefined : this.scan())).catch((error: unknown) => this.deps.log.error({ err: error, folder: this.folder }, 'scanning the folder failed'));
    return this.scanning;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.watcher?.close();
    clearInterval(this.timer);
    clearTimeout(this.settle);
    await this.scanning;
  }

  private async scan(): Promise<void> {
    let files: string[];
    try {
      files = await nupkgFilesUnder(this.folder);
    } catch (error) {
      // A missing (or unmounted) folder unlists nothing: it is only reported.
      this.deps.log.warn({ err: error, folder: this.folder, feed: this.feed.name }, 'the folder feed cannot be read');
      return;
    }
    const spool = await mkdtemp(path.join(this.deps.tempDir, 'folder-'));
    try {
      for (const file of files) {
        const stats = await stat(file).catch(() => undefined);
        if (stats === undefined) continue;
        const signature = `${stats.size}:${stats.mtimeMs}`;
        if (this.seen.get(file)?.signature === signature) continue;
        const outcome = await importFile(this.deps, this.feed, file, spool);
        if (outcome.outcome === 'invalid') {
          this.deps.log.warn({ file, feed: this.feed.name, reason: outcome.reason }, 'a package of the folder feed was refused');
          this.seen.set(file, { signature, idLower: undefined, versionLower: undefined });
          continue;
        }
        const version = outcome.version === undefined ? undefined : NuGetVersion.tryParse(outcome.version);
        const idLower = outcome.id === undefined ? undefined : lowerPackageId(outcome.id);
        this.seen.set(file, { signature, idLower, versionLower: version?.lower });
        if (outcome.outcome === 'present' && idLower !== undefined && version !== undefined) {
          // Put back after it was taken out: listed again (a read first, so a present file costs no write).
          const stored = await this.deps.packages.findVersion(this.feed.feedId, idLower, version.lower);
          if (stored !== undefined && !stored.listed) await this.setListed(idLower, version.lower, stored.registrationId, true);
        }
      }
      const present = new Set(files);
      for (const [file, entry] of [...this.seen]) {
        if (present.has(file)) continue;
        this.seen.delete(file);
        if (entry.idLower === undefined || entry.versionLower === undefined || this.backs(entry.idLower, entry.versionLower)) continue;
        await this.setListed(entry.idLower, entry.versionLower, entry.idLower, false);
      }
      if (this.first) {
        this.first = false;
        // Removed while the server was stopped: listed versions with no file behind them.
        for await (const version of this.deps.packages.allVersions()) {
          if (version.feedId === this.feed.feedId && version.listed && !this.backs(version.idLower, version.versionLower)) {
            await this.setListed(version.idLower, version.versionLower, version.registrationId, false);
          }
        }
      }
    } finally {
      await rm(spool, { recursive: true, force: true });
    }
  }

  private backs(idLower: string, versionLower: string): boolean {
    return [...this.seen.values()].some((entry) => entry.idLower === idLower && entry.versionLower === versionLower);
  }

  private async setListed(idLower: string, versionLower: string, id: string, listed: boolean): Promise<void> {
    await this.deps.packages.setListed(this.feed.feedId, idLower, versionLower, listed, {
      kind: listed ? 'package.relisted' : 'package.unlisted',
      at: this.deps.now(),
      actor: SERVER,
      feedId: this.feed.feedId,
      idLower,
      versionLower,
      data: { id, version: versionLower, reason: listed ? 'its file is back in the folder' : 'its file left the folder' },
    });
    this.deps.log.info({ feed: this.feed.name, id, version: versionLower, listed }, listed ? 'folder feed relisted a version' : 'folder feed unlisted a version');
  }
}
