/**
 * Organizations and their members (nuget.org's "Manage organizations"): the user's organizations and a form to
 * create one; an organization's members, where its admins add users, change roles and remove members, any
 * member leaves, and the server's administrators set whether members must use two-factor authentication.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../errors.ts';
import { changeActorOf } from '../../app/events.ts';
import { createOrganization, organizationMembers, removeMember, setMember, setMembersNeedTwoFactor } from '../../app/organizations/manage-organizations.ts';
import { statusOf } from '../error-mapper.ts';
import { allowAccountAction } from './account-pages.ts';
import { csrfField, html } from './html.ts';
import { seeOther, sendPage } from './respond.ts';
import { field, type FormBody } from './web-context.ts';
import type { WebDependencies } from './web-dependencies.ts';

type Message = { kind: 'error' | 'notice'; text: string };

export function registerOrganizationPages(web: FastifyInstance, deps: WebDependencies): void {
  const { context } = deps;
  const organizationDeps = { accounts: deps.accounts, organizations: deps.organizations, policy: { requireTwoFactor: deps.settings.requireTwoFactor }, now: deps.now };
  const pathOf = (name: string) => `/account/organizations/${encodeURIComponent(name)}`;

  const listPage = async (request: FastifyRequest, reply: FastifyReply, message?: Message, status = 200) => {
    const allowed = await allowAccountAction(deps, await context.caller(request), 'view-account', undefined, reply, '/account/organizations');
    if ('answered' in allowed) return allowed.answered;
    const actor = allowed.caller.actor;
    const csrf = context.csrfToken(request, reply, actor);
    const memberships = await deps.organizations.memberships(actor.user.accountId);
    const rows = memberships.map(
      (membership) => html`<tr><td><a href="${pathOf(membership.organization.name)}">${membership.organization.name}</a></td><td>${membership.role}</td><td>${membership.membersNeedTwoFactor ? 'required' : ''}</td></tr>`,
    );
    return sendPage(
      reply,
      { title: 'Organizations', userName: actor.user.name, csrf, message },
      html`${memberships.length === 0 ? html`<p>You are not a member of any organization.</p>` : html`<table><thead><tr><th scope="col">Organization</th><th scope="col">Your role</th><th scope="col">Two-factor</th></tr></thead><tbody>${rows}</tbody></table>`}
<h2>Create an organization</h2>
<form method="post" action="/account/organizations">
  ${csrfField(csrf)}
  <label for="org-name">Name</label>
  <input id="org-name" name="name" type="text" required maxlength="64" placeholder="Contoso">
  <p class="hint">Packages, keys and ID prefixes can belong to the organization; you are its first admin.</p>
  <button type="submit">Create the organization</button>
</form>`,
      status,
    );
  };

  const organizationPage = async (request: FastifyRequest<{ Params: { name: string } }>, reply: FastifyReply, message?: Message, status = 200) => {
    const allowed = await allowAccountAction(deps, await context.caller(request), 'view-account', undefined, reply, pathOf(request.params.name));
    if ('answered' in allowed) return allowed.answered;
    const { caller } = allowed;
    const actor = caller.actor;
    const csrf = context.csrfToken(request, reply, actor);
    const { organization, members } = await organizationMembers(organizationDeps, caller, request.params.name);
    const myRole = members.find((member) => member.user.accountId === actor.user.accountId)?.role;
    const manages = myRole === 'admin' || actor.user.isAdministrator;
    const memberships = await deps.organizations.memberships(actor.user.accountId);
    const needsTwoFactor = memberships.find((membership) => membership.organization.accountId === organization.accountId)?.membersNeedTwoFactor;
    const action = `${pathOf(organization.name)}/members`;
    const rows = members.map((member) => {
      const other = member.role === 'admin' ? 'collaborator' : 'admin';
      const controls = manages
        ? html`<form method="post" action="${action}">${csrfField(csrf)}<input type="hidden" name="name" value="${member.user.name}"><input type="hidden" name="role" value="${other}"><button type="submit">Make ${other}</button></form>
<form method="post" action="${action}/remove">${csrfField(csrf)}<input type="hidden" name="name" value="${member.user.name}"><button type="submit">${member.user.accountId === actor.user.accountId ? 'Leave' : 'Remove'}</button></form>`
        : member.user.accountId === actor.user.accountId
          ? html`<form method="post" action="${action}/remove">${csrfField(csrf)}<input type="hidden" name="name" value="${member.user.name}"><button type="submit">Leave</button></form>`
          : html``;
      return html`<tr><td>${member.user.name}</td><td>${member.role}</td><td>${member.addedAt.toISOString().slice(0, 10)}</td><td>${controls}</td></tr>`;
    });
    const addForm = manages
      ? html`<h2>Add a member</h2>
<form method="post" action="${action}">
  ${csrfField(csrf)}
  <label for="member-name">User name</label>
  <input id="member-name" name="name" type="text" required maxlength="64">
  <label for="member-role">Role</label>
  <select id="member-role" name="role"><option value="collaborator">collaborator: pushes and unlists the organization's packages</option><option value="admin">admin: also manages members and owners</option></select>
  <button type="submit">Add</button>
</form>`
      : html``;
    const policyForm = actor.user.isAdministrator
      ? html`<h2>Two-factor policy</h2>
<form method="post" action="${pathOf(organization.name)}/two-factor">
  ${csrfField(csrf)}
  <label><input type="checkbox" name="required" value="on"${needsTwoFactor === true ? html` checked` : html``}> Members must use two-factor authentication</label>
  <button type="submit">Save the policy</button>
</form>`
      : html``;
    return sendPage(
      reply,
      { title: `Organization ${organization.name}`, userName: actor.user.name, csrf, message },
      html`<table><thead><tr><th scope="col">Member</th><th scope="col">Role</th><th scope="col">Since</th><th scope="col"></th></tr></thead><tbody>${rows}</tbody></table>
${addForm}
${policyForm}
<p><a href="/account/organizations">All your organizations</a></p>`,
      status,
    );
  };

  /** Runs a change from a form; a refusal is shown on the page it came from. */
  const change = async (request: FastifyRequest<{ Params: { name: string }; Body: FormBody }>, reply: FastifyReply, run: (caller: Awaited<ReturnType<typeof context.caller>>) => Promise<string>) => {
    const caller = await context.caller(request);
    context.checkCsrf(request, caller.actor, request.body);
    const allowed = await allowAccountAction(deps, caller, 'manage-organization', request.body, reply, pathOf(request.params.name));
    if ('answered' in allowed) return allowed.answered;
    try {
      return seeOther(reply, await run(allowed.caller));
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      return organizationPage(request, reply, { kind: 'error', text: error.message }, statusOf(error.code));
    }
  };

  web.get('/account/organizations', async (request, reply) => listPage(request, reply));

  web.post<{ Body: FormBody }>('/account/organizations', async (request, reply) => {
    const caller = await context.caller(request);
    context.checkCsrf(request, caller.actor, request.body);
    const allowed = await allowAccountAction(deps, caller, 'manage-organization', request.body, reply, '/account/organizations');
    if ('answered' in allowed) return allowed.answered;
    try {
      const created = await createOrganization(organizationDeps, changeActorOf(allowed.caller.actor, allowed.caller.clientAddress), {
        name: field(request.body, 'name').trim(),
        adminName: allowed.caller.actor.user.name,
      });
      return seeOther(reply, pathOf(created.name));
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      return listPage(request, reply, { kind: 'error', text: error.message }, statusOf(error.code));
    }
  });

  web.get<{ Params: { name: string } }>('/account/organizations/:name', async (request, reply) => organizationPage(request, reply));

  web.post<{ Params: { name: string }; Body: FormBody }>('/account/organizations/:name/members', async (request, reply) =>
    change(request, reply, async (caller) => {
      await setMember(organizationDeps, caller, { organization: request.params.name, userName: field(request.body, 'name').trim(), role: field(request.body, 'role') });
      return pathOf(request.params.name);
    }),
  );

  web.post<{ Params: { name: string }; Body: FormBody }>('/account/organizations/:name/members/remove', async (request, reply) =>
    change(request, reply, async (caller) => {
      const name = field(request.body, 'name');
      await removeMember(organizationDeps, caller, { organization: request.params.name, userName: name });
      const left = caller.actor.kind === 'session' && caller.actor.user.name.toLowerCase() === name.toLowerCase();
      return left ? '/account/organizations' : pathOf(request.params.name);
    }),
  );

  web.post<{ Params: { name: string }; Body: FormBody }>('/account/organizations/:name/two-factor', async (request, reply) =>
    change(request, reply, async (caller) => {
      await setMembersNeedTwoFactor(organizationDeps, caller, { organization: request.params.name, required: field(request.body, 'required') === 'on' });
      return pathOf(request.params.name);
    }),
  );
}
