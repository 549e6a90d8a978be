/**
 * Security-relevant changes, recorded by the store in the same transaction as the change itself (a push,
 * an unlist, a key created): the audit log reads them, and mail and webhooks are sent from them, so nothing
 * is sent for a change that rolled back and nothing is lost for one that committed.
 */
import type { FeedId } from '../domain/feed.ts';
import { actorName, type AccountId, type Actor } from './actor.ts';

export type EventKind =
  | 'package.pushed'
  | 'package.unlisted'
  | 'package.relisted'
  | 'package.promoted'
  | 'package.deleted'
  | 'package.pushed-upstream'
  | 'feed.push-target-added'
  | 'feed.push-target-removed'
  | 'user.created'
  | 'user.password-set'
  | 'user.disabled'
  | 'user.signed-in'
  | 'user.sign-in-failed'
  | 'user.locked-out'
  | 'user.signed-out'
  | 'user.2fa-enabled'
  | 'user.2fa-disabled'
  | 'user.identity-linked'
  | 'user.email-change-requested'
  | 'user.email-changed'
  | 'user.identity-unlinked'
  | 'api-key.created'
  | 'api-key.revoked'
  | 'api-key.regenerated'
  | 'api-key.expiring'
  | 'prefix.reserved'
  | 'prefix.released'
  | 'ownership.invited'
  | 'ownership.added'
  | 'ownership.removed'
  | 'trusted-publisher.added'
  | 'trusted-publisher.removed'
  | 'trusted-publishing.exchanged'
  | 'organization.created'
  | 'organization.member-added'
  | 'organization.member-changed'
  | 'organization.member-removed'
  | 'organization.two-factor-policy'
  | 'feed.created'
  | 'feed.updated'
  | 'feed.member-set'
  | 'feed.member-removed'
  | 'webhook.added'
  | 'webhook.removed';

/** Who made a change, as the stores record it: the ids rows refer to and a label people read. */
export interface ChangeActor {
  /** The user holding the credential; undefined for the configured administrator key or a command-line tool. */
  readonly userId: AccountId | undefined;
  /** The API key used, when one was. */
  readonly key: { readonly keyId: number; readonly name: string } | undefined;
  /** `alice (API key 'ci')`, `configured API key`, `command line`. */
  readonly label: string;
  readonly clientAddress: string | undefined;
}

export interface NewEvent {
  readonly kind: EventKind;
  readonly at: Date;
  readonly actor: ChangeActor;
  /** The user whose account the event concerns (a key's holder, the user created), for "my events". */
  readonly subjectUserId?: AccountId | undefined;
  readonly feedId?: FeedId | undefined;
  readonly idLower?: string | undefined;
  readonly versionLower?: string | undefined;
  /** What else the event says (a key's name and scopes, a version's display form); never a secret. */
  readonly data?: Readonly<Record<string, unknown>>;
}

/** The actor of a change made over HTTP. */
export function changeActorOf(actor: Actor, clientAddress: string | undefined): ChangeActor {
  return {
    userId: actor.kind === 'api-key' || actor.kind === 'session' ? actor.user.accountId : undefined,
    key: actor.kind === 'api-key' ? { keyId: actor.key.keyId, name: actor.key.name } : undefined,
    label: actorName(actor),
    clientAddress,
  };
}

/** The actor of a change made by an administrator's command on the server (`pallet user create`, …). */
export const COMMAND_LINE: ChangeActor = Object.freeze({ userId: undefined, key: undefined, label: 'command line', clientAddress: undefined });

/** The actor of what the server records by itself (a key about to expire). */
export const SERVER: ChangeActor = Object.freeze({ userId: undefined, key: undefined, label: 'Pallet', clientAddress: undefined });

export interface StoredEvent extends Omit<NewEvent, 'actor' | 'data'> {
  readonly eventId: number;
  readonly actorUserId: AccountId | undefined;
  readonly actorKeyName: string | undefined;
  readonly actorLabel: string;
  readonly clientAddress: string | undefined;
  readonly data: Readonly<Record<string, unknown>>;
}

export interface EventQuery {
  /** Only events after this one, for paging and for outbox readers. */
  readonly afterEventId?: number;
  /** Only events a user made or that concern their account (a user's own audit log). */
  readonly userId?: AccountId;
  readonly limit: number;
}

export interface EventLog {
  /** Events in the order they were recorded. */
  listEvents(query: EventQuery): Promise<StoredEvent[]>;
}
