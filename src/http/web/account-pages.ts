/** Account settings: the profile, two-factor authentication (enrol with a QR code, recovery codes, turn off) and the open sessions. */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { AppError } from '../../errors.ts';
import type { Actor, Caller } from '../../app/actor.ts';
import { authorizeAccount, type AccountAction } from '../../app/policy.ts';
import { beginTotpEnrolment, confirmTotpEnrolment, disableTwoFactor, pendingTotpEnrolment, proveSecondFactor } from '../../app/accounts/two-factor.ts';
import { statusOf } from '../error-mapper.ts';
import { changeOwnPassword, setOwnDisplayName } from '../../app/accounts/manage-user.ts';
import { confirmEmailChange, requestEmailChange } from '../../app/accounts/change-email.ts';
import { clientAddressOf } from '../client-address.ts';
import { Html, csrfField, html } from './html.ts';
import { nextStep, seeOther, sendPage } from './respond.ts';
import { field, type FormBody } from './web-context.ts';
import type { WebDependencies } from './web-dependencies.ts';

type SessionActor = Extract<Actor, { kind: 'session' }>;

/** The notice after a change of the account page's forms, by `?changed=`. */
const CHANGED = new Map([
  ['password', 'Your password is changed; your other sessions have ended.'],
  ['emails', 'Your email choices are saved.'],
  ['identities', 'The identity is unlinked: it no longer signs you in.'],
  ['profile', 'Your display name is saved.'],
  ['email-sent', 'We sent a link to the new address: your email changes once you open it (within a day).'],
]);

/** The form field that proves a fresh second factor for a sensitive action, when the session needs one. */
export function freshCodeField(actor: SessionActor, now: Date): Html {
  const fresh = authorizeAccount(actor, 'create-api-key', { requireTwoFactor: false }, now).allowed;
  if (fresh) return html``;
  return html`<label for="code">Code from your authenticator app</label>
<input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" required>
<p class="hint">This change asks for your second factor again.</p>`;
}

/**
 * Checks a sensitive action of a signed-in user, proving the code the form carries first when the session
 * needs a fresh one; returns the caller as it stands afterwards, or answers with the next step.
 */
export async function allowAccountAction(
  deps: WebDependencies,
  caller: Caller,
  action: AccountAction,
  form: FormBody | undefined,
  reply: FastifyReply,
  returnTo: string,
): Promise<{ caller: Caller & { actor: SessionActor } } | { answered: FastifyReply }> {
  const policy = { requireTwoFactor: deps.settings.requireTwoFactor };
  let decision = authorizeAccount(caller.actor, action, policy, deps.now());
  let actor = caller.actor;
  if (!decision.allowed && decision.next === 'fresh-second-factor' && actor.kind === 'session' && form !== undefined && field(form, 'code') !== '') {
    await proveSecondFactor({ signIns: deps.signIns, now: deps.now }, caller, field(form, 'code'));
    actor = { ...actor, secondFactorAt: deps.now(), awaitingSecondFactor: false };
    decision = authorizeAccount(actor, action, policy, deps.now());
  }
  if (!decision.allowed) {
    if (decision.next === 'fresh-second-factor' && form !== undefined) throw new AppError('UNAUTHENTICATED', decision.reason);
    return { answered: nextStep(reply, decision, returnTo) };
  }
  return { caller: { ...caller, actor: actor as SessionActor } };
}

export function registerAccountPages(web: FastifyInstance, deps: WebDependencies): void {
  const { context } = deps;

  web.get<{ Querystring: { 'recovery-codes-left'?: string; changed?: string; linked?: string } }>('/account', async (request, reply) => {
    const allowed = await allowAccountAction(deps, await context.caller(request), 'view-account', undefined, reply, '/account');
    if ('answered' in allowed) return allowed.answered;
    const actor = allowed.caller.actor;
    const account = await deps.accounts.findAccountById(actor.user.accountId);
    const sessions = await deps.signIns.listSessions(actor.user.accountId, deps.now());
    const csrf = context.csrfToken(request, reply, actor);
    const left = request.query['recovery-codes-left'];
    const linkedProvider = request.query.linked === undefined ? undefined : deps.externalSignIn?.providers[request.query.linked];
    const changed = linkedProvider === undefined ? CHANGED.get(request.query.changed ?? '') : `Your ${linkedProvider.displayName} identity is linked: it signs you in from now on.`;
    const message =
      left !== undefined
        ? { kind: 'notice' as const, text: `You used a recovery code; ${left} are left. Set up two-factor authentication again to get new ones.` }
        : changed === undefined
          ? undefined
          : { kind: 'notice' as const, text: changed };
    const twoFactor = actor.totpEnabled
      ? html`<p>Two-factor authentication is <strong>on</strong>.</p>
<form method="post" action="/account/two-factor/disable">${csrfField(csrf)}${freshCodeField(actor, deps.now())}<button type="submit">Turn off two-factor authentication</button></form>`
      : html`<p>Two-factor authentication is <strong>off</strong>${deps.settings.requireTwoFactor ? ', and this server requires it' : ''}.</p>
<p><a href="/account/two-factor/setup">Set up two-factor authentication</a></p>`;
    const rows = sessions.map(
      (session) => html`<tr><td>${session.createdAt.toISOString().slice(0, 16).replace('T', ' ')}</td><td>${session.clientAddress ?? ''}</td><td>${session.userAgent ?? ''}</td><td>${session.sessionId === actor.sessionId ? 'this one' : ''}</td></tr>`,
    );
    return sendPage(
      reply,
      { title: 'Account settings', userName: actor.user.name, csrf, message },
      html`<h2>Profile</h2>
<dl><dt>User name</dt><dd>${actor.user.name}</dd><dt>Display name</dt><dd>${account?.displayName ?? ''}</dd><dt>Email</dt><dd>${account?.email ?? 'none'}</dd></dl>
<form method="post" action="/account/profile">
  ${csrfField(csrf)}
  <label for="display-name">Display name</label>
  <input id="display-name" name="displayName" type="text" autocomplete="name" required maxlength="100" value="${account?.displayName ?? ''}">
  <button type="submit">Save</button>
</form>
<h2>Email</h2>
<form method="post" action="/account/email">
  ${csrfField(csrf)}
  <label for="new-email">New email address</label>
  <input id="new-email" name="email" type="email" autocomplete="email" required maxlength="254">
  ${freshCodeField(actor, deps.now())}
  <button type="submit">Change the email</button>
  <p class="hint">The address changes once you open the link we send to it.</p>
</form>
<h2>Two-factor authentication</h2>
${twoFactor}
${await identitiesSection(deps, actor, csrf)}
<h2>Password</h2>
<form method="post" action="/account/password">
  ${csrfField(csrf)}
  <input type="text" name="username" value="${actor.user.name}" autocomplete="username" hidden>
  <label for="current-password">Current password</label>
  <input id="current-password" name="current" type="password" autocomplete="current-password" required>
  <label for="new-password">New password</label>
  <input id="new-password" name="next" type="password" autocomplete="new-password" required minlength="10">
  ${freshCodeField(actor, deps.now())}
  <button type="submit">Change the password</button>
  <p class="hint">Your other sessions end when the password changes.</p>
</form>
<h2>Emails</h2>
<form method="post" action="/account/notifications">
  ${csrfField(csrf)}
  <fieldset><legend>Email me</legend>
  <label><input type="checkbox" name="publish" value="on"${account?.publishEmails === false ? html`` : html` checked`}> when a version of one of my packages is published</label>
  </fieldset>
  <button type="submit">Save</button>
</form>
<h2>API keys</h2>
<p><a href="/account/api-keys">Create and revoke API keys</a></p>
<h2>Organizations</h2>
<p><a href="/account/organizations">Your organizations and their members</a> · <a href="/account/invitations">Invitations to co-own packages</a></p>
${actor.user.isAdministrator ? html`<h2>Administration</h2>
<p><a href="/account/admin/users">Users</a> · <a href="/account/admin/prefixes">ID prefix reservations</a></p>` : html``}
<h2>Sessions</h2>
<table><thead><tr><th scope="col">Signed in</th><th scope="col">From</th><th scope="col">Browser</th><th scope="col"></th></tr></thead><tbody>${rows}</tbody></table>
<form method="post" action="/account/sign-out-everywhere">${csrfField(csrf)}<button type="submit">Sign out everywhere</button></form>`,
    );
  });

  web.post<{ Body: FormBody }>('/account/password', async (request, reply) => {
    const caller = await context.caller(request);
    context.checkCsrf(request, caller.actor, request.body);
    const allowed = await allowAccountAction(deps, caller, 'change-password', request.body, reply, '/account');
    if ('answered' in allowed) return allowed.answered;
    await changeOwnPassword({ accounts: deps.accounts, signIns: deps.signIns, now: deps.now }, allowed.caller, { current: field(request.body, 'current'), next: field(request.body, 'next') });
    return seeOther(reply, '/account?changed=password');
  });

  web.post<{ Body: FormBody }>('/account/profile', async (request, reply) => {
    const caller = await context.caller(request);
    context.checkCsrf(request, caller.actor, request.body);
    const allowed = await allowAccountAction(deps, caller, 'edit-profile', request.body, reply, '/account');
    if ('answered' in allowed) return allowed.answered;
    await setOwnDisplayName({ accounts: deps.accounts, now: deps.now }, allowed.caller, field(request.body, 'displayName'));
    return seeOther(reply, '/account?changed=profile');
  });

  web.post<{ Body: FormBody }>('/account/email', async (request, reply) => {
    const caller = await context.caller(request);
    context.checkCsrf(request, caller.actor, request.body);
    const allowed = await allowAccountAction(deps, caller, 'change-email', request.body, reply, '/account');
    if ('answered' in allowed) return allowed.answered;
    await requestEmailChange({ emails: deps.emails, now: deps.now, key: deps.emailKey }, allowed.caller, field(request.body, 'email'));
    return seeOther(reply, '/account?changed=email-sent');
  });

  // Opened from the email, maybe in another browser: the link's token is the proof, not a session.
  web.get<{ Querystring: { id?: string; token?: string } }>('/account/email/verify', async (request, reply) => {
    const id = request.query.id ?? '';
    const email = await confirmEmailChange({ emails: deps.emails, now: deps.now, key: deps.emailKey }, clientAddressOf(request), {
      verificationId: /^\d{1,15}$/.test(id) ? Number(id) : -1,
      token: request.query.token ?? '',
    });
    return sendPage(reply, { title: 'Email confirmed', message: { kind: 'notice', text: `Your email is now ${email}.` } }, html`<p><a href="/account">Your account</a></p>`);
  });

  web.post<{ Body: FormBody }>('/account/notifications', async (request, reply) => {
    const caller = await context.caller(request);
    context.checkCsrf(request, caller.actor, request.body);
    const allowed = await allowAccountAction(deps, caller, 'set-notifications', request.body, reply, '/account');
    if ('answered' in allowed) return allowed.answered;
    await deps.accounts.setPublishEmails(allowed.caller.actor.user.accountId, field(request.body, 'publish') === 'on');
    return seeOther(reply, '/account?changed=emails');
  });

  web.get('/account/two-factor/setup', async (request, reply) => {
    const allowed = await allowAccountAction(deps, await context.caller(request), 'enrol-two-factor', undefined, reply, '/account/two-factor/setup');
    if ('answered' in allowed) return allowed.answered;
    const { caller } = allowed;
    if (caller.actor.totpEnabled) return seeOther(reply, '/account');
    const enrolment =
      (await pendingTotpEnrolment({ signIns: deps.signIns, now: deps.now }, caller, deps.settings.issuer)) ??
      (await beginTotpEnrolment({ signIns: deps.signIns, now: deps.now }, caller, deps.settings.issuer));
    return sendPage(reply, { title: 'Set up two-factor authentication', userName: caller.actor.user.name, csrf: context.csrfToken(request, reply, caller.actor) }, await enrolmentBody(enrolment, context.csrfToken(request, reply, caller.actor)));
  });

  web.post<{ Body: FormBody }>('/account/two-factor/setup', async (request, reply) => {
    const caller = await context.caller(request);
    context.checkCsrf(request, caller.actor, request.body);
    const allowed = await allowAccountAction(deps, caller, 'enrol-two-factor', undefined, reply, '/account/two-factor/setup');
    if ('answered' in allowed) return allowed.answered;
    const csrf = context.csrfToken(request, reply, allowed.caller.actor);
    const layout = { title: 'Set up two-factor authentication', userName: allowed.caller.actor.user.name, csrf };
    try {
      const codes = await confirmTotpEnrolment({ signIns: deps.signIns, now: deps.now }, allowed.caller, field(request.body, 'code'));
      return sendPage(
        reply,
        { ...layout, title: 'Two-factor authentication is on', message: { kind: 'notice', text: 'Keep these recovery codes somewhere safe: each signs you in once if you lose your device. They are shown only now.' } },
        html`<ol class="codes" id="recovery-codes">${codes.map((code) => html`<li>${code}</li>`)}</ol>
<button type="button" data-copy="recovery-codes" hidden>Copy the codes</button>
<p><a href="/account">Back to your account</a></p>`,
      );
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      const enrolment = await pendingTotpEnrolment({ signIns: deps.signIns, now: deps.now }, allowed.caller, deps.settings.issuer);
      const body = enrolment === undefined ? html`<p><a href="/account/two-factor/setup">Start again</a></p>` : await enrolmentBody(enrolment, csrf);
      return sendPage(reply, { ...layout, message: { kind: 'error', text: error.message } }, body, statusOf(error.code));
    }
  });

  web.post<{ Body: FormBody }>('/account/two-factor/disable', async (request, reply) => {
    const caller = await context.caller(request);
    context.checkCsrf(request, caller.actor, request.body);
    const allowed = await allowAccountAction(deps, caller, 'disable-two-factor', request.body, reply, '/account');
    if ('answered' in allowed) return allowed.answered;
    await disableTwoFactor({ signIns: deps.signIns, now: deps.now }, allowed.caller);
    return seeOther(reply, '/account');
  });
}

async function enrolmentBody(enrolment: { secret: string; uri: string }, csrf: string): Promise<Html> {
  // qrcode is loaded with the first enrolment page, not at start; it draws the code as inline SVG, no request elsewhere.
  const { default: qrcode } = await import('qrcode');
  const svg = await qrcode.toString(enrolment.uri, { type: 'svg', margin: 2, errorCorrectionLevel: 'M' });
  return html`<ol>
<li>Scan this code with your authenticator app (or enter the key below).</li>
<li>Enter the six-digit code the app shows.</li>
</ol>
<figure class="qr" aria-label="QR code of the setup key">${new Html(svg)}</figure>
<p>Setup key: <code class="secret" id="totp-secret">${enrolment.secret}</code></p>
<p class="hint">Or open <a href="${enrolment.uri}" id="otpauth-uri">this otpauth link</a> on the device with the app.</p>
<form method="post" action="/account/two-factor/setup">
  ${csrfField(csrf)}
  <label for="code">Code from your authenticator app</label>
  <input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" required>
  <button type="submit">Turn on two-factor authentication</button>
</form>`;
}

/** The identities at providers that sign the user in, each with an unlink button, and a link button per provider. */
async function identitiesSection(deps: WebDependencies, actor: SessionActor, csrf: string): Promise<Html> {
  const external = deps.externalSignIn;
  if (external === undefined) return html``;
  const identities = await external.identities.identitiesOf(actor.user.accountId);
  const nameOf = (provider: string) => external.providers[provider]?.displayName ?? provider;
  const day = (date: Date | undefined) => (date === undefined ? 'never' : date.toISOString().slice(0, 16).replace('T', ' '));
  const rows = identities.map(
    (identity) => html`<tr><td>${nameOf(identity.provider)}</td><td>${identity.email ?? ''}</td><td>${day(identity.linkedAt)}</td><td>${day(identity.lastSignedInAt)}</td><td>
<form method="post" action="/account/identities/unlink">${csrfField(csrf)}<input type="hidden" name="provider" value="${identity.provider}"><input type="hidden" name="subject" value="${identity.subject}">${freshCodeField(actor, deps.now())}<button type="submit">Unlink</button></form></td></tr>`,
  );
  const links = Object.entries(external.providers).map(
    ([provider, policy]) => html`<form method="post" action="/account/identities/link">${csrfField(csrf)}<input type="hidden" name="provider" value="${provider}">${freshCodeField(actor, deps.now())}<button type="submit">Link a ${policy.displayName} identity</button></form>`,
  );
  const table =
    identities.length === 0
      ? html`<p>No identity at a provider signs you in yet.</p>`
      : html`<table><thead><tr><th scope="col">Provider</th><th scope="col">Email there</th><th scope="col">Linked</th><th scope="col">Last sign-in</th><th scope="col"></th></tr></thead><tbody>${rows}</tbody></table>`;
  return html`<h2>Linked identities</h2>
${table}
${links}
<p class="hint">Linking asks the provider to sign you in, and keeps you signed in here: both accounts are proven.</p>`;
}
