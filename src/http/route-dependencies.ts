/** What route modules receive from the composition root. */
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config/schema.ts';
import type { BlobStore, PackageInspector, PackageStore, SearchFilters, SearchRequest } from '../app/ports.ts';
import type { BlobGate } from '../app/blob-gate.ts';
import type { WorkTracker } from '../app/work-tracker.ts';
import type { UploadSlots } from './upload-slots.ts';
import type { PackageReader } from '../app/packages/read-package.ts';
import type { DownloadCounter } from '../app/packages/download-counter.ts';
import type { RequestAuthentication } from './request-authentication.ts';
import type { FeedStore } from '../app/feeds/ports.ts';
import type { UpstreamReads } from '../app/feeds/upstream-reads.ts';
import type { WebDependencies } from './web/web-dependencies.ts';
import type { ApiRoute } from './api/api-route.ts';
import type { FeedUrls } from '../protocol/nuget/feed-urls.ts';
import type { UrlContext } from './request-context.ts';
import type { DocumentResponder } from './document-responder.ts';
import type { BlobResponder } from './blob-responder.ts';

export interface RouteDependencies {
  readonly config: Config;
  readonly log: FastifyBaseLogger;
  readonly packages: PackageStore;
  readonly blobs: BlobStore;
  readonly blobGate: BlobGate;
  readonly inspector: PackageInspector;
  readonly uploadSlots: UploadSlots;
  readonly work: WorkTracker;
  readonly search: SearchAnswers;
  readonly reader: PackageReader;
  readonly documents: DocumentResponder;
  readonly blobFiles: BlobResponder;
  readonly downloads: DownloadCounter;
  readonly authentication: RequestAuthentication;
  readonly feeds: FeedStore;
  /** Reading through the feeds' upstream sources. */
  readonly upstreams: UpstreamReads;
  /** The account pages. */
  readonly web: WebDependencies;
  /** The management API's routes (api/api-routes.ts). */
  readonly api: readonly ApiRoute[];
  readonly urlsFor: (request: UrlContext) => FeedUrls;
  readonly tempDir: string;
  /** Set in a secondary process: the primary's private socket, where pushes, unlists and relists go. */
  readonly forwardWritesTo: string | undefined;
  readonly now: () => Date;
}

/** Search and autocomplete answered as finished JSON bodies, off the thread that serves restores (workers/worker-search.ts). */
export interface SearchAnswers {
  search(request: SearchRequest, base: string): Promise<string>;
  autocomplete(request: SearchFilters & { prefix: string; skip: number; take: number }): Promise<string>;
}
