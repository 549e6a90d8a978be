/**
 * The first administrator of a new server: at start, while no administrator exists, the server makes a
 * one-time setup token (only its hash is kept; each start replaces it) and prints a link with it; the page
 * behind the link creates the administrator once. `pallet user create NAME --admin` does the same from
 * the command line.
 */
import { createHash, randomBytes } from 'node:crypto';
import { AppError } from '../../errors.ts';
import { accountNameProblem } from '../../domain/account-name.ts';
import { newPasswordProblem } from '../../security/password-hash.ts';
import type { ChangeActor } from '../events.ts';
import type { Account, AccountStore } from './ports.ts';
import type { SignInStore } from './sign-in-ports.ts';
import { createUser } from './create-user.ts';

function tokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** A new setup token when the server has no administrator yet; undefined otherwise. */
export async function offerFirstAdministratorSetup(signIns: SignInStore): Promise<string | undefined> {
  if (await signIns.hasAdministrator()) return undefined;
  const token = randomBytes(32).toString('base64url');
  await signIns.setSetupTokenHash(tokenHash(token));
  return token;
}

export async function isSetupTokenValid(signIns: SignInStore, token: string): Promise<boolean> {
  return token !== '' && !(await signIns.hasAdministrator()) && (await signIns.checkSetupToken(tokenHash(token), false));
}

export async function createFirstAdministrator(
  deps: { readonly accounts: AccountStore; readonly signIns: SignInStore; readonly now: () => Date },
  actor: ChangeActor,
  request: { readonly token: string; readonly name: string; readonly email: string; readonly password: string },
): Promise<Account> {
  // Checked before the token is spent, so a typo does not cost the link.
  const problem = accountNameProblem(request.name) ?? newPasswordProblem(request.password);
  if (problem) throw new AppError('INVALID_REQUEST', problem);
  if ((await deps.signIns.hasAdministrator()) || !(await deps.signIns.checkSetupToken(tokenHash(request.token), true))) {
    throw new AppError('NOT_FOUND', 'This setup link was used or replaced; create administrators with `pallet user create NAME --admin`.');
  }
  return createUser(deps, actor, { name: request.name, email: request.email, isAdministrator: true, password: request.password });
}
