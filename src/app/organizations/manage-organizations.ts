/**
 * Organizations, as on nuget.org: a signed-in user creates one and is its first admin; admins add users as
 * admins or collaborators, change roles and remove members (an organization always keeps an admin), and a
 * member may leave. A key acts for an organization only while its holder is a member; packages owned by
 * the organization are pushed by any member's key and their owners managed by its admins. Administrators
 * of the server (and the configured key) may do all of it, and set whether members must use two-factor
 * authentication. https://learn.microsoft.com/nuget/nuget-org/organizations-on-nuget-org
 */
import { AppError } from '../../errors.ts';
import { accountNameProblem } from '../../domain/account-name.ts';
import type { AccountId, Caller } from '../actor.ts';
import { changeActorOf, type ChangeActor } from '../events.ts';
import { authorizeAccount, type AccountPolicy } from '../policy.ts';
import type { Account, AccountStore } from '../accounts/ports.ts';
import type { MemberRole, OrganizationStore } from './ports.ts';
import { MEMBER_ROLES } from './ports.ts';

export interface OrganizationDependencies {
  readonly accounts: AccountStore;
  readonly organizations: OrganizationStore;
  readonly policy: AccountPolicy;
  readonly now: () => Date;
}

async function organizationNamed(deps: OrganizationDependencies, name: string): Promise<Account> {
  const organization = await deps.accounts.findAccountByName(name);
  if (organization === undefined || organization.kind !== 'organization') throw new AppError('NOT_FOUND', `There is no organization '${name.slice(0, 64)}'.`);
  return organization;
}

async function userNamed(deps: OrganizationDependencies, name: string): Promise<Account> {
  const user = await deps.accounts.findAccountByName(name);
  if (user === undefined || user.kind !== 'user') throw new AppError('NOT_FOUND', `There is no user '${name.slice(0, 64)}'.`);
  return user;
}

function parseRole(text: string): MemberRole {
  if (!(MEMBER_ROLES as readonly string[]).includes(text)) throw new AppError('INVALID_REQUEST', `'${text.slice(0, 40)}' is not a role: use admin or collaborator.`);
  return text as MemberRole;
}

/** Refuses a caller who may not manage the organization: its admins, the server's administrators and the configured key may. */
async function requireAdmin(deps: OrganizationDependencies, caller: Caller, organization: Account): Promise<void> {
  const actor = caller.actor;
  if (actor.kind === 'configured-key') return;
  if (actor.kind !== 'session') throw new AppError(actor.kind === 'anonymous' ? 'UNAUTHENTICATED' : 'FORBIDDEN', 'Organizations are managed by a signed-in user, not with an API key.');
  const decision = authorizeAccount(actor, 'manage-organization', deps.policy, deps.now());
  if (!decision.allowed) throw new AppError('FORBIDDEN', decision.reason);
  if (actor.user.isAdministrator) return;
  if ((await deps.organizations.role(organization.accountId, actor.user.accountId)) !== 'admin') {
    throw new AppError('FORBIDDEN', `Only an admin of '${organization.name}' manages its members.`);
  }
}

/** Creates an organization with `adminName` as its first admin (the signed-in user, or any user from the command line). */
export async function createOrganization(
  deps: OrganizationDependencies,
  actor: ChangeActor,
  request: { readonly name: string; readonly adminName: string; readonly email?: string | undefined; readonly displayName?: string | undefined },
): Promise<Account> {
  const problem = accountNameProblem(request.name);
  if (problem) throw new AppError('INVALID_REQUEST', problem);
  const admin = await userNamed(deps, request.adminName);
  if (admin.disabledAt !== undefined) throw new AppError('FORBIDDEN', `The account '${admin.name}' is disabled.`);
  const createdAt = deps.now();
  const created = await deps.organizations.createOrganization(
    { name: request.name, displayName: request.displayName?.trim() || request.name, email: request.email, createdAt },
    admin.accountId,
    { kind: 'organization.created', at: createdAt, actor, subjectUserId: admin.accountId, data: { organization: request.name, admin: admin.name } },
  );
  if (created.outcome === 'name-taken') throw new AppError('CONFLICT', `The name '${request.name}' is taken by another account.`);
  return created.organization;
}

/** Adds a member, or changes a member's role. */
export async function setMember(
  deps: OrganizationDependencies,
  caller: Caller,
  request: { readonly organization: string; readonly userName: string; readonly role: string },
): Promise<'added' | 'changed' | 'unchanged'> {
  const organization = await organizationNamed(deps, request.organization);
  await requireAdmin(deps, caller, organization);
  const role = parseRole(request.role);
  const user = await userNamed(deps, request.userName);
  const at = deps.now();
  const outcome = await deps.organizations.setMember(organization.accountId, user.accountId, role, at, {
    kind: (await deps.organizations.role(organization.accountId, user.accountId)) === undefined ? 'organization.member-added' : 'organization.member-changed',
    at,
    actor: changeActorOf(caller.actor, caller.clientAddress),
    subjectUserId: user.accountId,
    data: { organization: organization.name, member: user.name, role },
  });
  if (outcome === 'last-admin') throw new AppError('CONFLICT', `'${user.name}' is the last admin of '${organization.name}'; make another member an admin first.`);
  return outcome;
}

/** Removes a member: an admin removes anyone, a member removes themselves (leaves); never the last admin. */
export async function removeMember(deps: OrganizationDependencies, caller: Caller, request: { readonly organization: string; readonly userName: string }): Promise<void> {
  const organization = await organizationNamed(deps, request.organization);
  const user = await userNamed(deps, request.userName);
  const leaving = caller.actor.kind === 'session' && caller.actor.user.accountId === user.accountId;
  if (!leaving) await requireAdmin(deps, caller, organization);
  const outcome = await deps.organizations.removeMember(organization.accountId, user.accountId, {
    kind: 'organization.member-removed',
    at: deps.now(),
    actor: changeActorOf(caller.actor, caller.clientAddress),
    subjectUserId: user.accountId,
    data: { organization: organization.name, member: user.name },
  });
  if (outcome === 'not-member') throw new AppError('NOT_FOUND', `'${user.name}' is not a member of '${organization.name}'.`);
  if (outcome === 'last-admin') throw new AppError('CONFLICT', `'${user.name}' is the last admin of '${organization.name}'; make another member an admin first.`);
}

/** The administrators' policy: whether every member of the organization must use two-factor authentication. */
export async function setMembersNeedTwoFactor(deps: OrganizationDependencies, caller: Caller, request: { readonly organization: string; readonly required: boolean }): Promise<void> {
  const actor = caller.actor;
  const isAdministrator = actor.kind === 'configured-key' || (actor.kind === 'session' && actor.user.isAdministrator && authorizeAccount(actor, 'manage-organization', deps.policy, deps.now()).allowed);
  if (!isAdministrator) throw new AppError('FORBIDDEN', "Only the server's administrators set an organization's two-factor policy.");
  const organization = await organizationNamed(deps, request.organization);
  await deps.organizations.setMembersNeedTwoFactor(organization.accountId, request.required, {
    kind: 'organization.two-factor-policy',
    at: deps.now(),
    actor: changeActorOf(actor, caller.clientAddress),
    data: { organization: organization.name, required: request.required },
  });
}

/** An organization's members, for its members and the server's administrators. */
export async function organizationMembers(deps: OrganizationDependencies, caller: Caller, name: string) {
  const organization = await organizationNamed(deps, name);
  const actor = caller.actor;
  const mayRead =
    actor.kind === 'configured-key' ||
    (actor.kind === 'session' && (actor.user.isAdministrator || (await deps.organizations.role(organization.accountId, actor.user.accountId)) !== undefined));
  if (!mayRead) throw new AppError('NOT_FOUND', `There is no organization '${name.slice(0, 64)}'.`);
  return { organization, members: await deps.organizations.members(organization.accountId) };
}

/** Whether the user is an admin of the organization (for managing the organization's packages' owners). */
export async function isOrganizationAdmin(organizations: Pick<OrganizationStore, 'role'>, organizationId: AccountId, userId: AccountId): Promise<boolean> {
  return (await organizations.role(organizationId, userId)) === 'admin';
}
