/**
 * What a scoped API key may do, as on nuget.org: push new packages and new versions, push only new
 * versions of packages that exist, or unlist and relist; and, for private feeds, only read (every key reads
 * the private feeds its holder may read, so a `read` key is one that does nothing else). A key holds one or
 * more scopes.
 * https://learn.microsoft.com/nuget/nuget-org/scoped-api-keys
 */

export const API_KEY_SCOPES = ['push', 'push-version', 'unlist', 'read'] as const;

export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

/** What each scope allows, in the words nuget.org's key page uses. */
export const API_KEY_SCOPE_DESCRIPTIONS: Readonly<Record<ApiKeyScope, string>> = {
  push: 'push new packages and new versions',
  'push-version': 'push only new versions of existing packages',
  unlist: 'unlist and relist versions',
  read: 'only read the private feeds you may read (restore, search)',
};

export function isApiKeyScope(text: string): text is ApiKeyScope {
  return (API_KEY_SCOPES as readonly string[]).includes(text);
}

/** The scope, or an Error naming the scopes there are. */
export function parseApiKeyScope(text: string): ApiKeyScope {
  const lower = text.trim().toLowerCase();
  if (isApiKeyScope(lower)) return lower;
  throw new Error(`'${text}' is not an API key scope; use ${API_KEY_SCOPES.map((scope) => `${scope} (${API_KEY_SCOPE_DESCRIPTIONS[scope]})`).join(', ')}.`);
}

/** Whether the scopes allow pushing a version; `newPackage` when the id has no version anywhere yet. */
export function scopesAllowPush(scopes: readonly ApiKeyScope[], newPackage: boolean): boolean {
  return scopes.includes('push') || (!newPackage && scopes.includes('push-version'));
}
