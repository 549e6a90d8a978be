/**
 * A management API call that only a signed-in user makes (a session, never an API key), checked by
 * `authorizeAccount` as the pages are: the second factor proven at sign-in, enrolment where it is required,
 * and for sensitive actions a fresh one, proven from the body's `code` when the last is too old.
 */
import { z } from 'zod';
import { AppError } from '../../errors.ts';
import type { Actor, Caller } from '../../app/actor.ts';
import type { SignInStore } from '../../app/accounts/sign-in-ports.ts';
import { proveSecondFactor } from '../../app/accounts/two-factor.ts';
import { authorizeAccount, type AccountAction, type AccountPolicy } from '../../app/policy.ts';

export interface SessionActionDependencies {
  readonly signIns: SignInStore;
  readonly policy: AccountPolicy;
  readonly now: () => Date;
}

/** The body field that carries the fresh second factor. */
export const freshCode = z
  .string()
  .max(64)
  .optional()
  .describe('A code from the authenticator app (or a recovery code), when the last second factor is more than ten minutes old');

export type SessionCaller = Caller & { readonly actor: Extract<Actor, { kind: 'session' }> };

export async function allowSessionAction(deps: SessionActionDependencies, caller: Caller, action: AccountAction, code: string | undefined): Promise<SessionCaller> {
  const actor = caller.actor;
  if (actor.kind !== 'session') throw new AppError('FORBIDDEN', 'This is done by a signed-in user (the pages’ session), not with an API key.');
  let allowed = actor;
  let decision = authorizeAccount(allowed, action, deps.policy, deps.now());
  if (!decision.allowed && decision.next === 'fresh-second-factor' && code !== undefined) {
    await proveSecondFactor({ signIns: deps.signIns, now: deps.now }, caller, code);
    allowed = { ...actor, secondFactorAt: deps.now() };
    decision = authorizeAccount(allowed, action, deps.policy, deps.now());
  }
  if (!decision.allowed) throw new AppError(decision.next === 'fresh-second-factor' ? 'UNAUTHENTICATED' : 'FORBIDDEN', decision.reason);
  return { ...caller, actor: allowed };
}
