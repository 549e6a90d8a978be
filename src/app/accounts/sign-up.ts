/**
 * Sign-up with a password, where the administrator allows it (`passwordSignUp`): a name, an email and a
 * password make an account and sign it in; the email is the account's once the link mailed to it is opened,
 * so an address nobody proved receives no publish or security mail. Each address may sign up a few times an
 * hour, counted in the database like failed sign-ins.
 */
import { AppError } from '../../errors.ts';
import { generateSessionToken } from '../../security/session-token.ts';
import type { ChangeActor } from '../events.ts';
import { verifyAddress } from './change-email.ts';
import { createUser, emailProblem } from './create-user.ts';
import type { AccountStore, EmailChangeStore } from './ports.ts';
import type { SignInStore } from './sign-in-ports.ts';

export const MAX_SIGN_UPS_PER_ADDRESS = 5;
export const SIGN_UP_WINDOW_MS = 60 * 60 * 1000;

export interface SignUpDependencies {
  readonly accounts: AccountStore;
  readonly signIns: SignInStore;
  readonly emails: EmailChangeStore;
  readonly emailKey: Uint8Array;
  readonly now: () => Date;
  readonly settings: { readonly allowed: boolean; readonly sessionLifetimeMs: number };
}

export async function signUp(
  deps: SignUpDependencies,
  request: { readonly name: string; readonly email: string; readonly password: string; readonly clientAddress: string; readonly userAgent: string | undefined },
): Promise<{ readonly token: string }> {
  if (!deps.settings.allowed) throw new AppError('FORBIDDEN', 'This server does not let people create their own accounts; ask an administrator.');
  const now = deps.now();
  // Its own counter: sign-ups from an address do not lock its sign-ins, nor the other way round.
  const counted = `sign-up ${request.clientAddress}`;
  if ((await deps.signIns.addressFailures(counted, now, SIGN_UP_WINDOW_MS)) >= MAX_SIGN_UPS_PER_ADDRESS) {
    throw new AppError('TOO_MANY_REQUESTS', 'Too many accounts were created from your address; try again in an hour.', { retryAfterSeconds: SIGN_UP_WINDOW_MS / 1000 });
  }
  const problem = emailProblem(request.email.trim());
  if (problem) throw new AppError('INVALID_REQUEST', problem);
  const actor: ChangeActor = { userId: undefined, key: undefined, label: `sign-up of ${request.name.slice(0, 64)}`, clientAddress: request.clientAddress };
  const account = await createUser(deps, actor, { name: request.name.trim(), email: undefined, isAdministrator: false, password: request.password });
  await deps.signIns.recordAddressFailure(counted, now, SIGN_UP_WINDOW_MS);
  await verifyAddress({ emails: deps.emails, now: deps.now, key: deps.emailKey }, { ...actor, userId: account.accountId, label: account.name }, account.accountId, request.email);
  const { token, lookupHash } = generateSessionToken();
  await deps.signIns.createSession(
    {
      userId: account.accountId,
      lookupHash,
      createdAt: now,
      expiresAt: new Date(now.getTime() + deps.settings.sessionLifetimeMs),
      awaitingSecondFactor: false,
      clientAddress: request.clientAddress,
      userAgent: request.userAgent,
      providerMfa: false,
    },
    { kind: 'user.signed-in', at: now, actor: { ...actor, userId: account.accountId, label: account.name }, subjectUserId: account.accountId, data: { with: 'password', signUp: true } },
  );
  return { token };
}
