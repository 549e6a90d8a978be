/**
 * Signing in with a password, and out. A wrong name and a wrong password get the same answer in the same
 * time (an unknown name is checked against nothing, at the same cost); failures are counted per account
 * (a lockout after five in a row) and per client address (twenty in fifteen minutes), in the database. A
 * successful sign-in always makes a new session, so a session id planted before it is worth nothing.
 */
import { AppError } from '../../errors.ts';
import { verifyAgainstNothing, verifyPassword } from '../../security/password-hash.ts';
import { generateSessionToken } from '../../security/session-token.ts';
import type { Caller } from '../actor.ts';
import type { ChangeActor } from '../events.ts';
import type { SignInStore } from './sign-in-ports.ts';

export interface SignInSettings {
  /** Whether passwords are accepted at all (an administrator may allow only identity providers, as nuget.org does). */
  readonly passwords: boolean;
  readonly sessionLifetimeMs: number;
}

export const MAX_ACCOUNT_FAILURES = 5;
export const ACCOUNT_LOCK_MS = 15 * 60 * 1000;
export const MAX_ADDRESS_FAILURES = 20;
export const ADDRESS_WINDOW_MS = 15 * 60 * 1000;

const WRONG = 'The name or the password is wrong.';

export interface SignInDependencies {
  readonly signIns: SignInStore;
  readonly now: () => Date;
  readonly settings: SignInSettings;
}

export interface NewSignIn {
  /** Goes into the session cookie; only its hash is stored. */
  readonly token: string;
  readonly awaitingSecondFactor: boolean;
}

function minutes(until: Date, now: Date): number {
  return Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 60_000));
}

export async function signInWithPassword(
  deps: SignInDependencies,
  request: { readonly name: string; readonly password: string; readonly clientAddress: string; readonly userAgent: string | undefined },
): Promise<NewSignIn> {
  if (!deps.settings.passwords) throw new AppError('FORBIDDEN', 'This server does not accept passwords: sign in with your identity provider.');
  const now = deps.now();
  if ((await deps.signIns.addressFailures(request.clientAddress, now, ADDRESS_WINDOW_MS)) >= MAX_ADDRESS_FAILURES) {
    throw new AppError('TOO_MANY_REQUESTS', 'Too many failed sign-ins from your address; wait 15 minutes and try again.', { retryAfterSeconds: ADDRESS_WINDOW_MS / 1000 });
  }
  const record = await deps.signIns.signInRecord(request.name);
  const actor: ChangeActor = { userId: record?.account.accountId, key: undefined, label: record?.account.name ?? request.name.slice(0, 64), clientAddress: request.clientAddress };
  if (record?.lockedUntil !== undefined && record.lockedUntil.getTime() > now.getTime()) {
    throw new AppError('TOO_MANY_REQUESTS', `This account is locked after repeated failed sign-ins; try again in ${minutes(record.lockedUntil, now)} minutes.`);
  }
  const verification = record?.passwordHash === undefined ? await verifyAgainstNothing(request.password) : await verifyPassword(request.password, record.passwordHash);
  if (record === undefined || !verification.ok || record.account.disabledAt !== undefined) {
    await deps.signIns.recordAddressFailure(request.clientAddress, now, ADDRESS_WINDOW_MS);
    if (record !== undefined) {
      const lockedUntil = await deps.signIns.recordAccountFailure(record.account.accountId, now, MAX_ACCOUNT_FAILURES, ACCOUNT_LOCK_MS, {
        kind: 'user.sign-in-failed',
        at: now,
        actor,
        subjectUserId: record.account.accountId,
        data: { with: 'password' },
      });
      if (lockedUntil !== undefined) throw new AppError('TOO_MANY_REQUESTS', `This account is locked after repeated failed sign-ins; try again in ${minutes(lockedUntil, now)} minutes.`);
    }
    throw new AppError('UNAUTHENTICATED', WRONG);
  }
  await deps.signIns.clearAccountFailures(record.account.accountId);
  const { token, lookupHash } = generateSessionToken();
  await deps.signIns.createSession(
    {
      userId: record.account.accountId,
      lookupHash,
      createdAt: now,
      expiresAt: new Date(now.getTime() + deps.settings.sessionLifetimeMs),
      awaitingSecondFactor: record.totpEnabled,
      clientAddress: request.clientAddress,
      userAgent: request.userAgent,
      providerMfa: false,
    },
    { kind: 'user.signed-in', at: now, actor, subjectUserId: record.account.accountId, data: { with: 'password', secondFactorOwed: record.totpEnabled } },
  );
  return { token, awaitingSecondFactor: record.totpEnabled };
}

/** Ends the caller's session, or with `everywhere` every session of the user. */
export async function signOut(deps: { readonly signIns: SignInStore; readonly now: () => Date }, caller: Caller, everywhere: boolean): Promise<void> {
  const actor = caller.actor;
  if (actor.kind !== 'session') return;
  const at = deps.now();
  const event = {
    kind: 'user.signed-out' as const,
    at,
    actor: { userId: actor.user.accountId, key: undefined, label: actor.user.name, clientAddress: caller.clientAddress },
    subjectUserId: actor.user.accountId,
    data: { everywhere },
  };
  if (everywhere) await deps.signIns.revokeSessions(actor.user.accountId, at, event);
  else await deps.signIns.revokeSession(actor.sessionId, at, event);
}
