/**
 * The administrators' pages: users (create, disable; whether each has two-factor authentication) and ID
 * prefix reservations (reserve for an owner, release). The same use cases as `pallet user`, `pallet prefix`
 * and the management API's admin routes; changes ask for a fresh second factor.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../errors.ts';
import type { Caller } from '../../app/actor.ts';
import { createUser } from '../../app/accounts/create-user.ts';
import { disableUser } from '../../app/accounts/manage-user.ts';
import { releasePrefix, reservePrefix } from '../../app/accounts/reserve-prefix.ts';
import { changeActorOf } from '../../app/events.ts';
import type { AccountAction } from '../../app/policy.ts';
import { statusOf } from '../error-mapper.ts';
import { allowAccountAction, freshCodeField } from './account-pages.ts';
import { csrfField, html, type Html } from './html.ts';
import { seeOther, sendPage } from './respond.ts';
import { field, type FormBody } from './web-context.ts';
import type { WebDependencies } from './web-dependencies.ts';

type Message = { kind: 'error' | 'notice'; text: string };
type SessionCaller = Extract<Awaited<ReturnType<typeof allowAccountAction>>, { caller: unknown }>['caller'];

export function registerAdminPages(web: FastifyInstance, deps: WebDependencies): void {
  const { context } = deps;

  /** A signed-in administrator, or the answer that sends anyone else away. */
  const administrator = async (request: FastifyRequest, reply: FastifyReply, action: AccountAction, form: FormBody | undefined, returnTo: string) => {
    const allowed = await allowAccountAction(deps, await context.caller(request), action, form, reply, returnTo);
    if ('answered' in allowed) return allowed;
    if (!allowed.caller.actor.user.isAdministrator) throw new AppError('FORBIDDEN', 'These pages are for administrators.');
    return allowed;
  };

  const usersPage = async (request: FastifyRequest, reply: FastifyReply, message?: Message, status = 200) => {
    const allowed = await administrator(request, reply, 'view-account', undefined, '/account/admin/users');
    if ('answered' in allowed) return allowed.answered;
    const actor = allowed.caller.actor;
    const csrf = context.csrfToken(request, reply, actor);
    const users = await deps.accounts.listUsers();
    const organizations = await deps.organizations.listOrganizations();
    const code = freshCodeField(actor, deps.now());
    const organizationRows = organizations.map(
      (each) => html`<tr><td><a href="/account/organizations/${encodeURIComponent(each.organization.name)}">${each.organization.name}</a></td><td>${String(each.members)}</td><td>${each.membersNeedTwoFactor ? 'required' : 'not required'}</td></tr>`,
    );
    const rows = users.map(
      (user) => html`<tr><td>${user.name}</td><td>${user.email ?? ''}</td><td>${user.isAdministrator ? 'administrator' : ''}</td><td>${user.totpEnabled ? 'on' : 'off'}</td><td>${user.disabledAt === undefined ? html`<form method="post" action="/account/admin/users/disable">${csrfField(csrf)}<input type="hidden" name="name" value="${user.name}">${code}<button type="submit">Disable</button></form>` : html`disabled ${user.disabledAt.toISOString().slice(0, 10)}`}</td></tr>`,
    );
    return sendPage(
      reply,
      { title: 'Users', userName: actor.user.name, csrf, message },
      html`${adminNav()}
<table><thead><tr><th scope="col">User</th><th scope="col">Email</th><th scope="col">Role</th><th scope="col">Two-factor</th><th scope="col"></th></tr></thead><tbody>${rows}</tbody></table>
<h2>Two-factor policy</h2>
<p>This server ${deps.settings.requireTwoFactor ? html`<strong>requires</strong>` : html`does not require`} two-factor authentication of every user (the <code>requireTwoFactor</code> setting). An organization can require it of its members: set it on the organization's page.</p>
${organizations.length === 0 ? html`<p>There are no organizations yet.</p>` : html`<table><thead><tr><th scope="col">Organization</th><th scope="col">Members</th><th scope="col">Two-factor for members</th></tr></thead><tbody>${organizationRows}</tbody></table>`}
<h2>Create a user</h2>
<form method="post" action="/account/admin/users">
  ${csrfField(csrf)}
  <label for="user-name">User name</label>
  <input id="user-name" name="name" type="text" required maxlength="64">
  <label for="user-email">Email</label>
  <input id="user-email" name="email" type="email" maxlength="254">
  <label for="user-password">Password (empty: sign-in through an identity provider only)</label>
  <input id="user-password" name="password" type="password" autocomplete="new-password" minlength="10">
  <label><input type="checkbox" name="administrator" value="on"> Administrator</label>
  ${code}
  <button type="submit">Create the user</button>
</form>`,
      status,
    );
  };

  const prefixesPage = async (request: FastifyRequest, reply: FastifyReply, message?: Message, status = 200) => {
    const allowed = await administrator(request, reply, 'view-account', undefined, '/account/admin/prefixes');
    if ('answered' in allowed) return allowed.answered;
    const actor = allowed.caller.actor;
    const csrf = context.csrfToken(request, reply, actor);
    const code = freshCodeField(actor, deps.now());
    const reservations = await deps.reservations.listReservations();
    const rows = reservations.map(
      (reservation) => html`<tr><td><code>${reservation.text}</code></td><td>${reservation.owner.name}</td><td>${reservation.createdAt.toISOString().slice(0, 10)}</td><td><form method="post" action="/account/admin/prefixes/release">${csrfField(csrf)}<input type="hidden" name="prefix" value="${reservation.text}"><input type="hidden" name="owner" value="${reservation.owner.name}">${code}<button type="submit">Release</button></form></td></tr>`,
    );
    return sendPage(
      reply,
      { title: 'ID prefix reservations', userName: actor.user.name, csrf, message },
      html`${adminNav()}
${reservations.length === 0 ? html`<p>No ID prefix is reserved.</p>` : html`<table><thead><tr><th scope="col">Prefix</th><th scope="col">Owner</th><th scope="col">Since</th><th scope="col"></th></tr></thead><tbody>${rows}</tbody></table>`}
<h2>Reserve a prefix</h2>
<form method="post" action="/account/admin/prefixes">
  ${csrfField(csrf)}
  <label for="prefix">Prefix (<code>Contoso.*</code>) or id</label>
  <input id="prefix" name="prefix" type="text" required maxlength="200">
  <label for="prefix-owner">Owner (a user or an organization)</label>
  <input id="prefix-owner" name="owner" type="text" required maxlength="64">
  ${code}
  <button type="submit">Reserve</button>
</form>`,
      status,
    );
  };

  /** Runs an administrator's change from a form; a refusal is shown on the page it came from. */
  const change = (path: string, render: typeof usersPage, run: (caller: SessionCaller, form: FormBody) => Promise<void>) => {
    web.post<{ Body: FormBody }>(path, async (request, reply) => {
      const caller: Caller = await context.caller(request);
      context.checkCsrf(request, caller.actor, request.body);
      try {
        const allowed = await administrator(request, reply, 'administer', request.body, path.replace(/\/(disable|release)$/, ''));
        if ('answered' in allowed) return allowed.answered;
        await run(allowed.caller, request.body);
        return seeOther(reply, path.replace(/\/(disable|release)$/, ''));
      } catch (error) {
        if (!(error instanceof AppError) || error.code === 'FORBIDDEN') throw error;
        return render(request, reply, { kind: 'error', text: error.message }, statusOf(error.code));
      }
    });
  };

  web.get('/account/admin/users', async (request, reply) => usersPage(request, reply));
  web.get('/account/admin/prefixes', async (request, reply) => prefixesPage(request, reply));
  change('/account/admin/users', usersPage, async (caller, form) => {
    const password = field(form, 'password');
    const email = field(form, 'email').trim();
    await createUser(deps, changeActorOf(caller.actor, caller.clientAddress), {
      name: field(form, 'name').trim(),
      email: email === '' ? undefined : email,
      isAdministrator: field(form, 'administrator') === 'on',
      password: password === '' ? undefined : password,
    });
  });
  change('/account/admin/users/disable', usersPage, async (caller, form) => {
    if (field(form, 'name').toLowerCase() === caller.actor.user.name.toLowerCase()) throw new AppError('CONFLICT', 'You cannot disable your own account.');
    await disableUser(deps, changeActorOf(caller.actor, caller.clientAddress), field(form, 'name'));
  });
  change('/account/admin/prefixes', prefixesPage, async (caller, form) => {
    await reservePrefix(deps, changeActorOf(caller.actor, caller.clientAddress), field(form, 'prefix').trim(), field(form, 'owner').trim());
  });
  change('/account/admin/prefixes/release', prefixesPage, async (caller, form) => {
    await releasePrefix(deps, changeActorOf(caller.actor, caller.clientAddress), field(form, 'prefix'), field(form, 'owner'));
  });
}

function adminNav(): Html {
  return html`<nav aria-label="Administration"><a href="/account/admin/users">Users</a> · <a href="/account/admin/prefixes">ID prefixes</a> · <a href="/account/organizations">Organizations</a></nav>`;
}
