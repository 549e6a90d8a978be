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
  /**
   * Makes `toId` an owner and, when given, removes `fromId`, in one transaction with their events: a package
   * handed to an organization is never without an owner in between. 'already-owner' changes nothing.
   */
  transfer(idLower: string, toId: AccountId, fromId: AccountId | undefined, at: Date, added: NewEvent, removed: NewEvent | undefined): Promise<'transferred' | 'already-owner'>;
  /** Removes an owner, with the event; 'last-owner' when it is the only one (an id always keeps an owner). */
  removeOwner(idLower: string, accountId: AccountId, event: NewEvent): Promise<'removed' | 'not-owner' | 'last-owner'>;
}
