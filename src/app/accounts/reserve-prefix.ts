/**
 * An administrator's ID prefix reservations (`pallet prefix reserve|release`): from then on a new id the
 * reservation covers is pushed only by its owners, and packages it covers that they own are shown verified.
 * https://learn.microsoft.com/nuget/nuget-org/id-prefix-reservation
 */
import { AppError } from '../../errors.ts';
import { parseReservedPrefix, type IdPrefixReservation } from '../../domain/id-prefix-reservation.ts';
import type { ChangeActor } from '../events.ts';
import type { Account, AccountStore, ReservationStore } from './ports.ts';

type Dependencies = { readonly accounts: AccountStore; readonly reservations: ReservationStore; readonly now: () => Date };

async function parsed(deps: Dependencies, text: string, ownerName: string): Promise<{ reservation: IdPrefixReservation; owner: Account }> {
  let reservation: IdPrefixReservation;
  try {
    reservation = parseReservedPrefix(text);
  } catch (error) {
    throw new AppError('INVALID_REQUEST', (error as Error).message);
  }
  const owner = await deps.accounts.findAccountByName(ownerName);
  if (owner === undefined) throw new AppError('NOT_FOUND', `There is no account '${ownerName}'.`);
  return { reservation, owner };
}

/** Returns false when the owner held the reservation already. */
export async function reservePrefix(deps: Dependencies, actor: ChangeActor, text: string, ownerName: string): Promise<boolean> {
  const { reservation, owner } = await parsed(deps, text, ownerName);
  const outcome = await deps.reservations.reserve(reservation, owner.accountId, {
    kind: 'prefix.reserved',
    at: deps.now(),
    actor,
    subjectUserId: owner.accountId,
    data: { prefix: reservation.text, owner: owner.name },
  });
  return outcome === 'created';
}

export async function releasePrefix(deps: Dependencies, actor: ChangeActor, text: string, ownerName: string): Promise<void> {
  const { reservation, owner } = await parsed(deps, text, ownerName);
  const released = await deps.reservations.release(reservation, owner.accountId, {
    kind: 'prefix.released',
    at: deps.now(),
    actor,
    subjectUserId: owner.accountId,
    data: { prefix: reservation.text, owner: owner.name },
  });
  if (!released) throw new AppError('NOT_FOUND', `'${owner.name}' holds no reservation '${reservation.text}'.`);
}
