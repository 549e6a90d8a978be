/** The seam to co-ownership: invitations an invitee accepts, and removal that never leaves an id without an owner. */
import type { AccountId } from '../actor.ts';
import type { NewEvent } from '../events.ts';

export interface PendingInvitation {
  readonly invitationId: number;
  readonly idLower: string;
  /** The id as its registration spells it, when some feed holds it. */
  readonly id: string;
  readonly invitedBy: string | undefined;
  readonly createdAt: Date;
}

export interface OwnershipStore {
  /** 'already-owner' and 'pending' change nothing. */
  invite(idLower: string, inviteeId: AccountId, invitedBy: AccountId | undefined, event: NewEvent): Promise<'invited' | 'already-owner' | 'pending'>;
  /** The invitee's pending invitations, oldest first. */
  pendingInvitations(inviteeId: AccountId): Promise<PendingInvitation[]>;
  /** Makes the invitee an owner, with the event, in one transaction; false when there is no such pending invitation. */
  accept(invitationId: number, inviteeId: AccountId, at: Date, event: NewEvent): Promise<boolean>;
  /** Removes an owner, with the event; 'last-owner' when it is the only one (an id always keeps an owner). */
  removeOwner(idLower: string, accountId: AccountId, event: NewEvent): Promise<'removed' | 'not-owner' | 'last-owner'>;
}
