/**
 * Who is calling. The authentication step (app/accounts/authenticate.ts) turns what a request presents
 * into an Actor; policy.ts decides what it may do.
 */
import type { ApiKeyScope } from '../domain/api-key-scope.ts';
import type { PackageIdPattern } from '../domain/package-id-pattern.ts';
import type { FeedId } from '../domain/feed.ts';

/** `accounts.account_id`: a user or an organization. */
export type AccountId = number;

export interface AccountRef {
  readonly accountId: AccountId;
  readonly name: string;
}

/** What a scoped API key grants: nuget.org's model (scopes, package patterns, the owner it acts for, an expiry). */
export interface ApiKeyGrant {
  readonly keyId: number;
  readonly name: string;
  readonly scopes: readonly ApiKeyScope[];
  /** Empty: every package the owner owns. */
  readonly patterns: readonly PackageIdPattern[];
  /** The feeds the key may be used in; empty: every feed. */
  readonly feedIds: readonly FeedId[];
  readonly expiresAt: Date;
  /** For a key minted by trusted publishing: the CI claims every push with it records. */
  readonly provenance?: Readonly<Record<string, string>> | undefined;
}

export type Actor =
  | { readonly kind: 'anonymous' }
  /** `PALLET_API_KEY`: the administrator key for automation, with every right. */
  | { readonly kind: 'configured-key' }
  /** A user's scoped API key, acting for `owner` (the user, or one of their organizations). */
  | {
      readonly kind: 'api-key';
      readonly key: ApiKeyGrant;
      readonly user: AccountRef & { readonly isAdministrator: boolean };
      readonly owner: AccountRef;
    }
  /** A signed-in user of the web pages (a session cookie): never accepted for the NuGet protocol's writes. */
  | {
      readonly kind: 'session';
      readonly sessionId: number;
      readonly user: AccountRef & { readonly isAdministrator: boolean };
      /** Signed in with the password, the second factor still owed: only the code is accepted. */
      readonly awaitingSecondFactor: boolean;
      readonly totpEnabled: boolean;
      /** When a second factor was last proven in this session. */
      readonly secondFactorAt: Date | undefined;
      /** The identity provider's multi-factor sign-in stands in for Pallet's second factor (by configuration). */
      readonly providerMfa: boolean;
      /** The user is a member of an organization that requires two-factor authentication of its members. */
      readonly organizationNeedsTwoFactor: boolean;
    };

export const ANONYMOUS: Actor = Object.freeze({ kind: 'anonymous' });

/** How an actor appears in logs, audit records and push records: never a secret. */
export function actorName(actor: Actor): string {
  switch (actor.kind) {
    case 'anonymous':
      return 'anonymous';
    case 'configured-key':
      return 'configured API key';
    case 'api-key':
      return `${actor.user.name} (API key '${actor.key.name}')`;
    case 'session':
      return `${actor.user.name} (signed in)`;
  }
}

/** An actor with where the request came from, as use cases record it. */
export interface Caller {
  readonly actor: Actor;
  readonly clientAddress: string | undefined;
}
