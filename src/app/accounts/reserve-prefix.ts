/**
 * An administrator's ID prefix reservations (`pallet prefix reserve|release`): from then on a new id the
 * reservation covers is pushed only by its owners, and packages it covers that they own are shown verified.
 * https://learn.microsoft.com/nuget/nuget-org/id-prefix-reservation
 */
import { AppError } from '../../errors.ts';
import { parseReservedPrefix, type IdPrefixReservation } from '../../domain/id-prefix-reservation.ts';
import type { ChangeActor, NewEvent } from '../events.ts';
import type { AccountStore, ReservationStore } from './ports.ts';

type Dependencies = { readonly accounts: AccountStore; readonly reservations: ReservationStore; readonly now: () => Date };

/** The reservation and its owner, with the event a change of it records. */
async function parsed(deps: Dependencies, actor: ChangeActor, text: string, ownerName: string, kind: 'prefix.reserved' | 'prefix.released') {
  let reservation: IdPrefixReservation;
  try {
    reservation = parseReservedPrefix(text);
  } catch (error) {
    throw new AppError('INVALID_REQUEST', (error as Error).message);
  }
  const owner = await deps.accounts.findAccountByName(ownerName);
  if (owner === undefined) throw new AppError('NOT_FOUND', `There is no account '${ownerName}'.`);
  const event: NewEvent = { kind, at: deps.now(), actor, subjectUserId: owner.accountId, data: { prefix: reservation.text, owner: owner.name } };
  return { reservation, owner, event };
}

/** Returns false when the owner held the reservation already. */
export async function reservePrefix(deps: Dependencies, actor: ChangeActor, text: string, ownerName: string): Promise<boolean> {
  const { reservation, owner, event } = await parsed(deps, actor, text, ownerName, 'prefix.reserved');
  return (await deps.reservations.reserve(reservation, owner.accountId, event)) === 'created';
}

export async function releasePrefix(deps: Dependencies, actor: ChangeActor, text: string, ownerName: string): Promise<void> {
  const { reservation, owner, event } = await parsed(deps, actor, text, ownerName, 'prefix.released');
  if (!(await deps.reservations.release(reservation, owner.accountId, event))) {
    throw new AppError('NOT_FOUND', `'${owner.name}' holds no reservation '${reservation.text}'.`);
  }
}
