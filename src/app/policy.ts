/**
 * The only place access rules live. A use case asks `authorize(actor, action, resource)` and gets a
 * decision with its reason, which becomes the answer's reason phrase (all the NuGet client shows).
 * Decisions are made in two stages, as nuget.org's ApiScopeEvaluator does: does the key's scope allow this
 * action on this id (its scopes and package patterns), then may the account it acts for do it (owners).
 * https://learn.microsoft.com/nuget/nuget-org/scoped-api-keys
 */
import { AppError } from '../errors.ts';
import { scopesAllowPush } from '../domain/api-key-scope.ts';
import { matchesPattern } from '../domain/package-id-pattern.ts';
import type { AccountId, Actor } from './actor.ts';
import { roleAtLeast, type Feed, type FeedRole } from '../domain/feed.ts';
import type { PackageOwnership } from './ports.ts';

export type Action = 'push' | 'unlist';

/** The package an action is on, with its owners. Undefined before it is known (a push whose body is unread). */
export interface PackageResource {
  /** As the request or the nuspec spells it, for messages. */
  readonly id: string;
  readonly idLower: string;
  readonly ownership: PackageOwnership;
}

/** What the client is asked for when it presented nothing: NuGet's API key header. */
export type Challenge = 'ApiKey' | 'Basic';

export type Decision =
  | {
      readonly allowed: true;
      /** The account the change is made as: it becomes the owner of a new id (see PushRecord). */
      readonly ownerAccountId: AccountId | undefined;
    }
  | { readonly allowed: false; readonly code: 'UNAUTHENTICATED' | 'FORBIDDEN' | 'NOT_FOUND'; readonly reason: string; readonly challenge: Challenge | undefined };

/** Each client names the key option its own way; the message shows all three, as the reason phrase is all the user sees. */
const API_KEY_REQUIRED: Record<Action, string> = {
  push:
    'An API key is required to push packages: dotnet nuget push --api-key KEY (or -k), ' +
    'nuget.exe push -ApiKey KEY, paket push --api-key KEY, or the X-NuGet-ApiKey header.',
  unlist:
    'An API key is required to unlist or relist packages: dotnet nuget delete --api-key KEY (or -k), ' +
    'nuget.exe delete -ApiKey KEY, or the X-NuGet-ApiKey header.',
};

const WHAT: Record<Action, string> = { push: 'pushing', unlist: 'unlisting or relisting' };

function refuse(reason: string): Decision {
  return { allowed: false, code: 'FORBIDDEN', reason, challenge: undefined };
}

export function authorize(actor: Actor, action: Action, resource?: PackageResource): Decision {
  if (actor.kind === 'anonymous') return { allowed: false, code: 'UNAUTHENTICATED', reason: API_KEY_REQUIRED[action], challenge: 'ApiKey' };
  if (actor.kind === 'configured-key') return { allowed: true, ownerAccountId: undefined };
  // A browser's session cookie never pushes or unlists: a page on another site could make the browser send it.
  if (actor.kind === 'session') return refuse(`A signed-in session cannot ${action === 'push' ? 'push' : 'unlist'} packages; create an API key on your account page and use it.`);
  const owner = actor.owner.accountId;

  // Stage 1: the key's own scope.
  const key = actor.key;
  const newPackage = resource !== undefined && !resource.ownership.exists;
  if (action === 'push' && !scopesAllowPush(key.scopes, false)) return refuse(`The API key '${key.name}' does not allow pushing packages.`);
  if (action === 'push' && newPackage && !scopesAllowPush(key.scopes, true)) {
    return refuse(`The API key '${key.name}' may only push new versions of existing packages, and '${resource.id}' is a new package.`);
  }
  if (action === 'unlist' && !key.scopes.includes('unlist')) return refuse(`The API key '${key.name}' does not allow unlisting or relisting packages.`);
  if (resource === undefined) return { allowed: true, ownerAccountId: actor.owner.accountId };
  if (key.patterns.length > 0 && !key.patterns.some((pattern) => matchesPattern(pattern, resource.idLower))) {
    const patterns = key.patterns.map((pattern) => pattern.text).join(', ');
    return refuse(`The API key '${key.name}' does not allow ${WHAT[action]} '${resource.id}': it is limited to ${patterns}.`);
  }

  // Stage 2: the account the key acts for.
  const { exists, ownerIds, reservations } = resource.ownership;
  if (!exists) {
    // nuget.org: a new id under a reserved prefix is pushed only by an owner of a reservation that covers it.
    const reserved = reservations[0];
    if (reserved !== undefined && !reservations.some((reservation) => reservation.ownerId === owner)) {
      return refuse(`The ID prefix '${reserved.text}' is reserved: only its owners may push new packages such as '${resource.id}'.`);
    }
    return { allowed: true, ownerAccountId: owner };
  }
  if (ownerIds.includes(owner)) return { allowed: true, ownerAccountId: owner };
  if (ownerIds.length === 0 && actor.user.isAdministrator) return { allowed: true, ownerAccountId: undefined };
  return refuse(
    ownerIds.length === 0
      ? `'${resource.id}' is managed by the administrators; ask one to add '${actor.owner.name}' as an owner.`
      : `'${resource.id}' belongs to other owners; ask one of them to add '${actor.owner.name}' as an owner.`,
  );
}

export type FeedAction = 'read' | 'push' | 'unlist' | 'manage';

/** A feed and the caller's role in it (their own membership or an organization's), as the feed's routes know them. */
export interface FeedAccess {
  readonly feed: Feed;
  readonly role: FeedRole | undefined;
}

/**
 * The feed's own rule, before the package's (`authorize`): a private feed is read by its members only, and
 * to anyone else it does not exist (the same 404 as a feed or id that does not), while a caller who
 * presented nothing is asked for credentials with a Basic challenge, which is what makes the NuGet client
 * send the feed's `packageSourceCredentials`. Pushes and unlists need a contributor, unless the feed is
 * open to any account's key (the gallery); managing needs an owner. Administrators and the configured key
 * may do everything.
 */
/**
 * The answer for a feed the caller may not read, and for one that does not exist, alike: credentials asked
 * of a caller who presented none, and otherwise a plain 404.
 */
export function unreadableFeed(actor: Actor): Extract<Decision, { allowed: false }> {
  if (actor.kind === 'anonymous') {
    return { allowed: false, code: 'UNAUTHENTICATED', reason: "Sign in to read this feed: send a user name and an API key as the password (NuGet.config's packageSourceCredentials).", challenge: 'Basic' };
  }
  return { allowed: false, code: 'NOT_FOUND', reason: 'Not found.', challenge: undefined };
}

export function authorizeFeed(actor: Actor, action: FeedAction, access: FeedAccess): Decision {
  const { feed, role } = access;
  const administrator = actor.kind === 'configured-key' || ((actor.kind === 'api-key' || actor.kind === 'session') && actor.user.isAdministrator);
  if (administrator) return { allowed: true, ownerAccountId: undefined };
  // A key limited to other feeds is, in this one, no better than no membership.
  const keyElsewhere = actor.kind === 'api-key' && actor.key.feedIds.length > 0 && !actor.key.feedIds.includes(feed.feedId);
  if (feed.isPrivate && (keyElsewhere || !roleAtLeast(role, 'reader'))) return unreadableFeed(actor);
  if (action === 'read') return { allowed: true, ownerAccountId: undefined };
  if (keyElsewhere) return refuse(`The API key '${actor.key.name}' may not be used in the feed '${feed.name}'.`);
  if (action === 'manage') return roleAtLeast(role, 'owner') ? { allowed: true, ownerAccountId: undefined } : refuse(`Only an owner of the feed '${feed.name}' changes it.`);
  if (feed.openPush || roleAtLeast(role, 'contributor')) return { allowed: true, ownerAccountId: undefined };
  return refuse(`Only contributors of the feed '${feed.name}' ${action === 'push' ? 'push to' : 'unlist or relist in'} it.`);
}

/** The decision as the use case acts on it: a refusal is thrown as the AppError the HTTP layer answers with. */
export function enforce(decision: Decision, subject?: { id: string; version?: string }): asserts decision is Extract<Decision, { allowed: true }> {
  if (!decision.allowed) throw refusalError(decision, subject);
}

/** A refusal as the AppError the HTTP layer answers with (its status, reason phrase and challenge). */
export function refusalError(decision: Extract<Decision, { allowed: false }>, subject?: { id: string; version?: string }): AppError {
  return new AppError(decision.code, decision.reason, { subject, challenge: decision.challenge });
}

/** What a signed-in user does with their own account. `sensitive` ones want a recent second factor. */
export type AccountAction =
  | 'view-account'
  | 'enrol-two-factor'
  | 'create-api-key'
  | 'revoke-api-key'
  | 'disable-two-factor'
  | 'sign-out-everywhere'
  | 'manage-owners'
  | 'accept-ownership'
  | 'manage-trusted-publishers'
  | 'change-password'
  | 'set-notifications'
  | 'edit-profile'
  | 'manage-identities'
  | 'manage-organization'
  | 'administer'
  | 'change-email';

const SENSITIVE: ReadonlySet<AccountAction> = new Set(['create-api-key', 'disable-two-factor', 'manage-owners', 'manage-trusted-publishers', 'change-password', 'manage-identities', 'administer', 'change-email']);

/** How recent a second factor a sensitive action wants, as nuget.org and GitHub ask again ("sudo mode"). */
export const FRESH_SECOND_FACTOR_MS = 10 * 60 * 1000;

export interface AccountPolicy {
  /** Every user must have two-factor authentication: without it, only enrolment is open to them. */
  readonly requireTwoFactor: boolean;
}

/**
 * Whether a signed-in user may act on their own account now. Refusals carry a `next` step the pages walk
 * the user to: sign in, enter the code, enrol (when the policy requires 2FA), or prove the code again.
 */
export function authorizeAccount(
  actor: Actor,
  action: AccountAction,
  policy: AccountPolicy,
  now: Date,
): { readonly allowed: true } | { readonly allowed: false; readonly next: 'sign-in' | 'second-factor' | 'enrol' | 'fresh-second-factor'; readonly reason: string } {
  if (actor.kind !== 'session') return { allowed: false, next: 'sign-in', reason: 'Sign in to manage your account.' };
  if (actor.awaitingSecondFactor) return { allowed: false, next: 'second-factor', reason: 'Enter the code from your authenticator app to finish signing in.' };
  // A provider trusted for its multi-factor sign-in (amr) satisfies the requirement; a sensitive action
  // then asks for nothing more, as for any session without Pallet's own second factor.
  const required = policy.requireTwoFactor || actor.organizationNeedsTwoFactor;
  if (required && !actor.totpEnabled && !actor.providerMfa && action !== 'enrol-two-factor') {
    const who = policy.requireTwoFactor ? 'This server requires' : 'An organization you belong to requires';
    return { allowed: false, next: 'enrol', reason: `${who} two-factor authentication: set it up first.` };
  }
  if (SENSITIVE.has(action) && actor.totpEnabled) {
    const fresh = actor.secondFactorAt !== undefined && now.getTime() - actor.secondFactorAt.getTime() <= FRESH_SECOND_FACTOR_MS;
    if (!fresh) return { allowed: false, next: 'fresh-second-factor', reason: 'Enter a code from your authenticator app again to do this.' };
  }
  return { allowed: true };
}
