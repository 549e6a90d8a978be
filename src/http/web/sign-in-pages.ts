/** Sign in with a password (and sign up, where allowed), the second factor after it, and sign out (here, or everywhere). */
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../errors.ts';
import { signInWithPassword, signOut } from '../../app/accounts/sign-in.ts';
import { signUp } from '../../app/accounts/sign-up.ts';
import { proveSecondFactor } from '../../app/accounts/two-factor.ts';
import { clientAddressOf } from '../client-address.ts';
import { statusOf } from '../error-mapper.ts';
import { csrfField, html, type Html } from './html.ts';
import { safeNext, seeOther, sendPage } from './respond.ts';
import { field, type FormBody } from './web-context.ts';
import type { WebDependencies } from './web-dependencies.ts';

export function registerSignInPages(web: FastifyInstance, deps: WebDependencies): void {
  const { context } = deps;

  web.get<{ Querystring: { next?: string } }>('/account/sign-in', async (request, reply) => {
    const actor = await context.actor(request);
    const next = safeNext(request.query.next);
    if (actor.kind === 'session' && !actor.awaitingSecondFactor) return seeOther(reply, next);
    return sendPage(reply, { title: 'Sign in' }, signInChoices(deps, context.csrfToken(request, reply, actor), next));
  });

  web.post<{ Body: FormBody }>('/account/sign-in', async (request, reply) => {
    const actor = await context.actor(request);
    context.checkCsrf(request, actor, request.body);
    const next = safeNext(field(request.body, 'next'));
    try {
      const signedIn = await signInWithPassword(
        { signIns: deps.signIns, now: deps.now, settings: { passwords: deps.settings.passwordSignIn, sessionLifetimeMs: deps.settings.sessionLifetimeMs } },
        { name: field(request.body, 'name'), password: field(request.body, 'password'), clientAddress: clientAddressOf(request), userAgent: request.headers['user-agent'] },
      );
      // A new session id on every sign-in: whatever cookie the browser had before is replaced.
      context.setSession(request, reply, signedIn.token, deps.settings.sessionLifetimeMs);
      return seeOther(reply, signedIn.awaitingSecondFactor ? `/account/two-factor?next=${encodeURIComponent(next)}` : next);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      if (error.retryAfterSeconds !== undefined) reply.header('retry-after', String(error.retryAfterSeconds));
      const form = signInChoices(deps, context.csrfToken(request, reply, actor), next, field(request.body, 'name'));
      return sendPage(reply, { title: 'Sign in', message: { kind: 'error', text: error.message } }, form, statusOf(error.code));
    }
  });

  if (deps.settings.passwordSignUp) {
    web.get('/account/sign-up', async (request, reply) => {
      const actor = await context.actor(request);
      return sendPage(reply, { title: 'Create an account' }, signUpForm(context.csrfToken(request, reply, actor)));
    });

    web.post<{ Body: FormBody }>('/account/sign-up', async (request, reply) => {
      const actor = await context.actor(request);
      context.checkCsrf(request, actor, request.body);
      try {
        const signedUp = await signUp(
          { accounts: deps.accounts, signIns: deps.signIns, emails: deps.emails, emailKey: deps.emailKey, now: deps.now, settings: { allowed: true, sessionLifetimeMs: deps.settings.sessionLifetimeMs } },
          { name: field(request.body, 'name'), email: field(request.body, 'email'), password: field(request.body, 'password'), clientAddress: clientAddressOf(request), userAgent: request.headers['user-agent'] },
        );
        context.setSession(request, reply, signedUp.token, deps.settings.sessionLifetimeMs);
        return seeOther(reply, '/account?changed=email-sent');
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        if (error.retryAfterSeconds !== undefined) reply.header('retry-after', String(error.retryAfterSeconds));
        const form = signUpForm(context.csrfToken(request, reply, actor), field(request.body, 'name'), field(request.body, 'email'));
        return sendPage(reply, { title: 'Create an account', message: { kind: 'error', text: error.message } }, form, statusOf(error.code));
      }
    });
  }

  web.get<{ Querystring: { next?: string } }>('/account/two-factor', async (request, reply) => {
    const actor = await context.actor(request);
    if (actor.kind !== 'session') return seeOther(reply, '/account/sign-in');
    return sendPage(reply, { title: 'Two-factor authentication' }, codeForm(context.csrfToken(request, reply, actor), safeNext(request.query.next)));
  });

  web.post<{ Body: FormBody }>('/account/two-factor', async (request, reply) => {
    const caller = await context.caller(request);
    if (caller.actor.kind !== 'session') return seeOther(reply, '/account/sign-in');
    context.checkCsrf(request, caller.actor, request.body);
    const next = safeNext(field(request.body, 'next'));
    try {
      const proven = await proveSecondFactor({ signIns: deps.signIns, now: deps.now }, caller, field(request.body, 'code'));
      const left = proven.recoveryCodesLeft;
      return seeOther(reply, left === undefined ? next : `/account?recovery-codes-left=${left}`);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      if (error.code === 'TOO_MANY_REQUESTS') context.clearSession(request, reply);
      const form = codeForm(context.csrfToken(request, reply, caller.actor), next);
      return sendPage(reply, { title: 'Two-factor authentication', message: { kind: 'error', text: error.message } }, form, statusOf(error.code));
    }
  });

  for (const [path, everywhere] of [['/account/sign-out', false], ['/account/sign-out-everywhere', true]] as const) {
    web.post<{ Body: FormBody }>(path, async (request, reply) => {
      const caller = await context.caller(request);
      context.checkCsrf(request, caller.actor, request.body);
      await signOut({ signIns: deps.signIns, now: deps.now }, caller, everywhere);
      context.clearSession(request, reply);
      return seeOther(reply, '/account/sign-in');
    });
  }
}

/** The ways to sign in this server offers: the password form (unless turned off) and a button per identity provider. */
export function signInChoices(deps: WebDependencies, csrf: string, next: string, name = ''): Html {
  const providers = Object.entries(deps.externalSignIn?.providers ?? {});
  const buttons = providers.map(
    ([provider, policy]) => html`<form method="post" action="/account/external/${provider}" class="provider">
  ${csrfField(csrf)}
  <input type="hidden" name="next" value="${next}">
  <button type="submit">Sign in with ${policy.displayName}</button>
</form>`,
  );
  if (!deps.settings.passwordSignIn) return providers.length === 0 ? html`<p>This server accepts no passwords and has no identity provider configured.</p>` : html`${buttons}`;
  const signUpLink = deps.settings.passwordSignUp ? html`<p>No account yet? <a href="/account/sign-up">Create one</a>.</p>` : html``;
  return html`${passwordForm(csrf, next, name)}${providers.length === 0 ? html`` : html`<p class="or">or</p>${buttons}`}${signUpLink}`;
}

function signUpForm(csrf: string, name = '', email = ''): Html {
  return html`<form method="post" action="/account/sign-up">
  ${csrfField(csrf)}
  <label for="name">User name</label>
  <input id="name" name="name" type="text" autocomplete="username" required maxlength="64" value="${name}" autofocus>
  <p class="hint">Letters, digits, '.', '-' and '_'; it is shown as the owner of your packages.</p>
  <label for="email">Email</label>
  <input id="email" name="email" type="email" autocomplete="email" required maxlength="254" value="${email}">
  <p class="hint">We send a link to it: it becomes your account's once you open it.</p>
  <label for="password">Password</label>
  <input id="password" name="password" type="password" autocomplete="new-password" required minlength="10">
  <button type="submit">Create the account</button>
</form>`;
}

function passwordForm(csrf: string, next: string, name: string): Html {
  return html`<form method="post" action="/account/sign-in">
  ${csrfField(csrf)}
  <input type="hidden" name="next" value="${next}">
  <label for="name">User name</label>
  <input id="name" name="name" type="text" autocomplete="username" required value="${name}" autofocus>
  <label for="password">Password</label>
  <input id="password" name="password" type="password" autocomplete="current-password" required>
  <button type="submit">Sign in</button>
</form>`;
}

function codeForm(csrf: string, next: string) {
  return html`<form method="post" action="/account/two-factor">
  ${csrfField(csrf)}
  <input type="hidden" name="next" value="${next}">
  <label for="code">Code from your authenticator app</label>
  <input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" required autofocus>
  <p class="hint">Lost your device? Enter one of your recovery codes instead.</p>
  <button type="submit">Continue</button>
</form>`;
}
