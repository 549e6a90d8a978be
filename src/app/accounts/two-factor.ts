/**
 * Two-factor authentication with TOTP (RFC 6238): enrolment (a secret shown as a QR code and an otpauth
 * URI, confirmed with a code, then ten single-use recovery codes, stored hashed), proving the second factor
 * (a code is accepted once: its time step must be later than the last one accepted; a recovery code once),
 * and turning it off. Failed codes count towards the same lockout as failed passwords.
 */
import { AppError } from '../../errors.ts';
import { generateRecoveryCodes, recoveryCodeHash } from '../../security/recovery-codes.ts';
import { generateTotpSecret, otpauthUri, verifyTotp } from '../../security/totp.ts';
import type { Actor, Caller } from '../actor.ts';
import type { ChangeActor } from '../events.ts';
import type { SignInStore } from './sign-in-ports.ts';
import { ACCOUNT_LOCK_MS, MAX_ACCOUNT_FAILURES } from './sign-in.ts';

type Dependencies = { readonly signIns: SignInStore; readonly now: () => Date };
type SessionActor = Extract<Actor, { kind: 'session' }>;

function sessionOf(caller: Caller): SessionActor {
  if (caller.actor.kind !== 'session') throw new AppError('UNAUTHENTICATED', 'Sign in first.');
  return caller.actor;
}

function changeActor(actor: SessionActor, caller: Caller): ChangeActor {
  return { userId: actor.user.accountId, key: undefined, label: actor.user.name, clientAddress: caller.clientAddress };
}

/** Starts (or starts again) an enrolment: the secret to scan, as an otpauth URI. */
export async function beginTotpEnrolment(deps: Dependencies, caller: Caller, issuer: string): Promise<{ readonly secret: string; readonly uri: string }> {
  const actor = sessionOf(caller);
  if (actor.totpEnabled) throw new AppError('CONFLICT', 'Two-factor authentication is already on; turn it off first to enrol another device.');
  const secret = generateTotpSecret();
  await deps.signIns.setPendingTotp(actor.user.accountId, secret);
  return { secret, uri: otpauthUri({ issuer, accountName: actor.user.name, secretBase32: secret }) };
}

/** The enrolment being confirmed, for showing its QR code again. */
export async function pendingTotpEnrolment(deps: Dependencies, caller: Caller, issuer: string): Promise<{ readonly secret: string; readonly uri: string } | undefined> {
  const actor = sessionOf(caller);
  const secret = await deps.signIns.pendingTotp(actor.user.accountId);
  return secret === undefined ? undefined : { secret, uri: otpauthUri({ issuer, accountName: actor.user.name, secretBase32: secret }) };
}

/** Confirms the enrolment with a code from the app; returns the recovery codes, shown once. */
export async function confirmTotpEnrolment(deps: Dependencies, caller: Caller, code: string): Promise<readonly string[]> {
  const actor = sessionOf(caller);
  const secret = await deps.signIns.pendingTotp(actor.user.accountId);
  if (secret === undefined) throw new AppError('INVALID_REQUEST', 'Start the set-up again: there is no enrolment to confirm.');
  const now = deps.now();
  const step = verifyTotp(secret, code, now.getTime());
  if (step === undefined) throw new AppError('INVALID_REQUEST', 'That code is not the one your app shows now; try the current one.');
  const codes = generateRecoveryCodes();
  await deps.signIns.activateTotp(actor.user.accountId, step, codes.map(recoveryCodeHash), {
    kind: 'user.2fa-enabled',
    at: now,
    actor: changeActor(actor, caller),
    subjectUserId: actor.user.accountId,
    data: { method: 'totp' },
  });
  await deps.signIns.completeSecondFactor(actor.sessionId, now);
  return codes;
}

/**
 * Proves the second factor in this session: a code from the app (six digits) or a recovery code. Finishes a
 * sign-in that awaits it, and makes the session fresh for sensitive actions.
 */
export async function proveSecondFactor(deps: Dependencies, caller: Caller, code: string): Promise<{ readonly recoveryCodesLeft: number | undefined }> {
  const actor = sessionOf(caller);
  const userId = actor.user.accountId;
  const now = deps.now();
  const record = await deps.signIns.signInRecord(actor.user.name);
  if (record?.lockedUntil !== undefined && record.lockedUntil.getTime() > now.getTime()) {
    throw new AppError('TOO_MANY_REQUESTS', 'This account is locked after repeated failed codes; try again later.');
  }
  const secret = await deps.signIns.totpSecret(userId);
  if (secret === undefined) throw new AppError('INVALID_REQUEST', 'Two-factor authentication is not on for this account.');
  const compact = code.replace(/[\s-]/g, '');
  let accepted = false;
  let recoveryCodesLeft: number | undefined;
  if (/^\d{6}$/.test(compact)) {
    const step = verifyTotp(secret, compact, now.getTime());
    // The database takes each step once, so a code seen over someone's shoulder is worth nothing after it was used.
    accepted = step !== undefined && (await deps.signIns.acceptTotpStep(userId, step));
  } else if (compact.length > 0) {
    accepted = await deps.signIns.useRecoveryCode(userId, recoveryCodeHash(code), now);
    if (accepted) recoveryCodesLeft = await deps.signIns.unusedRecoveryCodes(userId);
  }
  if (!accepted) {
    const lockedUntil = await deps.signIns.recordAccountFailure(userId, now, MAX_ACCOUNT_FAILURES, ACCOUNT_LOCK_MS, {
      kind: 'user.sign-in-failed',
      at: now,
      actor: changeActor(actor, caller),
      subjectUserId: userId,
      data: { with: 'second factor' },
    });
    if (lockedUntil !== undefined) {
      await deps.signIns.revokeSessions(userId, now, { kind: 'user.locked-out', at: now, actor: changeActor(actor, caller), subjectUserId: userId });
      throw new AppError('TOO_MANY_REQUESTS', 'This account is locked after repeated failed codes; sign in again later.');
    }
    throw new AppError('UNAUTHENTICATED', 'That code is wrong, or was used already; enter the current code from your app, or a recovery code.');
  }
  await deps.signIns.clearAccountFailures(userId);
  await deps.signIns.completeSecondFactor(actor.sessionId, now);
  return { recoveryCodesLeft };
}

export async function disableTwoFactor(deps: Dependencies, caller: Caller): Promise<void> {
  const actor = sessionOf(caller);
  const now = deps.now();
  await deps.signIns.disableTotp(actor.user.accountId, {
    kind: 'user.2fa-disabled',
    at: now,
    actor: changeActor(actor, caller),
    subjectUserId: actor.user.accountId,
  });
}
