/**
 * The web pages (the seed's "Account settings"), server-rendered in their own Fastify context: it alone
 * parses form bodies (the NuGet routes parse none), and every answer carries a strict Content-Security-Policy
 * (this server's own stylesheet and script only), no framing, no referrer and no caching. A refusal is
 * rendered as a page, not the NuGet client's plain text.
 */
import { readFileSync } from 'node:fs';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../errors.ts';
import { statusOf } from '../error-mapper.ts';
import { html, page } from './html.ts';
import { parseForm } from './web-context.ts';
import type { WebDependencies } from './web-dependencies.ts';
import { registerSignInPages } from './sign-in-pages.ts';
import { registerAccountPages } from './account-pages.ts';
import { registerApiKeyPages } from './api-key-pages.ts';
import { registerSetupPages } from './setup-pages.ts';
import { registerExternalSignInPages } from './external-sign-in-pages.ts';
import { registerOrganizationPages } from './organization-pages.ts';
import { registerAdminPages } from './admin-pages.ts';
import { registerInvitationPages } from './invitation-pages.ts';

/**
 * Forms post to this server only, and to the identity providers' origins: a sign-in button's POST is answered
 * with a redirect to the provider, and browsers hold that redirect to `form-action` too.
 */
function contentSecurityPolicy(formTargets: readonly string[]): string {
  const formAction = ["'self'", ...formTargets].join(' ');
  return `default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action ${formAction}; frame-ancestors 'none'; base-uri 'none'`;
}

const STATIC_FILES: Record<string, { type: string; body: Buffer }> = {
  'pallet.css': { type: 'text/css; charset=utf-8', body: readFileSync(new URL('./static/pallet.css', import.meta.url)) },
  'pallet.js': { type: 'text/javascript; charset=utf-8', body: readFileSync(new URL('./static/pallet.js', import.meta.url)) },
};

/** A form is small: a body past this is refused before it is parsed. */
const MAX_FORM_BYTES = 64 * 1024;

export function registerWebPages(server: FastifyInstance, deps: WebDependencies): void {
  const policy = contentSecurityPolicy(deps.formActionOrigins);
  void server.register(async (web) => {
    web.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: MAX_FORM_BYTES }, (_request, body, done) => {
      done(null, parseForm(body as string));
    });
    web.addHook('onSend', async (_request, reply, payload) => {
      reply.header('content-security-policy', policy);
      reply.header('x-frame-options', 'DENY');
      reply.header('x-content-type-options', 'nosniff');
      reply.header('referrer-policy', 'no-referrer');
      if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
      return payload;
    });
    web.setErrorHandler((error, request, reply) => renderError(error as Error, request, reply));

    web.get<{ Params: { file: string } }>('/static/:file', async (request, reply) => {
      const file = STATIC_FILES[request.params.file];
      if (file === undefined) throw new AppError('NOT_FOUND', 'There is no such file.');
      return reply.type(file.type).header('cache-control', 'public, max-age=3600').send(file.body);
    });
    registerSignInPages(web, deps);
    registerAccountPages(web, deps);
    registerApiKeyPages(web, deps);
    registerSetupPages(web, deps);
    registerExternalSignInPages(web, deps);
    registerOrganizationPages(web, deps);
    registerAdminPages(web, deps);
    registerInvitationPages(web, deps);
  });
}

function renderError(error: Error, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const status = error instanceof AppError ? statusOf(error.code) : ((error as { statusCode?: number }).statusCode ?? 500);
  const text = status >= 500 ? `Something went wrong (request ${request.id}); the server log has the details.` : error.message;
  if (status >= 500) request.log.error({ err: error }, 'page failed');
  else request.log.info({ status, reason: error.message, url: request.url }, 'page refused');
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .send(page({ title: status === 404 ? 'Not found' : 'Not possible', message: { kind: 'error', text } }, html`<p><a href="/account">Back to your account</a></p>`));
}
