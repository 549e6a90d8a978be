/** Who is calling. Authentication (http/authenticate.ts) produces an Actor; policy.ts decides what it may do. */

export type Actor =
  | { readonly kind: 'anonymous' }
  /** An API key that matched. `name` identifies the key in logs and audit records; never the secret. */
  | { readonly kind: 'api-key'; readonly name: string; readonly rights: 'all' };

export const ANONYMOUS: Actor = Object.freeze({ kind: 'anonymous' });
