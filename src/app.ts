/**
 * The composition root: the only module that knows the concrete drivers. It opens the data folder,
 * wires stores, use cases and the HTTP server from one validated config, and returns how to close it all.
 */
import path from 'node:path';
import { chmod, mkdir, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { createServer } from './node-http.ts';
import type { AddressInfo } from 'node:net';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { pino, type Logger } from 'pino';
import { providerOrigin, type Config } from './config/schema.ts';
import { loggerOptions } from './logging.ts';
import { openSqliteDatabase } from './stores/metadata/sqlite-database.ts';
import { SqlitePackageStore } from './stores/metadata/sqlite-package-store.ts';
import { ReadSnapshot } from './stores/metadata/read-snapshot.ts';
import { WalGroupSync } from './stores/metadata/wal-group-sync.ts';
import { SqliteMetadataDatabase } from './stores/metadata/sqlite-metadata-database.ts';
import { dataFolderLayout } from './data-folder.ts';
import type { BlobStore, MetadataDatabase, PackageStore } from './app/ports.ts';
import { FsBlobStore, blobRelativePath } from './stores/blob/fs-blob-store.ts';
import { PackageReader } from './app/packages/read-package.ts';
import { DownloadCounter } from './app/packages/download-counter.ts';
import { collectGarbage } from './app/maintenance/collect-garbage.ts';
import { BlobGate } from './app/blob-gate.ts';
import { WorkTracker } from './app/work-tracker.ts';
import { configuredKeyCheck } from './security/configured-api-key.ts';
import { SqliteWriter } from './stores/metadata/sqlite-writer.ts';
import { SqliteApiKeyStore } from './stores/metadata/sqlite-api-key-store.ts';
import { SqliteAccountStore } from './stores/metadata/sqlite-account-store.ts';
import { SqliteEventLog } from './stores/metadata/sqlite-events.ts';
import { authenticate } from './app/accounts/authenticate.ts';
import { RequestAuthentication } from './http/request-authentication.ts';
import type { AccountStore, ApiKeyStore, ReservationStore } from './app/accounts/ports.ts';
import { SqliteReservationStore } from './stores/metadata/sqlite-reservation-store.ts';
import { SqliteOutboxStore } from './stores/metadata/sqlite-outbox-store.ts';
import { SqliteWebhookStore } from './stores/metadata/sqlite-webhook-store.ts';
import { SqliteSignInStore } from './stores/metadata/sqlite-sign-in-store.ts';
import { SqliteExternalIdentityStore } from './stores/metadata/sqlite-external-identity-store.ts';
import { SqliteOrganizationStore } from './stores/metadata/sqlite-organization-store.ts';
import { SqliteFeedStore } from './stores/metadata/sqlite-feed-store.ts';
import { applyDeclaredFeeds } from './app/feeds/declared-feeds.ts';
import { applyRetentionToAllFeeds } from './app/feeds/retention.ts';
import { FolderFeed } from './app/feeds/folder-feed.ts';
import { SqlitePushTargetStore } from './stores/metadata/sqlite-push-target-store.ts';
import { HttpUpstreamPublisher } from './adapters/http-upstream-publisher.ts';
import { SecretBox } from './security/secret-box.ts';
import { UpstreamReads } from './app/feeds/upstream-reads.ts';
import { HttpUpstreamSources } from './adapters/http-upstream-sources.ts';
import { DEFAULT_FEED_ID } from './domain/feed.ts';
import type { OrganizationStore } from './app/organizations/ports.ts';
import type { FeedStore } from './app/feeds/ports.ts';
import { IdentityProviders } from './adapters/identity-providers.ts';
import { authenticatorIssuer } from './security/totp.ts';
import { emailVerificationPath } from './app/accounts/change-email.ts';
import { WebContext } from './http/web/web-context.ts';
import { offerFirstAdministratorSetup } from './app/accounts/first-administrator.ts';
import { apiRoutes } from './http/api/api-routes.ts';
import { SqliteOwnershipStore } from './stores/metadata/sqlite-ownership-store.ts';
import { SqliteTrustedPublisherStore } from './stores/metadata/sqlite-trusted-publisher-store.ts';
import { JoseCiTokenVerifier } from './adapters/jose-ci-token-verifier.ts';
import { randomBytes } from 'node:crypto';
import { Outbox } from './app/notifications/outbox.ts';
import { HttpWebhookSender } from './adapters/http-webhook-sender.ts';
import type { WebhookStore } from './app/notifications/webhooks.ts';
import type { EventLog } from './app/events.ts';
import { lockDataFolder } from './stores/data-folder-lock.ts';
import { WorkerPackageInspector } from './workers/worker-package-inspector.ts';
import { WorkerSearch } from './workers/worker-search.ts';
import { feedUrlsResolver } from './http/request-context.ts';
import { UploadSlots } from './http/upload-slots.ts';
import { buildHttpServer } from './http/server.ts';
import { markForwarded } from './http/client-address.ts';
import { DocumentResponder } from './http/document-responder.ts';
import { BlobResponder } from './http/blob-responder.ts';
import { nugetReadDocuments } from './protocol/nuget/read-documents.ts';

/** Unreferenced blobs are swept hourly; each sweep only removes blobs past the grace period. */
const GARBAGE_COLLECTION_INTERVAL_MS = 60 * 60 * 1000;
const FIRST_GARBAGE_COLLECTION_DELAY_MS = 60 * 1000;
/** How often the outbox looks for new events (pushes, key changes by the command-line tools) and due retries. */
const OUTBOX_POLL_INTERVAL_MS = 1000;
/** Larger packages are streamed from their file: a few of them would evict hundreds of ordinary ones. */
const MAX_CACHED_PACKAGE_BYTES = 8 * 1024 * 1024;

export interface PalletApp {
  readonly server: FastifyInstance;
  readonly config: Config;
  readonly log: Logger;
  /**
   * Set when this server has no administrator yet: the token of the one-time link that creates the first
   * one (`/account/setup?token=…`), for `pallet serve` to print on standard error, never into the log.
   */
  readonly setupToken: string | undefined;
  /** Starts listening; resolves with the address actually bound (useful with port 0). */
  listen(): Promise<{ port: number; serviceIndexUrl: string }>;
  /**
   * Stops accepting, gives requests in flight `shutdownTimeout` to finish, cuts off what is left, waits
   * for pushes and sweeps to settle, then closes the stores and releases the data folder.
   */
  close(): Promise<void>;
}

export interface BuildOptions {
  readonly now?: () => Date;
  /** Where log lines go; standard output by default. */
  readonly logDestination?: NodeJS.WritableStream;
  /**
   * One of several processes sharing the port (cli/server-processes.ts). The primary owns the data folder
   * (its lock, the temp folder, migrations, garbage collection, every write) and takes forwarded writes on
   * a private socket; a secondary serves reads, forwards writes there, and listens on the primary's port.
   */
  readonly processRole?: { readonly kind: 'primary'; readonly writesSocket: string } | { readonly kind: 'secondary'; readonly writesSocket: string; readonly port: number };
}

export async function buildApp(config: Config, options: BuildOptions = {}): Promise<PalletApp> {
  const log = options.logDestination ? pino(loggerOptions(config.logLevel), options.logDestination) : pino(loggerOptions(config.logLevel));
  await mkdir(config.dataDir, { recursive: true });
  const role = options.processRole;
  const secondary = role?.kind === 'secondary';
  // Before anything touches the folder: a second server over it would sweep blobs the first is committing.
  // A secondary runs under its primary's lock.
  const lock = secondary ? { release: () => undefined } : lockDataFolder(config.dataDir);
  const layout = dataFolderLayout(config.dataDir);
  const tempDir = layout.temp;
  const opened: { close(): void }[] = [];
  const failStart = (error: unknown): never => {
    for (const item of opened.reverse()) item.close();
    lock.release();
    throw error;
  };
  let database;
  let reads: ReadSnapshot;
  let packages: SqlitePackageStore;
  let writer: SqliteWriter;
  try {
    if (!secondary) {
      // Leftover uploads from a crash are never referenced by anything: clear them at start.
      await rm(tempDir, { recursive: true, force: true });
      await mkdir(tempDir, { recursive: true });
    }
    database = openSqliteDatabase(layout.database, { groupCommit: true });
    opened.push(database);
    reads = new ReadSnapshot(openSqliteDatabase(layout.database, { tool: 'read' }));
    opened.push(reads);
    writer = new SqliteWriter(database, { reads, commits: new WalGroupSync(`${layout.database}-wal`) });
    packages = new SqlitePackageStore(writer, nugetReadDocuments);
    if (!secondary) {
      // A database from before read documents existed, or from another format of them, is projected once here.
      const projected = await packages.refreshStaleDocuments();
      if (projected > 0) log.info({ ids: projected, format: nugetReadDocuments.format }, 'read documents projected for the stored packages');
    }
  } catch (error) {
    return failStart(error);
  }
  const blobs = new FsBlobStore(layout.blobs);
  const blobGate = new BlobGate();
  const downloads = new DownloadCounter(packages, log);
  const inspector = new WorkerPackageInspector();
  // One thread: a second would compete for the two cores restores run on; queries queue instead.
  const search = new WorkerSearch({ databaseFile: layout.database, threads: 1 });
  const work = new WorkTracker();
  const now = options.now ?? (() => new Date());
  let boundPort = config.port;
  const keys = new SqliteApiKeyStore(writer);
  const signIns = new SqliteSignInStore(writer);
  const authentication = new RequestAuthentication((presented) => authenticate({ keys, signIns, isConfiguredKey, now }, presented));
  // The key CSRF tokens are made with: one per data folder, so every process and restart agrees.
  const csrfKey = await signIns.instanceSecret('csrf', () => randomBytes(32));
  // The key email verification links are signed with (security/email-verification.ts).
  const emailKey = await signIns.instanceSecret('email-verification', () => randomBytes(32));
  const webContext = new WebContext({ authentication, csrfKey, publicUrl: config.publicUrl });
  const accounts = new SqliteAccountStore(writer);
  const organizations = new SqliteOrganizationStore(writer);
  const reservations = new SqliteReservationStore(writer);
  const ownership = new SqliteOwnershipStore(writer);
  const feeds = new SqliteFeedStore(writer);
  const reader = new PackageReader(packages, blobs);
  const setupToken = secondary ? undefined : await offerFirstAdministratorSetup(signIns);
  // Configuration as code: the primary brings the declared feeds about before it serves.
  if (!secondary && Object.keys(config.feeds).length > 0) {
    await applyDeclaredFeeds({ feeds: new SqliteFeedStore(writer), accounts, now, log }, config.feeds);
  }
  const isConfiguredKey = configuredKeyCheck(config.apiKey);
  // Only the process that owns the writes sends notifications: each event is expanded there, once.
  const mailSender = !secondary && config.smtpUrl !== undefined ? await smtpSender(config.smtpUrl) : undefined;
  const outbox = secondary
    ? undefined
    : new Outbox({
        store: new SqliteOutboxStore(writer),
        mail: mailSender === undefined ? undefined : { sender: mailSender, from: config.mailFrom },
        webhooks: new HttpWebhookSender(),
        publicUrl: config.publicUrl,
        verificationPath: (verificationId, email) => emailVerificationPath(emailKey, verificationId, email),
        now,
        log,
        retryDelayMs: config.deliveryRetryDelay,
        pollIntervalMs: OUTBOX_POLL_INTERVAL_MS,
      });
  outbox?.start();

  const runGarbageCollection = () =>
    work.track(collectGarbage({ packages, blobs, blobGate, now, log })).catch((error: unknown) => log.error({ err: error }, 'garbage collection failed'));
  // Only the process that owns the writes sweeps: its gate is what keeps a sweep off a push in flight.
  const garbageTimer = secondary ? undefined : setInterval(runGarbageCollection, GARBAGE_COLLECTION_INTERVAL_MS);
  garbageTimer?.unref();
  // Folder-backed feeds (the gallery with `--folder`, others by their `folder`), followed by the process that owns the writes.
  const folderFeeds: FolderFeed[] = [];
  if (!secondary) {
    const followed = [
      ...(config.folder === undefined ? [] : [{ name: undefined, folder: config.folder }]),
      ...Object.entries(config.feeds).flatMap(([name, declared]) => (declared.folder === undefined ? [] : [{ name, folder: declared.folder }])),
    ];
    for (const { name, folder } of followed) {
      const feed = name === undefined ? await feeds.feedById(DEFAULT_FEED_ID) : await feeds.feedByName(name);
      if (feed === undefined) continue;
      const folderFeed = new FolderFeed({ packages, blobs, blobGate, inspector, feeds, now, log, tempDir }, feed, path.resolve(folder));
      folderFeeds.push(folderFeed);
      work.track(folderFeed.start()).catch((error: unknown) => log.error({ err: error, folder }, 'the folder feed did not start'));
    }
  }
  // Retention for CI feeds: hourly too, in the process that owns the writes.
  const retentionTimer = secondary
    ? undefined
    : setInterval(() => {
        work.track(applyRetentionToAllFeeds({ packages, feeds, now, log })).catch((error: unknown) => log.error({ err: error }, 'retention failed'));
      }, GARBAGE_COLLECTION_INTERVAL_MS);
  retentionTimer?.unref();
  // A first sweep soon after start, so a server restarted more often than hourly still sweeps.
  const firstSweep = secondary ? undefined : setTimeout(runGarbageCollection, FIRST_GARBAGE_COLLECTION_DELAY_MS);
  firstSweep?.unref();

  const identities = new SqliteExternalIdentityStore(writer);
  // Seals what must be kept secret for later use (upstream keys and credentials); none without secretsKey.
  const secrets = config.secretsKey === undefined ? undefined : new SecretBox(config.secretsKey);
  const providerNames = Object.keys(config.identityProviders);
  const externalSignIn =
    providerNames.length === 0
      ? undefined
      : {
          identities,
          signIns,
          gateway: new IdentityProviders(config.identityProviders),
          now,
          sessionLifetimeMs: config.sessionLifetime,
          providers: Object.fromEntries(
            Object.entries(config.identityProviders).map(([name, provider]) => [
              name,
              {
                displayName: provider.displayName ?? (provider.kind === 'github' ? 'GitHub' : name),
                createAccounts: provider.createAccounts,
                trustEmail: provider.kind === 'oidc' && provider.trustEmail,
                mfaCountsAsSecondFactor: provider.kind === 'oidc' && provider.mfaCountsAsSecondFactor,
              },
            ]),
          ),
        };
  const urlsFor = feedUrlsResolver(config.publicUrl, () => `http://localhost:${boundPort}`);

  // The cache sizes are for the whole server: each of several processes keeps its share.
  const cacheShares = role ? config.processes : 1;
  const server = buildHttpServer({
    config,
    log: log as FastifyBaseLogger,
    packages,
    blobs,
    blobGate,
    inspector,
    uploadSlots: new UploadSlots(config.maxConcurrentUploads),
    work,
    search,
    reader,
    documents: new DocumentResponder(packages, { maxCacheBytes: config.documentCacheSize / cacheShares }),
    blobFiles: new BlobResponder(blobs, {
      maxCacheBytes: config.packageCacheSize / cacheShares,
      maxEntryBytes: MAX_CACHED_PACKAGE_BYTES,
      accelRedirect: config.accelRedirectPrefix === undefined ? undefined : { prefix: config.accelRedirectPrefix, pathOf: blobRelativePath },
    }),
    downloads,
    authentication,
    feeds,
    upstreams: new UpstreamReads({ packages, blobs, blobGate, inspector, now, log, sources: new HttpUpstreamSources(), tempDir, cacheMs: config.upstreamCacheTime, maxPackageSize: config.maxPackageSize, secrets }),
    web: {
      context: webContext,
      accounts,
      keys,
      signIns,
      organizations,
      reservations,
      feeds,
      ownership: { accounts, organizations, packages, ownership, policy: { requireTwoFactor: config.requireTwoFactor }, now },
      emails: accounts,
      emailKey,
      now,
      externalSignIn,
      baseUrlOf: (request) => urlsFor(request).base,
      formActionOrigins: [...new Set(Object.values(config.identityProviders).map(providerOrigin))],
      settings: {
        passwordSignIn: config.passwordSignIn,
        passwordSignUp: config.passwordSignUp && config.passwordSignIn,
        requireTwoFactor: config.requireTwoFactor,
        sessionLifetimeMs: config.sessionLifetime,
        apiKeyLifetimeMs: config.apiKeyLifetime,
        issuer: authenticatorIssuer(config.publicUrl),
      },
    },
    api: apiRoutes({
      accounts,
      keys,
      reservations,
      events: new SqliteEventLog(() => writer.reading()),
      packages,
      reader,
      ownership,
      organizations,
      signIns,
      identities,
      webhooks: new SqliteWebhookStore(writer),
      feeds,
      log,
      pushUpstream: {
        feeds,
        targets: new SqlitePushTargetStore(writer),
        packages,
        blobs,
        publisher: new HttpUpstreamPublisher(),
        secrets,
        now,
      },
      passwordSignIn: config.passwordSignIn,
      emails: accounts,
      emailKey,
      authenticatorIssuer: authenticatorIssuer(config.publicUrl),
      apiKeyLifetimeMs: config.apiKeyLifetime,
      policy: { requireTwoFactor: config.requireTwoFactor },
      publishers: new SqliteTrustedPublisherStore(writer),
      ciTokens: new JoseCiTokenVerifier(),
      trustedPublishingAudience: config.trustedPublishingAudience ?? config.publicUrl ?? 'pallet',
      now,
    }),
    urlsFor,
    tempDir,
    forwardWritesTo: secondary ? role.writesSocket : undefined,
    now,
  });
  let writesServer: Server | undefined;

  return {
    server,
    config,
    log,
    setupToken,
    async listen() {
      // Several processes on one port: the kernel spreads connections over them (SO_REUSEPORT).
      const listenOptions = { host: config.host, port: secondary ? role.port : config.port, ...(role ? { reusePort: true } : {}) };
      await server.listen(listenOptions);
      boundPort = (server.server.address() as AddressInfo).port;
      if (role?.kind === 'primary') writesServer = await listenForForwardedWrites(server, role.writesSocket, config);
      const displayHost = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
      const base = config.publicUrl ?? `http://${displayHost.includes(':') ? `[${displayHost}]` : displayHost}:${boundPort}`;
      return { port: boundPort, serviceIndexUrl: `${base}/v3/index.json` };
    },
    async close() {
      clearInterval(garbageTimer);
      clearInterval(retentionTimer);
      await Promise.all(folderFeeds.map((folderFeed) => folderFeed.close()));
      await outbox?.close();
      mailSender?.close();
      clearTimeout(firstSweep);
      const closed = server.close();
      const writesClosed = writesServer ? closeWritesServer(writesServer) : Promise.resolve();
      const deadline = setTimeout(() => {
        log.warn({ shutdownTimeoutMs: config.shutdownTimeout }, 'requests still in flight at the shutdown deadline are cut off');
        server.server.closeAllConnections();
        writesServer?.closeAllConnections();
      }, config.shutdownTimeout);
      await closed;
      await writesClosed;
      clearTimeout(deadline);
      // Cut-off pushes fail fast now; a check still in a worker is stopped.
      await Promise.all([inspector.close(), search.close()]);
      await work.drain();
      await downloads.close();
      reads.close();
      database.close();
      lock.release();
    },
  };
}

/**
 * The primary's private socket for writes forwarded by secondaries: the same routes and limits, with the
 * client's address taken from the forwarding header (client-address.ts). Only this user may connect.
 */
async function listenForForwardedWrites(server: FastifyInstance, socketPath: string, config: Config): Promise<Server> {
  await rm(socketPath, { force: true });
  const writes = createServer({ headersTimeout: config.headersTimeout, requestTimeout: config.requestTimeout }, (request, response) => {
    markForwarded(request);
    server.routing(request, response);
  });
  await new Promise<void>((resolve, reject) => {
    writes.once('error', reject);
    writes.listen(socketPath, () => resolve());
  });
  await chmod(socketPath, 0o600);
  return writes;
}

function closeWritesServer(writes: Server): Promise<void> {
  return new Promise((resolve) => writes.close(() => resolve()));
}

/** A database file opened for the administrator's tools (see openSqliteDatabase's `tool` mode). */
export interface DatabaseForTools {
  readonly packages: PackageStore;
  readonly accounts: AccountStore;
  readonly keys: ApiKeyStore;
  readonly reservations: ReservationStore;
  readonly webhooks: WebhookStore;
  readonly organizations: OrganizationStore;
  readonly feeds: FeedStore;
  readonly events: EventLog;
  readonly database: MetadataDatabase;
  close(): void;
}

export function openDatabaseForTools(databaseFile: string, mode: 'read' | 'write'): DatabaseForTools {
  const database = openSqliteDatabase(databaseFile, { tool: mode });
  const writer = new SqliteWriter(database);
  return {
    packages: new SqlitePackageStore(writer, nugetReadDocuments),
    accounts: new SqliteAccountStore(writer),
    keys: new SqliteApiKeyStore(writer),
    reservations: new SqliteReservationStore(writer),
    webhooks: new SqliteWebhookStore(writer),
    organizations: new SqliteOrganizationStore(writer),
    feeds: new SqliteFeedStore(writer),
    events: new SqliteEventLog(() => writer.reading()),
    database: new SqliteMetadataDatabase(database),
    close: () => database.close(),
  };
}

/** nodemailer is imported only when mail is configured: a server without it never loads it. */
async function smtpSender(smtpUrl: string) {
  const { SmtpMailSender } = await import('./adapters/smtp-mail-sender.ts');
  return new SmtpMailSender(smtpUrl);
}

export function blobStoreAt(folder: string): BlobStore {
  return new FsBlobStore(folder);
}
