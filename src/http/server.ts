/** Builds the Fastify instance: routing rules NuGet clients need, body handling, errors and routes. */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from '../node-http.ts';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import { restoreFastPath, type FastPath } from './restore-fast-path.ts';
import { PackageDownloadAnswers } from './package-download-answers.ts';
import { handleError, sendError } from './error-mapper.ts';
import { drainUnreadBody } from './body-guard.ts';
import { clientErrorHandler } from './client-errors.ts';
import { clientAddressOf } from './client-address.ts';
import { isForwarded, registerForwardedWriteRoutes } from './forward-writes.ts';
import type { RouteDependencies } from './route-dependencies.ts';
import { registerHealthRoute, registerServiceIndexRoutes } from './routes/service-index.ts';
import { registerPackageContentRoutes } from './routes/package-content.ts';
import { registerRegistrationRoutes } from './routes/registration.ts';
import { registerSearchRoutes } from './routes/search.ts';
import { registerPublishRoutes } from './routes/publish.ts';
import { registerPageRoutes } from './routes/pages.ts';
import { feedScope, type FeedScope } from './feed-of.ts';
import { registerWebPages } from './web/web-pages.ts';
import { registerManagementApi } from './api/management-api.ts';

/** Fastify's own default: longer than the idle timeout of the proxies and clients in front. */
const KEEP_ALIVE_TIMEOUT_MS = 72_000;

/** A refused push may still be this far from its end; past it the client sees a reset, not the answer. */
const MIN_DRAIN_BYTES = 64 * 1024 * 1024;

/**
 * Node's HTTP server with Pallet's timeouts: trickled headers and bodies are cut off by Node (408 and
 * close), its check running well below the header timeout so the limit means what it says; a connection
 * with no traffic at all (a client that stopped reading a download) is closed after requestTimeout.
 */
function nodeServer(handler: (request: IncomingMessage, response: ServerResponse) => void, config: RouteDependencies['config'], fastPath: FastPath | undefined): Server {
  const server = createServer(
    {
      headersTimeout: config.headersTimeout,
      requestTimeout: config.requestTimeout,
      connectionsCheckingInterval: Math.max(100, Math.min(1000, config.headersTimeout / 4)),
      keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
    },
    fastPath === undefined
      ? handler
      : (request, response) => {
          let answered: boolean | Promise<boolean>;
          try {
            answered = fastPath(request, response);
          } catch {
            answered = false; // the framework answers and logs it: it runs the route, which meets the failure again
          }
          if (answered === true) return;
          if (answered === false) return handler(request, response);
          answered.then(
            (done) => done || handler(request, response),
            () => handler(request, response),
          );
        },
  );
  server.setTimeout(config.requestTimeout);
  return server;
}

/** What a route declaring a schema would get: a refusal at registration, with what to do instead. */
function noSchemaCompiler(): never {
  throw new Error("Pallet's routes declare no JSON schemas: parse and check the input in the handler (see server.ts)");
}

export function buildHttpServer(deps: RouteDependencies): FastifyInstance {
  const { config } = deps;
  // Behind a trusted proxy the protocol comes from its headers, and at debug level every request is logged:
  // both are the framework's work, so the fast path stands aside.
  const logRequests = deps.log.level === 'debug' || deps.log.level === 'trace';
  const downloads = config.accelRedirectPrefix === undefined && config.packageCacheSize > 0 ? new PackageDownloadAnswers(deps) : undefined;
  const fastPath = config.trustProxy === false && !logRequests ? restoreFastPath({ ...deps, downloads }) : undefined;
  const server = Fastify({
    loggerInstance: deps.log,
    // Fastify's two info lines per request cost more than a cached read itself; requests are logged at debug (below).
    logController: new LogController({ disableRequestLogging: true }),
    // The client adds a trailing slash to the publish URL: PUT {PackagePublish}/.
    routerOptions: { ignoreTrailingSlash: true, caseSensitive: true, maxParamLength: 500 },
    // GET routes declare HEAD themselves (see readRoute), so a HEAD never opens a blob stream.
    exposeHeadRoutes: false,
    // No route declares a JSON schema (handlers parse and check what they read), so no schema compiler is
    // ever asked for; Fastify's defaults would still load ajv and fast-json-stringify on every start (~35 ms).
    schemaController: { compilersFactory: { buildValidator: noSchemaCompiler, buildSerializer: noSchemaCompiler } },
    // The server is made here so the restore fast path sees each request first; Fastify sets no timeouts
    // on a server it did not make, so they are all set in nodeServer().
    serverFactory: (handler) => nodeServer(handler, config, fastPath),
    clientErrorHandler: clientErrorHandler(deps.log),
    // Behind a proxy, the client's address (in refusal logs) and protocol come from the proxy's headers.
    trustProxy: config.trustProxy,
    // Router-level refusals (a path too long, bad percent-encoding) answer like every other error.
    frameworkErrors: (error, _request, reply) => {
      void sendError(reply, error.statusCode ?? 400, `The request cannot be handled: ${error.message}`);
    },
  });

  // Push bodies are streamed by http/upload.ts; leave them unread here so no parser buffers them.
  server.removeAllContentTypeParsers();
  server.addContentTypeParser('*', (_request, _payload, done) => done(null));

  // An answer sent before its body was read (a refusal, a read with a body) leaves the client sending:
  // drain the rest, within bounds, so it reads the answer instead of a reset, and never hold the connection.
  server.addHook('onResponse', async (request, reply) => {
    if (logRequests) {
      request.log.debug({ method: request.method, url: request.url, statusCode: reply.statusCode, responseTimeMs: reply.elapsedTime }, 'request completed');
    }
    if (isForwarded(request)) return; // the primary process read (or drained) this body
    drainUnreadBody(request.raw, { maxBytes: Math.max(config.maxPackageSize, MIN_DRAIN_BYTES), windowMs: config.bodyTimeout }, (reason, bytes) =>
      request.log.info({ clientAddress: clientAddressOf(request), drainedBytes: bytes, reason }, 'connection closed after the answer'),
    );
  });

  server.setErrorHandler(handleError);
  server.setNotFoundHandler((request, reply) => sendError(reply, 404, `Nothing is served at ${request.method} ${request.url.split('?')[0]}.`));

  registerHealthRoute(server);
  // One set of NuGet routes for every feed: the gallery at the root, each other feed under /feeds/{name}.
  void server.register(async (gallery) => registerFeedRoutes(gallery, deps, feedScope(gallery, deps, () => undefined)));
  void server.register(
    async (named) => registerFeedRoutes(named, deps, feedScope(named, deps, (request) => (request.params as { feed?: string }).feed?.toLowerCase())),
    { prefix: '/feeds/:feed' },
  );
  registerWebPages(server, deps.web);
  registerManagementApi(server, deps.api, deps.web.context);
  return server;
}

/** The NuGet protocol's routes of one feed. */
function registerFeedRoutes(scope: FastifyInstance, deps: RouteDependencies, feed: FeedScope): void {
  registerServiceIndexRoutes(scope, feed);
  registerPackageContentRoutes(scope, deps, feed);
  registerRegistrationRoutes(scope, deps, feed);
  registerSearchRoutes(scope, deps, feed);
  if (deps.forwardWritesTo === undefined) registerPublishRoutes(scope, deps, feed);
  else registerForwardedWriteRoutes(scope, deps.forwardWritesTo);
  registerPageRoutes(scope, deps, feed);
}
