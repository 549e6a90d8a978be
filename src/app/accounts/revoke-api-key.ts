/** Revokes a user's API key by name: from the next request on it is refused with the date it was revoked. */
import { AppError } from '../../errors.ts';
import type { ChangeActor } from '../events.ts';
import type { AccountStore, ApiKeyStore } from './ports.ts';

export async function revokeApiKey(
  deps: { readonly accounts: AccountStore; readonly keys: ApiKeyStore; readonly now: () => Date },
  actor: ChangeActor,
  target: { readonly userName: string; readonly name: string },
): Promise<void> {
  const user = await deps.accounts.findAccountByName(target.userName);
  if (user === undefined || user.kind !== 'user') throw new AppError('NOT_FOUND', `There is no user '${target.userName}'.`);
  const at = deps.now();
  const revoked = await deps.keys.revokeKey(user.accountId, target.name, at, { kind: 'api-key.revoked', at, actor, data: { name: target.name, owner: user.name } });
  if (!revoked) throw new AppError('NOT_FOUND', `'${user.name}' has no API key named '${target.name}'.`);
}
