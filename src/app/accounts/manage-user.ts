/** An administrator's changes to a user: a new password, or disabling the account (its keys stop working at once). */
import { AppError } from '../../errors.ts';
import { hashPassword, newPasswordProblem, verifyAgainstNothing, verifyPassword } from '../../security/password-hash.ts';
import { changeActorOf, type ChangeActor } from '../events.ts';
import type { Caller } from '../actor.ts';
import type { SignInStore } from './sign-in-ports.ts';
import type { Account, AccountStore } from './ports.ts';

type Dependencies = { readonly accounts: AccountStore; readonly now: () => Date };

async function userNamed(accounts: AccountStore, name: string): Promise<Account> {
  const user = await accounts.findAccountByName(name);
  if (user === undefined || user.kind !== 'user') throw new AppError('NOT_FOUND', `There is no user '${name}'.`);
  return user;
}

export async function resetPassword(deps: Dependencies, actor: ChangeActor, name: string, password: string): Promise<void> {
  const problem = newPasswordProblem(password);
  if (problem) throw new AppError('INVALID_REQUEST', problem);
  const user = await userNamed(deps.accounts, name);
  await deps.accounts.setPasswordHash(user.accountId, await hashPassword(password), { kind: 'user.password-set', at: deps.now(), actor, data: { name: user.name } });
}

export async function setPublishEmails(deps: Dependencies, name: string, enabled: boolean): Promise<void> {
  const user = await userNamed(deps.accounts, name);
  await deps.accounts.setPublishEmails(user.accountId, enabled);
}

export async function disableUser(deps: Dependencies, actor: ChangeActor, name: string): Promise<void> {
  const user = await userNamed(deps.accounts, name);
  const at = deps.now();
  await deps.accounts.disableAccount(user.accountId, at, { kind: 'user.disabled', at, actor, data: { name: user.name } });
}

/**
 * A signed-in user's own password change: the current password proves it is them (the caller has checked
 * the fresh second factor), and every other session of theirs ends, as a stolen session must not outlive it.
 */
export async function changeOwnPassword(
  deps: Dependencies & { readonly signIns: SignInStore },
  caller: Caller,
  request: { readonly current: string; readonly next: string },
): Promise<void> {
  const actor = caller.actor;
  if (actor.kind !== 'session') throw new AppError('UNAUTHENTICATED', 'Sign in to change your password.');
  const record = await deps.signIns.signInRecord(actor.user.name);
  const verification = record?.passwordHash === undefined ? await verifyAgainstNothing(request.current) : await verifyPassword(request.current, record.passwordHash);
  if (!verification.ok) throw new AppError('UNAUTHENTICATED', 'The current password is wrong.');
  const problem = newPasswordProblem(request.next);
  if (problem) throw new AppError('INVALID_REQUEST', problem);
  const at = deps.now();
  const changeActor = changeActorOf(actor, caller.clientAddress);
  await deps.accounts.setPasswordHash(actor.user.accountId, await hashPassword(request.next), { kind: 'user.password-set', at, actor: changeActor, data: { name: actor.user.name } });
  await deps.signIns.revokeSessions(actor.user.accountId, at, { kind: 'user.signed-out', at, actor: changeActor, subjectUserId: actor.user.accountId, data: { reason: 'password changed' } }, actor.sessionId);
}

/** A signed-in user's display name: 1 to 100 characters, no control characters. */
export async function setOwnDisplayName(deps: Dependencies, caller: Caller, displayName: string): Promise<string> {
  if (caller.actor.kind !== 'session') throw new AppError('UNAUTHENTICATED', 'Sign in to change your profile.');
  const shown = displayName.trim();
  if (shown.length === 0 || shown.length > 100 || /[\x00-\x1f\x7f]/.test(shown)) throw new AppError('INVALID_REQUEST', 'A display name has 1 to 100 characters.');
  await deps.accounts.setDisplayName(caller.actor.user.accountId, shown);
  return shown;
}
