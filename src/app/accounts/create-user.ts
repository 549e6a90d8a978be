/**
 * Creates a user account: `pallet user create` and, later, sign-up and the first administrator's link.
 * The name is checked against the account name rule, the password (when one is set) against the password
 * rule, and only its scrypt hash is stored.
 */
import { AppError } from '../../errors.ts';
import { accountNameProblem } from '../../domain/account-name.ts';
import { hashPassword, newPasswordProblem } from '../../security/password-hash.ts';
import type { ChangeActor } from '../events.ts';
import type { Account, AccountStore } from './ports.ts';

export interface NewUserRequest {
  readonly name: string;
  readonly email: string | undefined;
  readonly displayName?: string | undefined;
  readonly isAdministrator: boolean;
  readonly password: string | undefined;
}

/** An address with one `@`, something before it and a dotted domain after: enough to catch a typo, not to prove delivery. */
const EMAIL = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;

/** Undefined for an address that looks deliverable, otherwise the sentence saying it is not one. */
export function emailProblem(email: string): string | undefined {
  return email.length > 254 || !EMAIL.test(email) ? `'${email.slice(0, 80)}' is not an email address.` : undefined;
}

export async function createUser(
  deps: { readonly accounts: AccountStore; readonly now: () => Date },
  actor: ChangeActor,
  request: NewUserRequest,
): Promise<Account> {
  const nameProblem = accountNameProblem(request.name);
  if (nameProblem) throw new AppError('INVALID_REQUEST', nameProblem);
  const problem = request.email === undefined ? undefined : emailProblem(request.email);
  if (problem) throw new AppError('INVALID_REQUEST', problem);
  if (request.password !== undefined) {
    const passwordProblem = newPasswordProblem(request.password);
    if (passwordProblem) throw new AppError('INVALID_REQUEST', passwordProblem);
  }
  const createdAt = deps.now();
  const created = await deps.accounts.createUser(
    {
      name: request.name,
      displayName: request.displayName ?? request.name,
      email: request.email,
      // An administrator vouches for the address given on the command line; sign-up will verify by mail.
      emailVerified: request.email !== undefined,
      isAdministrator: request.isAdministrator,
      passwordHash: request.password === undefined ? undefined : await hashPassword(request.password),
      createdAt,
    },
    { kind: 'user.created', at: createdAt, actor, data: { name: request.name, administrator: request.isAdministrator } },
  );
  if (created.outcome === 'name-taken') throw new AppError('CONFLICT', `The name '${request.name}' is taken by another account.`);
  return created.account;
}
