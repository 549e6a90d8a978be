/**
 * nuget.org's warning on every call with a key that expires within ten days: the NuGet client prints an
 * `X-NuGet-Warning` header as a warning, so a CI log says it before the pushes start failing.
 * https://learn.microsoft.com/nuget/nuget-org/scoped-api-keys#expire-and-regenerate
 */
import type { Actor } from '../actor.ts';

export const KEY_EXPIRY_WARNING_MS = 10 * 24 * 60 * 60 * 1000;

export function keyExpiryWarning(actor: Actor, now: Date): string | undefined {
  if (actor.kind !== 'api-key') return undefined;
  const left = actor.key.expiresAt.getTime() - now.getTime();
  if (left > KEY_EXPIRY_WARNING_MS) return undefined;
  return `The API key '${actor.key.name}' expires on ${actor.key.expiresAt.toISOString().slice(0, 10)}; create a new one before then.`;
}
