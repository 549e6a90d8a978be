/** The management API's linked identities: the user's identities at providers, and unlinking one (never the last way to sign in). */
import { z } from 'zod';
import { AppError } from '../../errors.ts';
import { unlinkIdentity } from '../../app/accounts/external-sign-in.ts';
import type { ExternalIdentityStore } from '../../app/accounts/external-sign-in-ports.ts';
import type { AccountStore } from '../../app/accounts/ports.ts';
import type { SignInStore } from '../../app/accounts/sign-in-ports.ts';
import { authorizeAccount, type AccountPolicy } from '../../app/policy.ts';
import { apiRoute, userOf, type ApiRoute } from './api-route.ts';

export interface IdentityRouteDependencies {
  readonly identities: ExternalIdentityStore;
  readonly accounts: AccountStore;
  readonly signIns: SignInStore;
  readonly passwordsAccepted: boolean;
  readonly policy: AccountPolicy;
  readonly now: () => Date;
}

export function identityRoutes(deps: IdentityRouteDependencies): ApiRoute[] {
  return [
    apiRoute({
      method: 'GET',
      path: '/api/v1/me/identities',
      summary: 'The identities at OpenID Connect providers that sign the user in',
      access: 'signed-in',
      answer: z.object({ identities: z.array(z.object({ provider: z.string(), subject: z.string(), email: z.string().nullable(), linkedAt: z.string(), lastSignedInAt: z.string().nullable() })) }),
      async handle({ caller }) {
        const identities = await deps.identities.identitiesOf(userOf(caller.actor).accountId);
        return {
          identities: identities.map((each) => ({
            provider: each.provider,
            subject: each.subject,
            email: each.email ?? null,
            linkedAt: each.linkedAt.toISOString(),
            lastSignedInAt: each.lastSignedInAt?.toISOString() ?? null,
          })),
        };
      },
    }),
    apiRoute({
      method: 'DELETE',
      path: '/api/v1/me/identities/:provider/:subject',
      summary: 'Unlinks an identity (signed in, with a fresh second factor); never the last way to sign in',
      access: 'signed-in',
      answer: z.object({ unlinked: z.string() }),
      async handle({ caller, params }) {
        if (caller.actor.kind !== 'session') throw new AppError('FORBIDDEN', 'Identities are unlinked by a signed-in user, not with an API key.');
        const decision = authorizeAccount(caller.actor, 'manage-identities', deps.policy, deps.now());
        if (!decision.allowed) throw new AppError('FORBIDDEN', decision.reason);
        await unlinkIdentity(
          {
            identities: deps.identities,
            now: deps.now,
            passwordsAccepted: deps.passwordsAccepted,
            hasPassword: async (userId) => {
              const account = await deps.accounts.findAccountById(userId);
              return account !== undefined && (await deps.signIns.signInRecord(account.name))?.passwordHash !== undefined;
            },
          },
          caller,
          { provider: params.provider ?? '', subject: params.subject ?? '' },
        );
        return { unlinked: params.provider ?? '' };
      },
    }),
  ];
}
