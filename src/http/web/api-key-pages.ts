/**
 * API keys, as nuget.org's page offers them: create one with a name, scopes, package globs and an expiry
 * and the account it acts for (the user or one of their organizations); the secret shown once, with a copy
 * button; see the others (never their secret), regenerate and revoke them. Creating and regenerating ask for
 * a fresh second factor.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { AppError } from '../../errors.ts';
import { createApiKey, regenerateApiKey } from '../../app/accounts/create-api-key.ts';
import { revokeApiKey } from '../../app/accounts/revoke-api-key.ts';
import { changeActorOf } from '../../app/events.ts';
import type { Actor } from '../../app/actor.ts';
import { API_KEY_SCOPES, API_KEY_SCOPE_DESCRIPTIONS } from '../../domain/api-key-scope.ts';
import type { StoredApiKey } from '../../app/accounts/ports.ts';
import { statusOf } from '../error-mapper.ts';
import { csrfField, html, type Html } from './html.ts';
import { seeOther, sendPage } from './respond.ts';
import { field, type FormBody } from './web-context.ts';
import type { WebDependencies } from './web-dependencies.ts';
import { allowAccountAction, freshCodeField } from './account-pages.ts';

const DAY_MS = 86_400_000;

type SessionActor = Extract<Actor, { kind: 'session' }>;

export function registerApiKeyPages(web: FastifyInstance, deps: WebDependencies): void {
  const { context } = deps;
  const maxDays = Math.max(1, Math.floor(deps.settings.apiKeyLifetimeMs / DAY_MS));

  const listPage = async (userId: number, now: Date) => {
    const keys = await deps.keys.listKeys(userId);
    return keys.map((key) => keyRow(key, now));
  };

  const render = async (request: Parameters<typeof context.caller>[0], reply: Parameters<typeof context.csrfToken>[1], message?: { kind: 'error' | 'notice'; text: string }, status = 200) => {
    const allowed = await allowAccountAction(deps, await context.caller(request), 'view-account', undefined, reply, '/account/api-keys');
    if ('answered' in allowed) return allowed.answered;
    const actor = allowed.caller.actor;
    const csrf = context.csrfToken(request, reply, actor);
    const now = deps.now();
    const scopes = API_KEY_SCOPES.map(
      (scope) => html`<label><input type="checkbox" name="scope" value="${scope}"${scope === 'push' ? html` checked` : html``}> ${API_KEY_SCOPE_DESCRIPTIONS[scope]} (<code>${scope}</code>)</label>`,
    );
    const rows = await listPage(actor.user.accountId, now);
    const memberships = await deps.organizations.memberships(actor.user.accountId);
    const owners = [actor.user.name, ...memberships.map((membership) => membership.organization.name)];
    const ownerField =
      memberships.length === 0
        ? html``
        : html`<label for="owner">Acts for</label>
  <select id="owner" name="owner">${owners.map((owner) => html`<option value="${owner}">${owner}</option>`)}</select>
  <p class="hint">A key acting for an organization pushes the organization's packages, and stops working if you leave it.</p>`;
    return sendPage(
      reply,
      { title: 'API keys', userName: actor.user.name, csrf, message },
      html`<h2>Create an API key</h2>
<form method="post" action="/account/api-keys">
  ${csrfField(csrf)}
  <label for="name">Name</label>
  <input id="name" name="name" type="text" required maxlength="64" placeholder="ci-push">
  <fieldset><legend>Scopes</legend>${scopes}</fieldset>
  <label for="globs">Packages</label>
  <textarea id="globs" name="globs" rows="3" aria-describedby="globs-hint" placeholder="Contoso.*"></textarea>
  <p class="hint" id="globs-hint">One package id or glob per line (<code>*</code> matches any run of characters). Empty: every package you own.</p>
  ${ownerField}
  <label for="days">Expires in (days)</label>
  <input id="days" name="days" type="number" min="1" max="${maxDays}" value="${maxDays}" required>
  ${freshCodeField(actor, now)}
  <button type="submit">Create</button>
</form>
<h2>Your keys</h2>
${rows.length === 0 ? html`<p>You have no API keys yet.</p>` : html`<table><thead><tr><th scope="col">Name</th><th scope="col">Scopes</th><th scope="col">Packages</th><th scope="col">Expires</th><th scope="col">Last used</th><th scope="col"></th></tr></thead><tbody>${rows.map((row) => row(csrf, freshCodeField(actor, now)))}</tbody></table>`}`,
      status,
    );
  };

  web.get('/account/api-keys', async (request, reply) => render(request, reply));

  /**
   * A form that makes a secret (create, regenerate): a fresh second factor asked, the secret shown once, a
   * refusal shown on the keys page.
   */
  const secretForm = (path: string, make: (actor: SessionActor, clientAddress: string | undefined, form: FormBody) => Promise<string>) => {
    web.post<{ Body: FormBody }>(path, async (request, reply) => {
      const caller = await context.caller(request);
      context.checkCsrf(request, caller.actor, request.body);
      try {
        const allowed = await allowAccountAction(deps, caller, 'create-api-key', request.body, reply, '/account/api-keys');
        if ('answered' in allowed) return allowed.answered;
        const actor = allowed.caller.actor;
        const secret = await make(actor, allowed.caller.clientAddress, request.body);
        return secretPage(reply, actor.user.name, context.csrfToken(request, reply, actor), secret);
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        return render(request, reply, { kind: 'error', text: error.message }, statusOf(error.code));
      }
    });
  };

  secretForm('/account/api-keys', async (actor, clientAddress, form) => {
    const days = Number(field(form, 'days'));
    if (!Number.isInteger(days) || days < 1 || days > maxDays) throw new AppError('INVALID_REQUEST', `A key may live from 1 to ${maxDays} days.`);
    const created = await createApiKey(
      { accounts: deps.accounts, keys: deps.keys, organizations: deps.organizations, feeds: deps.feeds, now: deps.now, maxLifetimeMs: deps.settings.apiKeyLifetimeMs },
      changeActorOf(actor, clientAddress),
      {
        userName: actor.user.name,
        name: field(form, 'name'),
        scopes: form.scope ?? [],
        patterns: field(form, 'globs').split(/[\r\n,]+/).map((line) => line.trim()).filter((line) => line !== ''),
        lifetimeMs: days * DAY_MS,
        ownerName: field(form, 'owner'),
      },
    );
    return created.secret;
  });

  secretForm('/account/api-keys/regenerate', async (actor, clientAddress, form) => {
    const regenerated = await regenerateApiKey(
      { accounts: deps.accounts, keys: deps.keys, now: deps.now, maxLifetimeMs: deps.settings.apiKeyLifetimeMs },
      changeActorOf(actor, clientAddress),
      { userName: actor.user.name, name: field(form, 'name'), lifetimeMs: undefined },
    );
    return regenerated.secret;
  });

  web.post<{ Body: FormBody }>('/account/api-keys/revoke', async (request, reply) => {
    const caller = await context.caller(request);
    context.checkCsrf(request, caller.actor, request.body);
    const allowed = await allowAccountAction(deps, caller, 'revoke-api-key', request.body, reply, '/account/api-keys');
    if ('answered' in allowed) return allowed.answered;
    const actor = allowed.caller.actor;
    await revokeApiKey({ accounts: deps.accounts, keys: deps.keys, now: deps.now }, changeActorOf(actor, allowed.caller.clientAddress), {
      userName: actor.user.name,
      name: field(request.body, 'name'),
    });
    return seeOther(reply, '/account/api-keys');
  });
}

/** The new secret, shown this once with a copy button. */
function secretPage(reply: FastifyReply, userName: string, csrf: string, secret: string): FastifyReply {
  return sendPage(
    reply,
    { title: 'Your new API key', userName, csrf, message: { kind: 'notice', text: 'Copy the key now: it is shown only once. Pallet keeps only a hash of it.' } },
    html`<p><code class="secret" id="new-api-key">${secret}</code></p>
<button type="button" data-copy="new-api-key" hidden>Copy the key</button>
<p>Push with it: <code>dotnet nuget push PACKAGE.nupkg -s SOURCE -k KEY</code></p>
<p><a href="/account/api-keys">Back to your API keys</a></p>`,
  );
}

function keyRow(key: StoredApiKey, now: Date) {
  const state = key.revokedAt !== undefined ? 'revoked' : key.expiresAt.getTime() <= now.getTime() ? 'expired' : undefined;
  return (csrf: string, freshCode: Html) => html`<tr>
<td>${key.name}${state === undefined ? '' : ` (${state})`}</td>
<td>${key.scopes.join(', ')}</td>
<td>${key.patterns.length === 0 ? 'all you own' : key.patterns.map((pattern) => pattern.text).join(', ')}</td>
<td>${key.expiresAt.toISOString().slice(0, 10)}</td>
<td>${key.lastUsedAt?.toISOString().slice(0, 10) ?? 'never'}</td>
<td>${state === 'revoked' ? '' : html`<form method="post" action="/account/api-keys/regenerate">${csrfField(csrf)}<input type="hidden" name="name" value="${key.name}">${freshCode}<button type="submit">Regenerate</button></form>`}${state === undefined ? html`<form method="post" action="/account/api-keys/revoke">${csrfField(csrf)}<input type="hidden" name="name" value="${key.name}"><button type="submit">Revoke</button></form>` : ''}</td>
</tr>`;
}
