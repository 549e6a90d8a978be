/**
 * Creates a scoped API key, nuget.org's model: a name, one or more scopes, package patterns (globs or
 * ids; none means every package the owner owns), the owner it acts for, and an expiry no later than the
 * configured lifetime. The secret is returned once and only its hash is stored.
 * https://learn.microsoft.com/nuget/nuget-org/scoped-api-keys
 */
import { AppError } from '../../errors.ts';
import { parseApiKeyScope, type ApiKeyScope } from '../../domain/api-key-scope.ts';
import { parsePackageIdPattern } from '../../domain/package-id-pattern.ts';
import { generateApiKey } from '../../security/api-key-format.ts';
import { lowerAccountName } from '../../domain/account-name.ts';
import type { ChangeActor } from '../events.ts';
import type { OrganizationStore } from '../organizations/ports.ts';
import type { FeedStore } from '../feeds/ports.ts';
import type { Account, AccountStore, ApiKeyStore, StoredApiKey } from './ports.ts';

export interface NewApiKeyRequest {
  /** The user who holds the key. */
  readonly userName: string;
  readonly name: string;
  readonly scopes: readonly string[];
  readonly patterns: readonly string[];
  /** How long the key lives; the configured lifetime when undefined. */
  readonly lifetimeMs: number | undefined;
  /** The organization the key acts for (the holder must be a member); undefined or the holder's name: the holder. */
  readonly ownerName?: string | undefined;
  /** The feeds the key may be used in, by name; none: every feed. */
  readonly feedNames?: readonly string[] | undefined;
}

const MAX_KEY_NAME_LENGTH = 64;
const MAX_PATTERNS = 100;

export interface ApiKeyDependencies {
  readonly accounts: AccountStore;
  readonly keys: ApiKeyStore;
  readonly organizations: Pick<OrganizationStore, 'role'>;
  readonly feeds: Pick<FeedStore, 'feedByName'>;
  readonly now: () => Date;
  readonly maxLifetimeMs: number;
}

export async function createApiKey(
  deps: ApiKeyDependencies,
  actor: ChangeActor,
  request: NewApiKeyRequest,
): Promise<{ readonly secret: string; readonly key: StoredApiKey; readonly user: Account }> {
  const name = request.name.trim();
  if (name.length === 0 || name.length > MAX_KEY_NAME_LENGTH || /[\x00-\x1f\x7f]/.test(name)) {
    throw new AppError('INVALID_REQUEST', `An API key needs a name of 1 to ${MAX_KEY_NAME_LENGTH} characters, such as 'ci-push'.`);
  }
  const scopes = parseAll(request.scopes, parseApiKeyScope);
  if (scopes.length === 0) throw new AppError('INVALID_REQUEST', 'An API key needs at least one scope: push, push-version, unlist or read.');
  if (request.patterns.length > MAX_PATTERNS) throw new AppError('INVALID_REQUEST', `An API key takes at most ${MAX_PATTERNS} package patterns.`);
  const patterns = parseAll(request.patterns, parsePackageIdPattern);
  const lifetimeMs = request.lifetimeMs ?? deps.maxLifetimeMs;
  if (lifetimeMs <= 0 || lifetimeMs > deps.maxLifetimeMs) {
    throw new AppError('INVALID_REQUEST', `An API key may live at most ${Math.floor(deps.maxLifetimeMs / 86_400_000)} days on this server (apiKeyLifetime).`);
  }

  const user = await deps.accounts.findAccountByName(request.userName);
  if (user === undefined || user.kind !== 'user') throw new AppError('NOT_FOUND', `There is no user '${request.userName}'.`);
  if (user.disabledAt !== undefined) throw new AppError('FORBIDDEN', `The account '${user.name}' is disabled.`);
  const owner = await ownerFor(deps, user, request.ownerName);
  const feedIds: number[] = [];
  for (const feedName of request.feedNames ?? []) {
    // A feed the user may not see is refused like one that does not exist; using the key there is checked anyway.
    const feed = await deps.feeds.feedByName(feedName);
    if (feed === undefined) throw new AppError('NOT_FOUND', `There is no feed '${feedName.slice(0, 64)}'.`);
    feedIds.push(feed.feedId);
  }

  const createdAt = deps.now();
  const expiresAt = new Date(createdAt.getTime() + lifetimeMs);
  const { secret, lookupHash } = generateApiKey();
  const created = await deps.keys.createKey(
    { userId: user.accountId, ownerId: owner.accountId, name, lookupHash, scopes: unique(scopes), patterns, feedIds: [...new Set(feedIds)], createdAt, expiresAt },
    {
      kind: 'api-key.created',
      at: createdAt,
      actor,
      data: { name, owner: owner.name, scopes: unique(scopes), patterns: patterns.map((pattern) => pattern.text), feeds: request.feedNames ?? [], expiresAt: expiresAt.toISOString() },
    },
  );
  if (created.outcome === 'name-taken') throw new AppError('CONFLICT', `'${user.name}' already has an API key named '${name}'; choose another name.`);
  return { secret, key: created.key, user };
}

/** The account a new key acts for: the holder, or an organization they are a member of (nuget.org's "package owner" of a key). */
async function ownerFor(deps: ApiKeyDependencies, user: Account, ownerName: string | undefined): Promise<Account> {
  if (ownerName === undefined || ownerName === '' || lowerAccountName(ownerName) === lowerAccountName(user.name)) return user;
  const owner = await deps.accounts.findAccountByName(ownerName);
  if (owner === undefined || owner.kind !== 'organization') throw new AppError('NOT_FOUND', `There is no organization '${ownerName.slice(0, 64)}'.`);
  if ((await deps.organizations.role(owner.accountId, user.accountId)) === undefined) {
    throw new AppError('FORBIDDEN', `'${user.name}' is not a member of '${owner.name}', so no key of theirs may act for it.`);
  }
  return owner;
}

function parseAll<T>(texts: readonly string[], parse: (text: string) => T): T[] {
  return texts.map((text) => {
    try {
      return parse(text);
    } catch (error) {
      throw new AppError('INVALID_REQUEST', (error as Error).message);
    }
  });
}

function unique(scopes: readonly ApiKeyScope[]): ApiKeyScope[] {
  return [...new Set(scopes)];
}


/** nuget.org's "regenerate": a new secret and expiry for a key, its name, scopes and packages kept; the old secret stops at once. */
export async function regenerateApiKey(
  deps: Omit<ApiKeyDependencies, 'organizations' | 'feeds'>,
  actor: ChangeActor,
  request: { readonly userName: string; readonly name: string; readonly lifetimeMs: number | undefined },
): Promise<{ readonly secret: string; readonly key: StoredApiKey }> {
  const lifetimeMs = request.lifetimeMs ?? deps.maxLifetimeMs;
  if (lifetimeMs <= 0 || lifetimeMs > deps.maxLifetimeMs) {
    throw new AppError('INVALID_REQUEST', `An API key may live at most ${Math.floor(deps.maxLifetimeMs / 86_400_000)} days on this server (apiKeyLifetime).`);
  }
  const user = await deps.accounts.findAccountByName(request.userName);
  if (user === undefined || user.kind !== 'user') throw new AppError('NOT_FOUND', `There is no user '${request.userName}'.`);
  const at = deps.now();
  const expiresAt = new Date(at.getTime() + lifetimeMs);
  const { secret, lookupHash } = generateApiKey();
  const key = await deps.keys.regenerateKey(user.accountId, request.name, lookupHash, expiresAt, {
    kind: 'api-key.regenerated',
    at,
    actor,
    data: { name: request.name, expiresAt: expiresAt.toISOString() },
  });
  if (key === undefined) throw new AppError('NOT_FOUND', `'${user.name}' has no API key named '${request.name}' (a revoked key cannot be regenerated).`);
  return { secret, key };
}
