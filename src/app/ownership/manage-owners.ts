/**
 * Co-owners, as on nuget.org: an owner invites another account, which becomes an owner when it accepts;
 * an owner removes another (never the last, so an id always has one). Changing owners is a signed-in
 * user's action, with a fresh second factor when they use one (or the configured administrator key's);
 * an API key never changes owners.
 * https://learn.microsoft.com/nuget/nuget-org/publish-a-package#managing-package-owners-on-nugetorg
 */
import { AppError } from '../../errors.ts';
import { lowerPackageId } from '../../domain/package-id.ts';
import type { Caller } from '../actor.ts';
import { changeActorOf } from '../events.ts';
import { authorizeAccount, type AccountPolicy } from '../policy.ts';
import type { AccountStore } from '../accounts/ports.ts';
import type { PackageStore } from '../ports.ts';
import type { OrganizationStore } from '../organizations/ports.ts';
import type { OwnershipStore, PendingInvitation } from './ports.ts';

export interface OwnershipDependencies {
  readonly accounts: AccountStore;
  readonly organizations: Pick<OrganizationStore, 'memberships' | 'role'>;
  readonly packages: PackageStore;
  readonly ownership: OwnershipStore;
  readonly policy: AccountPolicy;
  readonly now: () => Date;
}

/** The id's owners, once the caller is known to be allowed to change them. */
async function managedPackage(deps: OwnershipDependencies, caller: Caller, id: string) {
  const actor = caller.actor;
  if (actor.kind !== 'configured-key') {
    const decision = authorizeAccount(actor, 'manage-owners', deps.policy, deps.now());
    if (!decision.allowed) throw new AppError(actor.kind === 'session' ? 'FORBIDDEN' : 'UNAUTHENTICATED', actor.kind === 'api-key' ? 'Owners are changed by a signed-in user, not with an API key.' : decision.reason);
  }
  const idLower = lowerPackageId(id);
  const ownership = await deps.packages.ownership(idLower);
  if (!ownership.exists) throw new AppError('NOT_FOUND', `Package '${id}' was not found.`);
  if (actor.kind === 'session') {
    // An owner, an admin of an organization that owns it, or for an id without owners an administrator.
    const adminOf = (await deps.organizations.memberships(actor.user.accountId)).filter((membership) => membership.role === 'admin').map((membership) => membership.organization.accountId);
    const mayManage =
      ownership.ownerIds.includes(actor.user.accountId) ||
      ownership.ownerIds.some((ownerId) => adminOf.includes(ownerId)) ||
      (ownership.ownerIds.length === 0 && actor.user.isAdministrator);
    if (!mayManage) throw new AppError('FORBIDDEN', `Only an owner of '${id}' changes its owners.`);
  }
  return idLower;
}

export async function inviteOwner(deps: OwnershipDependencies, caller: Caller, request: { readonly id: string; readonly inviteeName: string }): Promise<void> {
  const idLower = await managedPackage(deps, caller, request.id);
  const invitee = await deps.accounts.findAccountByName(request.inviteeName);
  if (invitee === undefined || invitee.disabledAt !== undefined) throw new AppError('NOT_FOUND', `There is no account '${request.inviteeName}'.`);
  const by = caller.actor.kind === 'session' ? caller.actor.user : undefined;
  const outcome = await deps.ownership.invite(idLower, invitee.accountId, by?.accountId, {
    kind: 'ownership.invited',
    at: deps.now(),
    actor: changeActorOf(caller.actor, caller.clientAddress),
    subjectUserId: invitee.accountId,
    idLower,
    data: { id: request.id, invitee: invitee.name, by: by?.name ?? null },
  });
  if (outcome === 'already-owner') throw new AppError('CONFLICT', `'${invitee.name}' already owns '${request.id}'.`);
  if (outcome === 'pending') throw new AppError('CONFLICT', `'${invitee.name}' is already invited to own '${request.id}'.`);
}

/** The accounts a user accepts invitations for: themselves, and the organizations they are an admin of. */
async function acceptingFor(deps: OwnershipDependencies, user: { accountId: number; name: string }): Promise<{ accountId: number; name: string }[]> {
  const memberships = await deps.organizations.memberships(user.accountId);
  return [user, ...memberships.filter((membership) => membership.role === 'admin').map((membership) => membership.organization)];
}

/** The invitations waiting for the user, and for the organizations they are an admin of (`invitee` says which). */
export async function pendingInvitations(deps: OwnershipDependencies, caller: Caller): Promise<(PendingInvitation & { readonly invitee: string })[]> {
  if (caller.actor.kind !== 'session' && caller.actor.kind !== 'api-key') throw new AppError('UNAUTHENTICATED', 'Sign in to see your invitations.');
  const invitations = [];
  for (const account of await acceptingFor(deps, caller.actor.user)) {
    for (const invitation of await deps.ownership.pendingInvitations(account.accountId)) invitations.push({ ...invitation, invitee: account.name });
  }
  return invitations;
}

/** Accepts an invitation to the user, or to an organization they are an admin of: that account becomes an owner. */
export async function acceptInvitation(deps: OwnershipDependencies, caller: Caller, invitationId: number): Promise<void> {
  const actor = caller.actor;
  const decision = authorizeAccount(actor, 'accept-ownership', deps.policy, deps.now());
  if (!decision.allowed || actor.kind !== 'session') throw new AppError('UNAUTHENTICATED', 'Sign in to accept an invitation.');
  const at = deps.now();
  for (const account of await acceptingFor(deps, actor.user)) {
    const accepted = await deps.ownership.accept(invitationId, account.accountId, at, {
      kind: 'ownership.added',
      at,
      actor: changeActorOf(actor, caller.clientAddress),
      subjectUserId: actor.user.accountId,
      data: { owner: account.name },
    });
    if (accepted) return;
  }
  throw new AppError('NOT_FOUND', 'There is no such invitation for you.');
}

export async function removeOwner(deps: OwnershipDependencies, caller: Caller, request: { readonly id: string; readonly ownerName: string }): Promise<void> {
  const idLower = await managedPackage(deps, caller, request.id);
  const owner = await deps.accounts.findAccountByName(request.ownerName);
  if (owner === undefined) throw new AppError('NOT_FOUND', `There is no account '${request.ownerName}'.`);
  const outcome = await deps.ownership.removeOwner(idLower, owner.accountId, {
    kind: 'ownership.removed',
    at: deps.now(),
    actor: changeActorOf(caller.actor, caller.clientAddress),
    subjectUserId: owner.accountId,
    idLower,
    data: { id: request.id, owner: owner.name },
  });
  if (outcome === 'not-owner') throw new AppError('NOT_FOUND', `'${owner.name}' does not own '${request.id}'.`);
  if (outcome === 'last-owner') throw new AppError('CONFLICT', `'${owner.name}' is the last owner of '${request.id}'; add another owner first.`);
}

/**
 * Hands a package to an organization the caller is an admin of: the organization becomes an owner and the
 * caller (when an owner themselves) stops being one, in one transaction. No invitation is needed, as the
 * caller speaks for both sides.
 */
export async function transferToOrganization(deps: OwnershipDependencies, caller: Caller, request: { readonly id: string; readonly organization: string }): Promise<void> {
  const idLower = await managedPackage(deps, caller, request.id);
  const organization = await deps.accounts.findAccountByName(request.organization);
  if (organization === undefined || organization.kind !== 'organization') throw new AppError('NOT_FOUND', `There is no organization '${request.organization.slice(0, 64)}'.`);
  const actor = caller.actor;
  const user = actor.kind === 'session' ? actor.user : undefined;
  if (user !== undefined && !user.isAdministrator && (await deps.organizations.role(organization.accountId, user.accountId)) !== 'admin') {
    throw new AppError('FORBIDDEN', `Only an admin of '${organization.name}' transfers packages to it.`);
  }
  const at = deps.now();
  const changeActor = changeActorOf(actor, caller.clientAddress);
  const outcome = await deps.ownership.transfer(
    idLower,
    organization.accountId,
    user?.accountId,
    at,
    { kind: 'ownership.added', at, actor: changeActor, idLower, data: { id: request.id, owner: organization.name, transfer: true } },
    user === undefined ? undefined : { kind: 'ownership.removed', at, actor: changeActor, subjectUserId: user.accountId, idLower, data: { id: request.id, owner: user.name, transfer: true } },
  );
  if (outcome === 'already-owner') throw new AppError('CONFLICT', `'${organization.name}' already owns '${request.id}'.`);
}
