/**
 * The management API's API keys (nuget.org's scoped keys): list, create (name, scopes, package globs or
 * ids, the account it acts for, an expiry; the secret answered once), regenerate and revoke. Creating and
 * regenerating are a signed-in user's, with a fresh second factor (the `code` field) when they use one.
 * https://learn.microsoft.com/nuget/nuget-org/scoped-api-keys
 */
import { z } from 'zod';
import { API_KEY_SCOPES } from '../../domain/api-key-scope.ts';
import { createApiKey, regenerateApiKey, type ApiKeyDependencies } from '../../app/accounts/create-api-key.ts';
import { revokeApiKey } from '../../app/accounts/revoke-api-key.ts';
import type { StoredApiKey } from '../../app/accounts/ports.ts';
import { changeActorOf } from '../../app/events.ts';
import { allowSessionAction, freshCode, type SessionActionDependencies } from './session-action.ts';
import { apiRoute, userOf, type ApiRoute } from './api-route.ts';

const DAY_MS = 86_400_000;

const apiKey = z.object({
  name: z.string(),
  owner: z.string().describe('The account the key acts for: the holder, or one of their organizations'),
  scopes: z.array(z.string()),
  patterns: z.array(z.string()).describe('Package ids or globs; empty: every package the owner owns'),
  feeds: z.array(z.number()).describe('The ids of the feeds the key may be used in; empty: every feed'),
  createdAt: z.string(),
  expiresAt: z.string(),
  revokedAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
});


export interface ApiKeyRouteDependencies extends ApiKeyDependencies, SessionActionDependencies {}

export function apiKeyRoutes(deps: ApiKeyRouteDependencies): ApiRoute[] {
  const keyView = async (key: StoredApiKey): Promise<z.infer<typeof apiKey>> => ({
    name: key.name,
    owner: (await deps.accounts.findAccountById(key.ownerId))?.name ?? '',
    scopes: [...key.scopes],
    patterns: key.patterns.map((pattern) => pattern.text),
    feeds: [...key.feedIds],
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
          scopes: z.array(z.enum(API_KEY_SCOPES)).min(1).max(API_KEY_SCOPES.length),
          feeds: z.array(z.string().min(1).max(64)).max(50).default([]).describe('The feeds the key may be used in, by name; empty: every feed'),
          patterns: z.array(z.string().min(1).max(128)).max(100).default([]),
          owner: z.string().min(1).max(64).optional(),
          expiresInDays: z.number().int().min(1).max(3650).optional(),
          code: freshCode,
        })
        .strict(),
      answer: z.object({ apiKey: apiKey, secret: z.string() }),
      async handle({ caller, body }) {
        const { user } = (await allowSessionAction(deps, caller, 'create-api-key', body.code)).actor;
        const created = await createApiKey(deps, changeActorOf(caller.actor, caller.clientAddress), {
          userName: user.name,
          name: body.name,
          scopes: body.scopes,
          patterns: body.patterns,
          ownerName: body.owner,
          feedNames: body.feeds,
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
      body: z.object({ expiresInDays: z.number().int().min(1).max(3650).optional(), code: freshCode }).strict(),
      answer: z.object({ apiKey: apiKey, secret: z.string() }),
      async handle({ caller, params, body }) {
        const { user } = (await allowSessionAction(deps, caller, 'create-api-key', body.code)).actor;
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
