/**
 * The management API's organizations: the user's memberships, creating one, its members (add, change a role,
 * remove or leave), handing a package to one, and for administrators the two-factor policy of its members.
 * The same use cases as the organization pages.
 */
import { z } from 'zod';
import { AppError } from '../../errors.ts';
import type { Caller } from '../../app/actor.ts';
import { changeActorOf } from '../../app/events.ts';
import { createOrganization, organizationMembers, removeMember, setMember, setMembersNeedTwoFactor, type OrganizationDependencies } from '../../app/organizations/manage-organizations.ts';
import { transferToOrganization, type OwnershipDependencies } from '../../app/ownership/manage-owners.ts';
import { authorizeAccount } from '../../app/policy.ts';
import { apiRoute, userOf, type ApiRoute } from './api-route.ts';

const role = z.enum(['admin', 'collaborator']);
const member = z.object({ name: z.string(), role, addedAt: z.string() });

function sessionUser(caller: Caller): { accountId: number; name: string } {
  if (caller.actor.kind !== 'session') throw new AppError('FORBIDDEN', 'Organizations are managed by a signed-in user, not with an API key.');
  return caller.actor.user;
}

export function organizationRoutes(deps: OrganizationDependencies, ownership: OwnershipDependencies): ApiRoute[] {
  return [
    apiRoute({
      method: 'GET',
      path: '/api/v1/me/organizations',
      summary: "The organizations the user is a member of, with the user's role",
      access: 'signed-in',
      answer: z.object({ organizations: z.array(z.object({ name: z.string(), displayName: z.string(), role, membersNeedTwoFactor: z.boolean() })) }),
      async handle({ caller }) {
        const memberships = await deps.organizations.memberships(userOf(caller.actor).accountId);
        return {
          organizations: memberships.map((each) => ({ name: each.organization.name, displayName: each.organization.displayName, role: each.role, membersNeedTwoFactor: each.membersNeedTwoFactor })),
        };
      },
    }),
    apiRoute({
      method: 'POST',
      path: '/api/v1/organizations',
      summary: 'Creates an organization; the signed-in user is its first admin',
      access: 'signed-in',
      status: 201,
      body: z.object({ name: z.string().min(1).max(64), displayName: z.string().max(100).optional(), email: z.string().max(254).optional() }).strict(),
      answer: z.object({ name: z.string(), admin: z.string() }),
      async handle({ caller, body }) {
        const user = sessionUser(caller);
        if (caller.actor.kind === 'session') {
          const decision = authorizeAccount(caller.actor, 'manage-organization', deps.policy, deps.now());
          if (!decision.allowed) throw new AppError('FORBIDDEN', decision.reason);
        }
        const created = await createOrganization(deps, changeActorOf(caller.actor, caller.clientAddress), { name: body.name, adminName: user.name, displayName: body.displayName, email: body.email });
        return { name: created.name, admin: user.name };
      },
    }),
    apiRoute({
      method: 'GET',
      path: '/api/v1/organizations/:name/members',
      summary: "An organization's members (for its members and administrators)",
      access: 'signed-in',
      answer: z.object({ organization: z.string(), members: z.array(member) }),
      async handle({ caller, params }) {
        const { organization, members } = await organizationMembers(deps, caller, params.name ?? '');
        return { organization: organization.name, members: members.map((each) => ({ name: each.user.name, role: each.role, addedAt: each.addedAt.toISOString() })) };
      },
    }),
    apiRoute({
      method: 'POST',
      path: '/api/v1/organizations/:name/members',
      summary: "Adds a user to the organization, or changes a member's role (an admin of it)",
      access: 'signed-in',
      body: z.object({ name: z.string().min(1).max(64), role }).strict(),
      answer: z.object({ member: z.string(), role, outcome: z.enum(['added', 'changed', 'unchanged']) }),
      async handle({ caller, params, body }) {
        const outcome = await setMember(deps, caller, { organization: params.name ?? '', userName: body.name, role: body.role });
        return { member: body.name, role: body.role, outcome };
      },
    }),
    apiRoute({
      method: 'DELETE',
      path: '/api/v1/organizations/:name/members/:member',
      summary: 'Removes a member (an admin), or leaves (the member); never the last admin',
      access: 'signed-in',
      answer: z.object({ removed: z.string() }),
      async handle({ caller, params }) {
        await removeMember(deps, caller, { organization: params.name ?? '', userName: params.member ?? '' });
        return { removed: params.member ?? '' };
      },
    }),
    apiRoute({
      method: 'POST',
      path: '/api/v1/admin/organizations/:name/two-factor',
      summary: "Sets whether the organization's members must use two-factor authentication (walked through enrolment at their next page)",
      access: 'administrator',
      body: z.object({ required: z.boolean() }).strict(),
      answer: z.object({ organization: z.string(), membersNeedTwoFactor: z.boolean() }),
      async handle({ caller, params, body }) {
        await setMembersNeedTwoFactor(deps, caller, { organization: params.name ?? '', required: body.required });
        return { organization: params.name ?? '', membersNeedTwoFactor: body.required };
      },
    }),
    apiRoute({
      method: 'POST',
      path: '/api/v1/packages/:id/transfer',
      summary: 'Hands the package to an organization the caller is an admin of: it becomes an owner and the caller stops being one',
      access: 'signed-in',
      body: z.object({ organization: z.string().min(1).max(64) }).strict(),
      answer: z.object({ package: z.string(), owner: z.string() }),
      async handle({ caller, params, body }) {
        await transferToOrganization(ownership, caller, { id: params.id ?? '', organization: body.organization });
        return { package: params.id ?? '', owner: body.organization };
      },
    }),
  ];
}
