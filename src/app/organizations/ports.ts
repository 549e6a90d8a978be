/** The seam to organizations and their members (migration 12); each change with its event in one transaction. */
import type { AccountId, AccountRef } from '../actor.ts';
import type { NewEvent } from '../events.ts';
import type { Account } from '../accounts/ports.ts';

export type MemberRole = 'admin' | 'collaborator';

export const MEMBER_ROLES: readonly MemberRole[] = ['admin', 'collaborator'];

export interface Member {
  readonly user: AccountRef & { readonly email: string | undefined };
  readonly role: MemberRole;
  readonly addedAt: Date;
}

export interface Membership {
  readonly organization: Account;
  readonly role: MemberRole;
  /** Whether the organization requires two-factor authentication of its members. */
  readonly membersNeedTwoFactor: boolean;
}

export interface OrganizationStore {
  /** Creates the organization with `adminId` as its first admin; 'name-taken' when any account has the name. */
  createOrganization(
    organization: { readonly name: string; readonly displayName: string; readonly email: string | undefined; readonly createdAt: Date },
    adminId: AccountId,
    event: NewEvent,
  ): Promise<{ readonly outcome: 'created'; readonly organization: Account } | { readonly outcome: 'name-taken' }>;
  /** Members, admins first, then by name. */
  members(organizationId: AccountId): Promise<Member[]>;
  /** The user's organizations, by name. */
  memberships(userId: AccountId): Promise<Membership[]>;
  role(organizationId: AccountId, userId: AccountId): Promise<MemberRole | undefined>;
  /** Every organization, by name, with its member count and two-factor policy (for administrators). */
  listOrganizations(): Promise<{ readonly organization: Account; readonly members: number; readonly membersNeedTwoFactor: boolean }[]>;
  /** Adds the user, or changes their role; 'last-admin' when that would leave the organization without one. */
  setMember(organizationId: AccountId, userId: AccountId, role: MemberRole, at: Date, event: NewEvent): Promise<'added' | 'changed' | 'unchanged' | 'last-admin'>;
  removeMember(organizationId: AccountId, userId: AccountId, event: NewEvent): Promise<'removed' | 'not-member' | 'last-admin'>;
  setMembersNeedTwoFactor(organizationId: AccountId, required: boolean, event: NewEvent): Promise<void>;
}
