/**
 * The authentication step every route shares: what a request presents (an API key in `X-NuGet-ApiKey`, as
 * the password of `Authorization: Basic`, or as a `Bearer` token) resolves to one of three outcomes, as
 * Forgejo's NuGet `auth.go` distinguishes them: nothing presented, something invalid (with the reason the
 * client is told), or a valid actor. The HTTP layer decides the status of an invalid credential by where it
 * was presented (http/request-authentication.ts).
 */
import { apiKeyLookupHash } from '../../security/api-key-format.ts';
import { sessionLookupHash } from '../../security/session-token.ts';
import type { Actor } from '../actor.ts';
import type { ApiKeyStore, ApiKeyWithAccounts } from './ports.ts';
import type { SignInStore } from './sign-in-ports.ts';

export interface PresentedCredential {
  readonly secret: string;
  readonly via: 'api-key-header' | 'basic' | 'bearer' | 'session-cookie';
}

/** A session's last use is written at most this often: a page view is not worth a write each time. */
const SESSION_TOUCH_INTERVAL_MS = 60 * 1000;

export type Authentication =
  | { readonly outcome: 'none' }
  | { readonly outcome: 'invalid'; readonly via: PresentedCredential['via']; readonly reason: string }
  | { readonly outcome: 'valid'; readonly actor: Actor };

export interface AuthenticationDependencies {
  readonly keys: ApiKeyStore;
  readonly signIns: SignInStore;
  /** Whether the secret is the configured administrator key (`PALLET_API_KEY`), compared in constant time. */
  readonly isConfiguredKey: (secret: string) => boolean;
  readonly now: () => Date;
}

/** nuget.org's words for a key it does not know: nothing about which keys exist leaks. */
export const UNKNOWN_KEY = 'The specified API key is invalid, has expired, or does not have permission to access the specified package.';

export const NOTHING_PRESENTED: Authentication = Object.freeze({ outcome: 'none' });

export async function authenticate(deps: AuthenticationDependencies, presented: PresentedCredential | undefined): Promise<Authentication> {
  if (presented === undefined) return NOTHING_PRESENTED;
  const invalid = (reason: string): Authentication => ({ outcome: 'invalid', via: presented.via, reason });
  if (presented.via === 'session-cookie') return sessionOf(deps, presented.secret, invalid);
  if (deps.isConfiguredKey(presented.secret)) return { outcome: 'valid', actor: { kind: 'configured-key' } };
  // A string that is not a Pallet key (or whose checksum is wrong) is never looked up.
  const lookupHash = apiKeyLookupHash(presented.secret);
  const key = lookupHash === undefined ? undefined : await deps.keys.findKeyByLookupHash(lookupHash);
  if (key === undefined) return invalid(UNKNOWN_KEY);
  const refusal = refusalOf(key, deps.now());
  if (refusal !== undefined) return invalid(refusal);
  return {
    outcome: 'valid',
    actor: {
      kind: 'api-key',
      key: { keyId: key.keyId, name: key.name, scopes: key.scopes, patterns: key.patterns, feedIds: key.feedIds, expiresAt: key.expiresAt, provenance: key.provenance },
      user: { accountId: key.user.accountId, name: key.user.name, isAdministrator: key.user.isAdministrator },
      owner: { accountId: key.owner.accountId, name: key.owner.name },
    },
  };
}

async function sessionOf(deps: AuthenticationDependencies, token: string, invalid: (reason: string) => Authentication): Promise<Authentication> {
  const session = token === '' ? undefined : await deps.signIns.findSession(sessionLookupHash(token));
  if (session === undefined) return invalid('Your session has ended; sign in again.');
  const now = deps.now();
  if (session.expiresAt.getTime() <= now.getTime()) return invalid('Your session has expired; sign in again.');
  if (session.user.disabledAt !== undefined) return invalid(`The account '${session.user.name}' is disabled.`);
  if (now.getTime() - session.lastSeenAt.getTime() >= SESSION_TOUCH_INTERVAL_MS) await deps.signIns.touchSession(session.sessionId, now);
  return {
    outcome: 'valid',
    actor: {
      kind: 'session',
      sessionId: session.sessionId,
      user: { accountId: session.user.accountId, name: session.user.name, isAdministrator: session.user.isAdministrator },
      awaitingSecondFactor: session.awaitingSecondFactor,
      totpEnabled: session.totpEnabled,
      secondFactorAt: session.secondFactorAt,
      providerMfa: session.providerMfa,
      organizationNeedsTwoFactor: session.organizationNeedsTwoFactor,
    },
  };
}

/** Why a known key cannot be used now, in words the holder can act on. */
function refusalOf(key: ApiKeyWithAccounts, now: Date): string | undefined {
  if (key.revokedAt !== undefined) return `The API key '${key.name}' was revoked on ${day(key.revokedAt)}; create a new one.`;
  if (key.expiresAt.getTime() <= now.getTime()) return `The API key '${key.name}' expired on ${day(key.expiresAt)}; create a new one or regenerate it.`;
  if (key.user.disabledAt !== undefined) return `The account '${key.user.name}' is disabled, so its API keys are refused.`;
  if (key.owner.disabledAt !== undefined) return `The account '${key.owner.name}' that the API key '${key.name}' acts for is disabled.`;
  if (!key.holderActsForOwner) return `The API key '${key.name}' acts for '${key.owner.name}', and '${key.user.name}' is no longer a member of it.`;
  return undefined;
}

function day(date: Date): string {
  return date.toISOString().slice(0, 10);
}
