/**
 * Sign-in through the configured OpenID Connect providers, and linking or unlinking one's identities there.
 * The redirect URI each provider must know is `{publicUrl}/account/external/{provider}/callback`.
 * https://openid.net/specs/openid-connect-core-1_0.html#AuthRequest
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../errors.ts';
import { beginExternalSignIn, completeExternalSignIn, FLOW_LIFETIME_MS, unlinkIdentity } from '../../app/accounts/external-sign-in.ts';
import type { FlowPurpose } from '../../app/accounts/external-sign-in-ports.ts';
import { statusOf } from '../error-mapper.ts';
import { allowAccountAction } from './account-pages.ts';
import { html } from './html.ts';
import { redirectUriOf } from './provider-redirect-uri.ts';
import { safeNext, seeOther, sendPage } from './respond.ts';
import { signInChoices } from './sign-in-pages.ts';
import { field, type FormBody } from './web-context.ts';
import type { WebDependencies } from './web-dependencies.ts';

export function registerExternalSignInPages(web: FastifyInstance, deps: WebDependencies): void {
  const { context } = deps;
  const external = deps.externalSignIn;
  if (external === undefined) return;

  const start = async (request: FastifyRequest, reply: FastifyReply, provider: string, purpose: FlowPurpose, nextPath: string) => {
    const caller = await context.caller(request);
    const begun = await beginExternalSignIn(external, caller, { provider, purpose, nextPath, redirectUri: redirectUriOf(deps.baseUrlOf(request), provider) });
    context.setProviderFlow(request, reply, begun.browserToken, FLOW_LIFETIME_MS);
    // A provider whose sign-in page is on another origin than its issuer is not in the page's form-action:
    // the browser is handed a link instead of a redirect it would refuse.
    if (!deps.formActionOrigins.includes(new URL(begun.url).origin)) {
      return sendPage(reply, { title: 'Sign in' }, html`<p><a href="${begun.url}" id="continue">Continue to the identity provider</a></p>`);
    }
    return seeOther(reply, begun.url);
  };

  web.post<{ Params: { provider: string }; Body: FormBody }>('/account/external/:provider', async (request, reply) => {
    const actor = await context.actor(request);
    context.checkCsrf(request, actor, request.body);
    return start(request, reply, request.params.provider, 'sign-in', safeNext(field(request.body, 'next')));
  });

  web.get<{ Params: { provider: string } }>('/account/external/:provider/callback', async (request, reply) => {
    const caller = await context.caller(request);
    const provider = request.params.provider;
    const callbackUrl = new URL(redirectUriOf(deps.baseUrlOf(request), provider));
    const query = request.url.indexOf('?');
    if (query >= 0) callbackUrl.search = request.url.slice(query);
    const browserToken = context.providerFlow(request);
    context.clearProviderFlow(request, reply);
    try {
      const result = await completeExternalSignIn(external, caller, { provider, callbackUrl, browserToken, userAgent: request.headers['user-agent'] });
      if (result.kind === 'linked') return seeOther(reply, `/account?linked=${encodeURIComponent(provider)}`);
      // A new session id on every sign-in, as with a password.
      context.setSession(request, reply, result.token, deps.settings.sessionLifetimeMs);
      return seeOther(reply, result.awaitingSecondFactor ? `/account/two-factor?next=${encodeURIComponent(result.nextPath)}` : result.nextPath);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      request.log.info({ provider, reason: error.message, cause: error.cause instanceof Error ? error.cause.message : undefined }, 'sign-in through a provider refused');
      const signedIn = caller.actor.kind === 'session' && !caller.actor.awaitingSecondFactor;
      const body = signedIn ? html`<p><a href="/account">Back to your account</a></p>` : signInChoices(deps, context.csrfToken(request, reply, caller.actor), '/account');
      return sendPage(reply, { title: 'Sign in', message: { kind: 'error', text: error.message } }, body, statusOf(error.code));
    }
  });

  web.post<{ Body: FormBody }>('/account/identities/link', async (request, reply) => {
    const caller = await context.caller(request);
    context.checkCsrf(request, caller.actor, request.body);
    const allowed = await allowAccountAction(deps, caller, 'manage-identities', request.body, reply, '/account');
    if ('answered' in allowed) return allowed.answered;
    return start(request, reply, field(request.body, 'provider'), 'link', '/account');
  });

  web.post<{ Body: FormBody }>('/account/identities/unlink', async (request, reply) => {
    const caller = await context.caller(request);
    context.checkCsrf(request, caller.actor, request.body);
    const allowed = await allowAccountAction(deps, caller, 'manage-identities', request.body, reply, '/account');
    if ('answered' in allowed) return allowed.answered;
    await unlinkIdentity(
      {
        identities: external.identities,
        now: deps.now,
        passwordsAccepted: deps.settings.passwordSignIn,
        hasPassword: async (userId) => {
          const account = await deps.accounts.findAccountById(userId);
          return account !== undefined && (await deps.signIns.signInRecord(account.name))?.passwordHash !== undefined;
        },
      },
      allowed.caller,
      { provider: field(request.body, 'provider'), subject: field(request.body, 'subject') },
    );
    return seeOther(reply, '/account?changed=identities');
  });
}
