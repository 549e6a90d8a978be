/** The only place access rules live. Use cases call `authorize` before they change anything. */
import { AppError } from '../errors.ts';
import type { Actor } from './actor.ts';

export type Action = 'push' | 'unlist';

export function authorize(actor: Actor, action: Action): void {
  if (actor.kind === 'anonymous') {
    const verb = action === 'push' ? 'push packages' : 'unlist or relist packages';
    throw new AppError('UNAUTHENTICATED', `An API key is required to ${verb}. Pass it with --api-key (-k).`);
  }
  // A configured key carries every right; scoped keys will narrow this by action and package id.
  if (actor.rights === 'all') return;
  throw new AppError('FORBIDDEN', `The API key '${actor.name}' may not ${action} packages.`);
}
