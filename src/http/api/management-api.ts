/**
 * The management API under `/api/v1`, in its own Fastify context (the only one parsing JSON bodies):
 * authenticated by the one authentication step (an API key as `Authorization: Bearer` or `X-NuGet-ApiKey`,
 * or the pages' session, whose writes must carry the page's CSRF token in `X-Pallet-CSRF`), each body
 * validated by its route's schema, every answer and refusal JSON, and the OpenAPI document generated from
 * the same route declarations.
 * https://spec.openapis.org/oas/v3.1.0
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AppError } from '../../errors.ts';
import type { Actor } from '../../app/actor.ts';
import { statusOf } from '../error-mapper.ts';
import type { WebContext } from '../web/web-context.ts';
import type { ApiAccess, ApiRoute } from './api-route.ts';

const MAX_JSON_BYTES = 64 * 1024;

function allowed(actor: Actor, access: ApiAccess): AppError | undefined {
  if (access === 'anyone') return undefined;
  if (actor.kind === 'anonymous') return new AppError('UNAUTHENTICATED', 'Send an API key (Authorization: Bearer KEY) or sign in.');
  if (actor.kind === 'session' && actor.awaitingSecondFactor) return new AppError('UNAUTHENTICATED', 'Finish signing in with your second factor first.');
  if (access === 'signed-in') return undefined;
  const administrator = actor.kind === 'configured-key' || actor.user.isAdministrator;
  return administrator ? undefined : new AppError('FORBIDDEN', 'This needs an administrator.');
}

/** OpenAPI's path form: `/api/v1/me/api-keys/{name}`. */
function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z]+)/g, '{$1}');
}

export function openApiDocument(routes: readonly ApiRoute[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const parameters = [...route.path.matchAll(/:([A-Za-z]+)/g)].map((match) => ({ name: match[1], in: 'path', required: true, schema: { type: 'string' } }));
    const operation: Record<string, unknown> = {
      summary: route.summary,
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(route.body === undefined ? {} : { requestBody: { required: true, content: { 'application/json': { schema: z.toJSONSchema(route.body) } } } }),
      responses: {
        [String(route.status ?? 200)]: { description: 'Done', content: { 'application/json': { schema: z.toJSONSchema(route.answer) } } },
        default: { description: 'A refusal', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
      },
      security: [{ apiKey: [] }, { bearer: [] }, { session: [] }],
      'x-pallet-access': route.access,
    };
    (paths[openApiPath(route.path)] ??= {})[route.method.toLowerCase()] = operation;
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Pallet management API', version: '1' },
    paths,
    components: {
      schemas: {
        Error: z.toJSONSchema(z.object({ error: z.object({ code: z.string(), message: z.string() }) })),
      },
      securitySchemes: {
        apiKey: { type: 'apiKey', in: 'header', name: 'X-NuGet-ApiKey' },
        bearer: { type: 'http', scheme: 'bearer' },
        session: { type: 'apiKey', in: 'cookie', name: 'pallet_session', description: 'The pages’ session; writes also need X-Pallet-CSRF' },
      },
    },
  };
}

export function registerManagementApi(server: FastifyInstance, routes: readonly ApiRoute[], context: WebContext): void {
  // Made on the first request for it: turning every schema into JSON Schema is start-up time no one waits for.
  let document: string | undefined;
  void server.register(async (api) => {
    api.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: MAX_JSON_BYTES }, (_request, body, done) => {
      try {
        done(null, JSON.parse(body as string));
      } catch {
        done(new AppError('INVALID_REQUEST', 'The body is not JSON.'), undefined);
      }
    });
    api.setErrorHandler((error, request, reply) => sendApiError(error as Error, request, reply));
    api.get('/api/v1/openapi.json', async (_request, reply) => reply.type('application/json; charset=utf-8').send((document ??= JSON.stringify(openApiDocument(routes)))));
    for (const route of routes) {
      api.route({
        method: route.method,
        url: route.path,
        handler: async (request, reply) => {
          const caller = await context.caller(request);
          const refusal = allowed(caller.actor, route.access);
          if (refusal) throw refusal;
          if (caller.actor.kind === 'session' && route.method !== 'GET') context.checkCsrfHeader(request, caller.actor);
          let body: unknown;
          if (route.body !== undefined) {
            const parsed = route.body.safeParse(request.body);
            if (!parsed.success) {
              const issues = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`).join('; ');
              throw new AppError('INVALID_REQUEST', `The body is not valid: ${issues}`);
            }
            body = parsed.data;
          }
          const answer = await route.handle({
            caller,
            params: request.params as Record<string, string>,
            query: request.query as Record<string, string | undefined>,
            body,
          });
          return reply.code(route.status ?? 200).type('application/json; charset=utf-8').header('cache-control', 'no-store').send(JSON.stringify(answer));
        },
      });
    }
  });
}

function sendApiError(error: Error, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const known = error instanceof AppError;
  const status = known ? statusOf(error.code) : ((error as { statusCode?: number }).statusCode ?? 500);
  // An AppError's words are meant for the caller, a 503 too (say, a setting the server lacks); only what nobody
  // foresaw is hidden behind the request id.
  const unforeseen = !known && status >= 500;
  if (unforeseen) request.log.error({ err: error }, 'management API request failed');
  else request.log.info({ status, reason: error.message, url: request.url }, 'request refused');
  const code = known ? error.code : status >= 500 ? 'INTERNAL' : 'INVALID_REQUEST';
  const message = unforeseen ? `Internal server error (request ${request.id}); the server log has the details.` : error.message;
  if (status === 401) reply.header('www-authenticate', 'Bearer realm="Pallet"');
  return reply.code(status).type('application/json; charset=utf-8').send(JSON.stringify({ error: { code, message } }));
}
