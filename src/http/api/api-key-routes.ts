/**
 * The management API's API keys (nuget.org's scoped keys): list, create (name, scopes, package globs or
 * ids, the account it acts for, an expiry; the secret answered once), regenerate and revoke. Creating and
 * regenerating are a signed-in user's, with a fresh second factor (the `code` field) when they use one.
 * https://learn.microsoft.com/nuget/nuget-org/scoped-api-keys
 */
import { z } from 'zod';
import { AppError } from '../../errors.ts';
import type { Caller } from '../../app/actor.ts';
import { createApiKey, regenerateApiKey, type ApiKeyDependencies } from '../../app/accounts/create-api-key.ts';
import { revokeApiKey } from '../../app/accounts/revoke-api-key.ts';
import type { StoredApiKey } from '../../app/accounts/ports.ts';
import type { SignInStore } from '../../app/accounts/sign-in-ports.ts';
import { proveSecondFactor } from '../../app/accounts/two-factor.ts';
import { changeActorOf } from '../../app/events.ts';
import { authorizeAccount, type AccountPolicy } from '../../app/policy.ts';
import { apiRoute, userOf, type ApiRoute } from './api-route.ts';

const DAY_MS = 86_400_000;

const apiKey = z.object({
  name: z.string(),
  owner: z.string().describe('The account the key acts for: the holder, or one of their organizations'),
  scopes: z.array(z.string()),
  patterns: z.array(z.string()).describe('Package ids or globs; empty: every package the owner owns'),
  createdAt: z.string(),
  expiresAt: z.string(),
  revokedAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
});

const code = z.string().max(64).optional().describe('A code from the authenticator app (or a recovery code), when the last second factor is more than ten minutes old');

export interface ApiKeyRouteDependencies extends ApiKeyDependencies {
  readonly signIns: SignInStore;
  readonly policy: AccountPolicy;
}

/** A session allowed to make a key: signed in, and a fresh second factor (proven from `code` when needed). */
async function mayMakeKeys(deps: ApiKeyRouteDependencies, caller: Caller, given: string | undefined): Promise<{ accountId: number; name: string }> {
  const actor = caller.actor;
  if (actor.kind !== 'session') throw new AppError('FORBIDDEN', 'API keys are made by a signed-in user, not with another key.');
  let decision = authorizeAccount(actor, 'create-api-key', deps.policy, deps.now());
  if (!decision.allowed && decision.next === 'fresh-second-factor' && given !== undefined) {
    await proveSecondFactor({ signIns: deps.signIns, now: deps.now }, caller, given);
    decision = authorizeAccount({ ...actor, secondFactorAt: deps.now() }, 'create-api-key', deps.policy, deps.now());
  }
  if (!decision.allowed) throw new AppError(decision.next === 'fresh-second-factor' ? 'UNAUTHENTICATED' : 'FORBIDDEN', decision.reason);
  return actor.user;
}

export function apiKeyRoutes(deps: ApiKeyRouteDependencies): ApiRoute[] {
  const keyView = async (key: StoredApiKey): Promise<z.infer<typeof apiKey>> => ({
    name: key.name,
    owner: (await deps.accounts.findAccountById(key.ownerId))?.name ?? '',
    scopes: [...key.scopes],
    patterns: key.patterns.map((pattern) => pattern.text),
    createdAt: key.createdAt.toISOString(),
    expiresAt: key.expiresAt.toISOString(),
    revokedAt: key.revokedAt?.toISOString() ?? null,
    lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
  });
  return [
    apiRoute({
      method: 'GET',
      path: '/api/v1/me/api-keys',
      summary: "The user's API keys, newest first, never their secrets",
      access: 'signed-in',
      answer: z.object({ apiKeys: z.array(apiKey) }),
      async handle({ caller }) {
        return { apiKeys: await Promise.all((await deps.keys.listKeys(userOf(caller.actor).accountId)).map(keyView)) };
      },
    }),
    apiRoute({
      method: 'POST',
      path: '/api/v1/me/api-keys',
      summary: 'Creates an API key; the answer holds its secret, shown this once',
      access: 'signed-in',
      status: 201,
      body: z
        .object({
          name: z.string().min(1).max(64),
          scopes: z.array(z.enum(['push', 'push-version', 'unlist'])).min(1).max(3),
          patterns: z.array(z.string().min(1).max(128)).max(100).default([]),
          owner: z.string().min(1).max(64).optional(),
          expiresInDays: z.number().int().min(1).max(3650).optional(),
          code,
        })
        .strict(),
      answer: z.object({ apiKey: apiKey, secret: z.string() }),
      async handle({ caller, body }) {
        const user = await mayMakeKeys(deps, caller, body.code);
        const created = await createApiKey(deps, changeActorOf(caller.actor, caller.clientAddress), {
          userName: user.name,
          name: body.name,
          scopes: body.scopes,
          patterns: body.patterns,
          ownerName: body.owner,
          lifetimeMs: body.expiresInDays === undefined ? undefined : body.expiresInDays * DAY_MS,
        });
        return { apiKey: await keyView(created.key), secret: created.secret };
      },
    }),
    apiRoute({
      method: 'POST',
      path: '/api/v1/me/api-keys/:name/regenerate',
      summary: 'Gives the key a new secret and expiry (its name, scopes and packages kept); the old secret stops at once',
      access: 'signed-in',
      body: z.object({ expiresInDays: z.number().int().min(1).max(3650).optional(), code }).strict(),
      answer: z.object({ apiKey: apiKey, secret: z.string() }),
      async handle({ caller, params, body }) {
        const user = await mayMakeKeys(deps, caller, body.code);
        const regenerated = await regenerateApiKey(deps, changeActorOf(caller.actor, caller.clientAddress), {
          userName: user.name,
          name: params.name ?? '',
          lifetimeMs: body.expiresInDays === undefined ? undefined : body.expiresInDays * DAY_MS,
        });
        return { apiKey: await keyView(regenerated.key), secret: regenerated.secret };
      },
    }),
    apiRoute({
      method: 'DELETE',
      path: '/api/v1/me/api-keys/:name',
      summary: 'Revokes one of the user’s API keys',
      access: 'signed-in',
      answer: z.object({ revoked: z.string() }),
      async handle({ caller, params }) {
        const name = params.name ?? '';
        await revokeApiKey(deps, changeActorOf(caller.actor, caller.clientAddress), { userName: userOf(caller.actor).name, name });
        return { revoked: name };
      },
    }),
  ];
}
