/**
 * `.nupkg` downloads for the restore fast path (restore-fast-path.ts): the answer routes/package-content.ts
 * gives a GET of a package kept in memory, made once per URL and remembered with the store's read
 * generation, so a repeated download between writes is a map lookup plus a write of the bytes. Anything
 * else (a HEAD, a conditional request, a package streamed or sent by a proxy, one not found) is the route's.
 * https://learn.microsoft.com/nuget/api/package-base-address-resource#download-package-content-nupkg
 */
import type { PackageStore } from '../app/ports.ts';
import type { PackageReader } from '../app/packages/read-package.ts';
import type { DownloadCounter } from '../app/packages/download-counter.ts';
import { flatContainerFileKind } from '../protocol/nuget/flat-container-file.ts';
import type { BlobResponder } from './blob-responder.ts';
import { ByteLru } from './byte-lru.ts';
import { packageFileBlob } from './package-file-blob.ts';
import type { FeedId } from '../domain/feed.ts';

export interface DownloadAnswer {
  /** As `writeHead` takes them, the length included. */
  readonly rawHeaders: readonly string[];
  readonly body: Buffer;
  /** Counts the download; called when the body is sent. */
  readonly counted: () => void;
}

/** Where a download URL leads, checked at `generation` of the store. */
interface Located {
  readonly generation: number;
  readonly blobKey: string;
  readonly rawHeaders: readonly string[];
  readonly counted: () => void;
}

/** URLs remembered: an entry is its headers and key, about this many bytes. */
const LOCATED_ENTRY_BYTES = 512;
const LOCATED_MAX_BYTES = 4 * 1024 * 1024;

export class PackageDownloadAnswers {
  private readonly packages: PackageStore;
  private readonly reader: PackageReader;
  private readonly blobFiles: BlobResponder;
  private readonly downloads: DownloadCounter;
  private readonly located = new ByteLru<Located>(LOCATED_MAX_BYTES);

  constructor(deps: { packages: PackageStore; reader: PackageReader; blobFiles: BlobResponder; downloads: DownloadCounter }) {
    this.packages = deps.packages;
    this.reader = deps.reader;
    this.blobFiles = deps.blobFiles;
    this.downloads = deps.downloads;
  }

  /** The answer from memory alone, when this URL was answered since the last commit and its bytes are still kept. */
  fromMemory(feedId: FeedId, id: string, version: string, file: string): DownloadAnswer | undefined {
    const located = this.located.get(locatedKey(feedId, id, version, file));
    if (located === undefined || located.generation !== this.packages.readGeneration()) return undefined;
    const body = this.blobFiles.remembered(located.blobKey);
    return body === undefined ? undefined : { rawHeaders: located.rawHeaders, body, counted: located.counted };
  }

  /** The answer, read from the store on a miss; undefined leaves the request to the route. */
  async answer(feedId: FeedId, id: string, version: string, file: string): Promise<DownloadAnswer | undefined> {
    if (flatContainerFileKind(id, version, file) !== 'nupkg') return undefined;
    // Taken before the lookup, so an entry never claims a generation newer than what it was read at.
    const generation = this.packages.readGeneration();
    const found = await this.reader.file(feedId, id, version, 'nupkg');
    if (found?.size === undefined) return undefined;
    const blob = packageFileBlob(found, 'nupkg', this.downloads);
    const answer = await this.blobFiles.memoryAnswer({ ...blob, size: found.size });
    if (answer === undefined) return undefined;
    const counted = blob.onBodySent ?? (() => {});
    this.located.set(locatedKey(feedId, id, version, file), { generation, blobKey: found.blobKey, rawHeaders: answer.rawHeaders, counted }, LOCATED_ENTRY_BYTES);
    return { ...answer, counted };
  }
}

function locatedKey(feedId: FeedId, id: string, version: string, file: string): string {
  return `${feedId}\n${id}\n${version}\n${file}`;
}
