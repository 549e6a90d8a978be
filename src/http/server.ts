/** Builds the Fastify instance: routing rules NuGet clients need, body handling, errors and routes. */
import Fastify, { type FastifyInstance } from 'fastify';
import { handleError, sendError } from './error-mapper.ts';
import type { RouteDependencies } from './route-dependencies.ts';
import { registerServiceIndexRoutes } from './routes/service-index.ts';
import { registerPackageContentRoutes } from './routes/package-content.ts';
import { registerRegistrationRoutes } from './routes/registration.ts';
import { registerSearchRoutes } from './routes/search.ts';
import { registerPublishRoutes } from './routes/publish.ts';
import { registerPageRoutes } from './routes/pages.ts';

export function buildHttpServer(deps: RouteDependencies): FastifyInstance {
  const server = Fastify({
    loggerInstance: deps.log,
    // The client adds a trailing slash to the publish URL: PUT {PackagePublish}/.
    routerOptions: { ignoreTrailingSlash: true, caseSensitive: true, maxParamLength: 500 },
    // GET routes declare HEAD themselves (see readRoute), so a HEAD never opens a blob stream.
    exposeHeadRoutes: false,
    // Long enough for a 250 MiB push over a slow link, short enough that a stalled client is let go.
    requestTimeout: 60 * 60 * 1000,
    // Router-level refusals (a path too long, bad percent-encoding) answer like every other error.
    frameworkErrors: (error, _request, reply) => {
      void sendError(reply, error.statusCode ?? 400, `The request cannot be handled: ${error.message}`);
    },
  });

  // Push bodies are streamed by http/upload.ts; leave them unread here so no parser buffers them.
  server.removeAllContentTypeParsers();
  server.addContentTypeParser('*', (_request, _payload, done) => done(null));

  server.setErrorHandler(handleError);
  server.setNotFoundHandler((request, reply) => sendError(reply, 404, `Nothing is served at ${request.method} ${request.url.split('?')[0]}.`));

  registerServiceIndexRoutes(server, deps);
  registerPackageContentRoutes(server, deps);
  registerRegistrationRoutes(server, deps);
  registerSearchRoutes(server, deps);
  registerPublishRoutes(server, deps);
  registerPageRoutes(server, deps);
  return server;
}
