/**
 * A signed-in user changes their email: the new address is used only once the link mailed to it is opened
 * (so an address is verified before any mail about packages goes there), within a day, once. The old
 * address hears of the change. Asking for the change is a sensitive action (a fresh second factor).
 */
import { AppError } from '../../errors.ts';
import { emailVerificationToken, verifyEmailVerificationToken } from '../../security/email-verification.ts';
import type { AccountId, Caller } from '../actor.ts';
import { changeActorOf, type ChangeActor } from '../events.ts';
import type { EmailChangeStore } from './ports.ts';
import { emailProblem } from './create-user.ts';

export const EMAIL_VERIFICATION_LIFETIME_MS = 24 * 60 * 60 * 1000;

type Dependencies = { readonly emails: EmailChangeStore; readonly now: () => Date; readonly key: Uint8Array };

/** Records the change asked for, whose event mails the link to the new address. */
export async function requestEmailChange(deps: Dependencies, caller: Caller, email: string): Promise<void> {
  const actor = caller.actor;
  if (actor.kind !== 'session') throw new AppError('UNAUTHENTICATED', 'Sign in to change your email.');
  await verifyAddress(deps, changeActorOf(actor, caller.clientAddress), actor.user.accountId, email);
}

/** Mails a verification link for `email` to it; the user's email becomes it once the link is opened (also a new account's). */
export async function verifyAddress(deps: Dependencies, actor: ChangeActor, userId: AccountId, email: string): Promise<void> {
  const address = email.trim();
  const problem = emailProblem(address);
  if (problem) throw new AppError('INVALID_REQUEST', problem);
  const at = deps.now();
  const expiresAt = new Date(at.getTime() + EMAIL_VERIFICATION_LIFETIME_MS);
  await deps.emails.requestEmailChange(userId, address, at, expiresAt, (verificationId) => ({
    kind: 'user.email-change-requested',
    at,
    actor,
    subjectUserId: userId,
    // The link's token is not kept here: the outbox computes it again from the id and address (security/email-verification.ts).
    data: { email: address, verificationId, expiresAt: expiresAt.toISOString() },
  }));
}

/** Opens a verification link: the account's email becomes the new, verified address. */
export async function confirmEmailChange(deps: Dependencies, clientAddress: string | undefined, request: { readonly verificationId: number; readonly token: string }): Promise<string> {
  const pending = await deps.emails.pendingEmailChange(request.verificationId);
  const refused = new AppError('FORBIDDEN', 'This link is not valid, was used already or is more than a day old; change your email again on your account page.');
  if (pending === undefined || !verifyEmailVerificationToken(deps.key, request.verificationId, pending.email, request.token)) throw refused;
  const at = deps.now();
  if (pending.expiresAt.getTime() <= at.getTime()) throw refused;
  const done = await deps.emails.completeEmailChange(request.verificationId, at, {
    kind: 'user.email-changed',
    at,
    actor: { userId: pending.userId, key: undefined, label: pending.userName, clientAddress },
    subjectUserId: pending.userId,
    data: { email: pending.email, previous: pending.previousEmail ?? null },
  });
  if (!done) throw refused;
  return pending.email;
}

/** The link the email carries (a path when the server has no public URL). */
export function emailVerificationPath(key: Uint8Array, verificationId: number, email: string): string {
  return `/account/email/verify?id=${verificationId}&token=${emailVerificationToken(key, verificationId, email)}`;
}
