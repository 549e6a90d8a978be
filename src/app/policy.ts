/** The only place access rules live. Use cases call `authorize` before they change anything. */
import { AppError } from '../errors.ts';
import type { Actor } from './actor.ts';

export type Action = 'push' | 'unlist';

/** Each client names the key option its own way; the message shows all three, as the reason phrase is all the user sees. */
const API_KEY_REQUIRED: Record<Action, string> = {
  push:
    'An API key is required to push packages: dotnet nuget push --api-key KEY (or -k), ' +
    'nuget.exe push -ApiKey KEY, paket push --api-key KEY, or the X-NuGet-ApiKey header.',
  unlist:
    'An API key is required to unlist or relist packages: dotnet nuget delete --api-key KEY (or -k), ' +
    'nuget.exe delete -ApiKey KEY, or the X-NuGet-ApiKey header.',
};

export function authorize(actor: Actor, action: Action): void {
  if (actor.kind === 'anonymous') throw new AppError('UNAUTHENTICATED', API_KEY_REQUIRED[action]);
  // A configured key carries every right; scoped keys will narrow this by action and package id.
  if (actor.rights === 'all') return;
  throw new AppError('FORBIDDEN', `The API key '${actor.name}' may not ${action} packages.`);
}
