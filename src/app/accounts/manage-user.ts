/** An administrator's changes to a user: a new password, or disabling the account (its keys stop working at once). */
import { AppError } from '../../errors.ts';
import { hashPassword, newPasswordProblem } from '../../security/password-hash.ts';
import type { ChangeActor } from '../events.ts';
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
