/** Who is calling. The HTTP layer turns credentials into an Actor; policy.ts decides what it may do. */

export type Actor =
  | { readonly kind: 'anonymous' }
  /** An API key that matched. `name` identifies the key in logs and audit records; never the secret. */
  | { readonly kind: 'api-key'; readonly name: string; readonly rights: 'all' };

export const ANONYMOUS: Actor = Object.freeze({ kind: 'anonymous' });

/** How an actor appears in logs: never a secret. */
export function actorName(actor: Actor): string {
  return actor.kind === 'anonymous' ? 'anonymous' : `api-key:${actor.name}`;
}
