/**
 * The seams between the use cases and the drivers that `app.ts` wires in. Each contract states what
 * "missing" returns and what is idempotent; the contract tests in `test/contract/` hold every driver to it.
 */
import type { Readable } from 'node:stream';
import type { Manifest } from '../domain/manifest.ts';
import type { FeedId } from '../domain/feed.ts';
import type { AccountId } from './actor.ts';
import type { NewEvent } from './events.ts';

/** Lowercase hex SHA-512 of the blob's bytes: blobs are content-addressed, so the same bytes share one blob. */
export type BlobKey = string;

export interface BlobStore {
  /**
   * Moves a finished temp file in under `key`. Same key twice keeps the existing blob (the temp file is
   * removed) but refreshes its modified time, which garbage collection's grace period counts from; with
   * `replace`, the file replaces the stored blob atomically (a damaged copy being mended).
   */
  putFile(key: BlobKey, sourcePath: string, options?: { replace?: boolean }): Promise<void>;
  /**
   * Stores small bytes under `key`. Same key twice refreshes the modified time, as `putFile` does; with
   * `replace`, the bytes replace the stored ones atomically (a repair of a corrupt blob).
   */
  putBytes(key: BlobKey, bytes: Uint8Array, options?: { replace?: boolean }): Promise<void>;
  /** A stream of the blob, or undefined if there is none. Never throws for a missing blob. */
  open(key: BlobKey): Promise<Readable | undefined>;
  /** The whole blob in memory, or undefined if there is none: for blobs known to be small. */
  readBytes(key: BlobKey): Promise<Buffer | undefined>;
  /** Size of the blob, or undefined if there is none. */
  stat(key: BlobKey): Promise<{ size: number; modifiedAt: Date } | undefined>;
  /** Removes the blob; a missing blob is fine. */
  delete(key: BlobKey): Promise<void>;
  /** Every key, in no particular order (for garbage collection and integrity checks). */
  list(): AsyncIterable<BlobKey>;
}

/**
 * Descriptive metadata shown by registration, search and the details page; stored as JSON at push time.
 * The nuspec's own fields as parsed, plus the license expression and dependency ranges as plain strings.
 */
export type VersionDetails = Pick<
  Manifest,
  | 'title'
  | 'description'
  | 'summary'
  | 'authors'
  | 'tags'
  | 'releaseNotes'
  | 'copyright'
  | 'language'
  | 'projectUrl'
  | 'iconUrl'
  | 'licenseUrl'
  | 'requireLicenseAcceptance'
  | 'developmentDependency'
  | 'minClientVersion'
  | 'repository'
  | 'packageTypes'
> & {
  readonly licenseExpression: string | undefined;
  /** Ranges already in NuGet's normalized form (`[1.0.0, )`). */
  readonly dependencyGroups: readonly {
    readonly targetFramework?: string | undefined;
    readonly dependencies: readonly { readonly id: string; readonly range: string }[];
  }[];
};

/** Who a version is, in every form the stores and URLs need; fixed by its nuspec. */
export interface PackageIdentity {
  /** The id as this version's nuspec spells it. */
  readonly id: string;
  readonly idLower: string;
  readonly versionLower: string;
  readonly versionNormalized: string;
  readonly versionFull: string;
  readonly versionOriginal: string;
  readonly sortKey: string;
  readonly isPrerelease: boolean;
  /** nuget.org's package-level rule: the version or a dependency bound is SemVer 2.0.0. */
  readonly isSemVer2: boolean;
}

/**
 * What checking an uploaded .nupkg yields: plain data (no class instances), so a worker thread can hand
 * it back. The files are the ones a push stores as blobs of their own.
 */
export interface InspectedUpload extends PackageIdentity {
  readonly details: VersionDetails;
  readonly nuspec: Uint8Array;
  readonly readme: Uint8Array | undefined;
  readonly icon: { readonly bytes: Uint8Array; readonly contentType: 'image/png' | 'image/jpeg' } | undefined;
  readonly license: Uint8Array | undefined;
}

export interface PackageInspector {
  /**
   * Applies every package rule to a spooled upload. Throws an INVALID_PACKAGE AppError naming the broken
   * rule; never blocks the caller's event loop on a hostile archive.
   */
  inspect(filePath: string): Promise<InspectedUpload>;
}

export interface NewPackageVersion extends PackageIdentity {
  readonly publishedAt: Date;
  readonly packageBlob: BlobKey;
  readonly packageSize: number;
  /** Base64 SHA-512 of the .nupkg, as NuGet's `packageHash` and lock files' `contentHash`. */
  readonly packageSha512: string;
  readonly nuspecBlob: BlobKey;
  readonly readmeBlob: BlobKey | undefined;
  readonly iconBlob: BlobKey | undefined;
  readonly iconContentType: string | undefined;
  readonly licenseBlob: BlobKey | undefined;
  readonly details: VersionDetails;
}

/** What a download needs of a version: its blobs, and nothing to parse. */
export type VersionFiles = { readonly feedId: FeedId } & Pick<
  NewPackageVersion,
  'idLower' | 'versionLower' | 'packageBlob' | 'packageSize' | 'nuspecBlob' | 'readmeBlob' | 'iconBlob' | 'iconContentType' | 'licenseBlob'
>;

export interface StoredVersion extends NewPackageVersion {
  readonly feedId: FeedId;
  /** Who pushed it (`alice (API key 'ci')`) and with which key; undefined for versions from before push records. */
  readonly pushedBy: { readonly label: string; readonly keyName: string | undefined } | undefined;
  /** For a version pushed through trusted publishing: the CI token's claims (repository, workflow, commit). */
  readonly provenance: Readonly<Record<string, string>> | undefined;
  /** The registration's display id: the casing of the first version ever pushed. */
  readonly registrationId: string;
  readonly listed: boolean;
  readonly downloads: number;
}

export interface DownloadCount {
  readonly feedId: FeedId;
  readonly idLower: string;
  readonly versionLower: string;
  readonly count: number;
}

/**
 * A document reads serve as stored bytes (a version list, a registration index or page), projected from
 * all versions of one id. Absolute URLs are written on `baseMarker`, which the server replaces with the
 * base URL of the request, so one stored document serves every host name and sub-path.
 */
export interface ProjectedDocument {
  /** Unique within the id, e.g. `versions` or `semver2-gz/index`. */
  readonly name: string;
  readonly text: string;
  /** The stand-in for the public base URL in `text`; undefined when the document holds no absolute URL. */
  readonly baseMarker: string | undefined;
}

/** What the documents say of an id beyond its versions; a change of it re-projects them (ownership and reservations). */
export interface PackageFacts {
  /** An owner of the id holds a prefix reservation covering it (nuget.org's checkmark). */
  readonly verified: boolean;
}

/** What turns an id's versions (in one feed) into the documents its reads serve; pure, so it can run inside a transaction. */
export interface DocumentProjection {
  /** Changes whenever the documents' shape changes, so stored documents of another format are rebuilt at start. */
  readonly format: string;
  /** The versions are every version of one id, unlisted included, in ascending order (never empty). */
  project(versions: readonly StoredVersion[], facts: PackageFacts): ProjectedDocument[];
}

export interface StoredDocument {
  /**
   * A strong hash of the document with its base marker taken out: equal documents have equal hashes
   * whatever marker they were projected with.
   */
  readonly hash: string;
  readonly text: string;
  readonly baseMarker: string | undefined;
}

/** Who owns an id, in every feed: an id is one package across the instance. */
export interface PackageOwnership {
  /** Whether any feed holds a version of the id. */
  readonly exists: boolean;
  /** Empty for an id that exists: it was pushed with the configured administrator key, and administrators manage it. */
  readonly ownerIds: readonly AccountId[];
  /** The prefix reservations that cover the id, one entry per owner of each. */
  readonly reservations: readonly { readonly text: string; readonly ownerId: AccountId }[];
}

/** What a push records with its version, in the same transaction: its event, whose actor is the version's push record. */
export interface PushRecord {
  /**
   * The account that becomes the id's owner if the id is new (no version in any feed, no owner); the push
   * is refused ('not-owner') if, by the time it commits, the id has owners and this is not one of them.
   * Undefined for the configured administrator key: no owner is claimed or checked.
   */
  readonly ownerAccountId: AccountId | undefined;
  readonly event: NewEvent;
  /** The CI claims of a trusted-publishing push (repository, workflow, commit), recorded with the version. */
  readonly provenance?: Readonly<Record<string, string>> | undefined;
  /** Stored from an upstream source rather than pushed: it does not make the id the feed's own. */
  readonly fromUpstream?: boolean | undefined;
}

/**
 * Packages, versions and what is derived from them, each in a feed: every method takes the feed, and
 * nothing one feed holds is seen through another (a version, a document, a count, a search hit).
 */
export interface PackageStore {
  /**
   * Inserts a version atomically with its push record, its owner claim and its event; this row is the
   * commit point of a push. Returns 'exists' when the id + version is already in the feed (listed or not),
   * so concurrent pushes give one 'created', and 'not-owner' as PushRecord says; nothing is written then.
   */
  insertVersion(feedId: FeedId, version: NewPackageVersion, record: PushRecord): Promise<'created' | 'exists' | 'not-owner'>;
  /**
   * Puts a version of one feed into another (promotion): the same blobs and metadata, its push record, listed,
   * with no downloads yet, and the event, in one transaction. 'exists' when the target holds that version,
   * 'missing' when the source does not; nothing is written then.
   */
  copyVersion(fromFeedId: FeedId, toFeedId: FeedId, idLower: string, versionLower: string, event: NewEvent): Promise<'copied' | 'exists' | 'missing'>;
  /**
   * Deletes a version from a feed whose owner chose hard delete, with its event and derived data; the blobs
   * stay until garbage collection finds no feed refers to them. False when the feed has no such version.
   */
  deleteVersion(feedId: FeedId, idLower: string, versionLower: string, event: NewEvent): Promise<boolean>;
  /** Whether the feed holds a version of the id that was pushed to it (not one stored from an upstream source). */
  hasOwnVersions(feedId: FeedId, idLower: string): Promise<boolean>;
  /** The owners of an id, instance-wide. */
  ownership(idLower: string): Promise<PackageOwnership>;
  findVersion(feedId: FeedId, idLower: string, versionLower: string): Promise<StoredVersion | undefined>;
  /** The version's blobs only (the download path), or undefined. */
  findFiles(feedId: FeedId, idLower: string, versionLower: string): Promise<VersionFiles | undefined>;
  /** Every version of the id in the feed, unlisted included, in ascending NuGet version order; empty if unknown. */
  listVersions(feedId: FeedId, idLower: string): Promise<StoredVersion[]>;
  /**
   * The hash of a stored document (see `DocumentProjection`), or undefined when the id has no such
   * document in the feed. Documents are rewritten in the same transaction as every insert and listing change.
   */
  documentHash(feedId: FeedId, idLower: string, name: string): Promise<string | undefined>;
  readDocument(feedId: FeedId, idLower: string, name: string): Promise<StoredDocument | undefined>;
  /**
   * A number that changes whenever a read may answer differently than at its last value: a commit by this
   * process or by another one over the same data. Equal numbers mean every read answers as before, so a
   * cache of answers checked against it needs no lookup. Synchronous and cheap: hot paths ask per request.
   */
  readGeneration(): number;
  /**
   * Projects the documents of every id again when they were stored in another format than the
   * projection's (a new database, or an upgrade); returns how many ids were projected.
   */
  refreshStaleDocuments(): Promise<number>;
  /**
   * Sets the listed flag, recording `event` (and the key's last use) with it; false when the feed has no
   * such version. Setting the flag it already has changes nothing and records nothing.
   */
  setListed(feedId: FeedId, idLower: string, versionLower: string, listed: boolean, event: NewEvent): Promise<boolean>;
  addDownloads(counts: readonly DownloadCount[]): Promise<void>;
  /**
   * Every blob key some version references, each at least once, in no particular order, in batches (for
   * garbage collection). Read in pages, so memory stays flat however many versions there are.
   */
  referencedBlobKeys(): AsyncIterable<readonly BlobKey[]>;
  /** Every version of every feed, unlisted included, by feed, id, then version order; read in pages, so memory stays flat. */
  allVersions(): AsyncIterable<StoredVersion>;
  /** Where the rows derived from the versions (search's rows, the read documents) disagree with them; empty when they agree. */
  derivedDataProblems(): Promise<string[]>;
  /** Recomputes every derived row from the versions, in one transaction. */
  rebuildDerivedData(): Promise<void>;
}

/** The metadata database as a whole, for the administrator's tools. */
export interface MetadataDatabase {
  /** The database engine's own consistency check; empty when it finds nothing wrong. */
  integrityProblems(): Promise<string[]>;
  /** Writes a consistent copy of the whole database to `filePath` (which must not exist) while writers carry on. */
  snapshotTo(filePath: string): Promise<void>;
}

export interface SearchFilters {
  /** The feed searched: a query never sees another feed's packages or counts. */
  readonly feedId: FeedId;
  readonly includePrerelease: boolean;
  readonly includeSemVer2: boolean;
  /** Lowercase package type name; only packages whose latest matching version has it. */
  readonly packageType: string | undefined;
}

/** One term of a search query: unscoped (`field` undefined) or `field:value`, lowercased. */
export interface SearchTerm {
  readonly field: 'id' | 'packageid' | 'version' | 'title' | 'description' | 'tags' | 'authors' | 'summary' | 'owners' | undefined;
  readonly value: string;
}

export interface SearchRequest extends SearchFilters {
  readonly terms: readonly SearchTerm[];
  readonly skip: number;
  readonly take: number;
}

/** A version in a search hit's list: what the response shows of it (a package may have thousands). */
export type SearchHitVersion = Pick<StoredVersion, 'idLower' | 'versionLower' | 'versionNormalized' | 'versionFull' | 'downloads'>;

export interface SearchHit {
  /** The latest version that passes the filters; its metadata describes the package. */
  readonly latest: StoredVersion;
  /** Every listed version that passes the filters, ascending. */
  readonly versions: readonly SearchHitVersion[];
  readonly totalDownloads: number;
  /** The names of the id's owners (none for an id the administrators manage). */
  readonly owners: readonly string[];
  /** Whether an owner of the id holds a prefix reservation that covers it (nuget.org's verified check mark). */
  readonly verified: boolean;
}

export interface SearchIndex {
  /** Package ids matching the terms, one hit per id, ranked; `totalHits` counts ids before skip/take. */
  search(request: SearchRequest): Promise<{ totalHits: number; hits: SearchHit[] }>;
  /** Ids that start with (or have a dot/dash-separated part starting with) `prefix`, ranked. */
  autocompleteIds(request: SearchFilters & { prefix: string; skip: number; take: number }): Promise<{ totalHits: number; ids: string[] }>;
}
