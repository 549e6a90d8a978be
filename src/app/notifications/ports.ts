/**
 * The seams of notifications: the outbox store (events → deliveries → sent), and the senders of email and
 * webhook calls. A delivery's payload is fixed when its event is expanded, so every try sends the same bytes.
 */
import type { AccountId } from '../actor.ts';
import type { EventKind, StoredEvent } from '../events.ts';

export interface MailMessage {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
}

/** The body of a webhook call; its signature is computed when it is sent, with the webhook's secret. */
export interface WebhookBody {
  readonly event: EventKind;
  readonly eventId: number;
  readonly occurredAt: string;
  readonly package: { readonly id: string; readonly version: string | undefined; readonly feedId: number | undefined };
  readonly actor: string;
}

export type NewDelivery =
  | { readonly channel: 'email'; readonly message: MailMessage }
  | { readonly channel: 'webhook'; readonly webhookId: number; readonly body: WebhookBody };

export type Delivery = NewDelivery & { readonly deliveryId: number; readonly attempts: number; readonly createdAt: Date };

/** Who may hear of an event, as the store finds them when it expands the event. */
export interface EventAudience {
  /** The owners of the event's package (users), or the administrators for a package no account owns. */
  readonly packageOwners: readonly { readonly name: string; readonly email: string | undefined; readonly publishEmails: boolean }[];
  /** The user the event concerns (a key's holder, the user whose password was set). */
  readonly subject: { readonly name: string; readonly email: string | undefined } | undefined;
  /** Webhooks that subscribe to the event's kind for its package. */
  readonly webhooks: readonly { readonly webhookId: number }[];
}

export interface OutboxStore {
  /**
   * Expands up to `limit` events past the cursor into deliveries with `expand`, and moves the cursor past
   * them, in one transaction: each event is expanded exactly once. Returns how many events were read.
   */
  expandEvents(expand: (event: StoredEvent, audience: EventAudience) => NewDelivery[], limit: number, at: Date): Promise<number>;
  /** Deliveries whose next try is due, oldest first. */
  dueDeliveries(now: Date, limit: number): Promise<Delivery[]>;
  markSent(deliveryId: number, at: Date): Promise<void>;
  /** Records a failed try; `nextAttemptAt` undefined gives the delivery up. */
  markFailed(deliveryId: number, error: string, nextAttemptAt: Date | undefined, at: Date): Promise<void>;
  /** The webhook's URL and secret, or undefined once it was removed (its pending deliveries are dropped). */
  webhookTarget(webhookId: number): Promise<{ readonly url: string; readonly secret: string } | undefined>;
  /**
   * Records an `api-key.expiring` event for each key that expires before `before` and was not warned of yet
   * (nor revoked, nor expired); returns how many.
   */
  warnOfExpiringKeys(now: Date, before: Date): Promise<number>;
}

export interface MailSender {
  send(from: string, message: MailMessage): Promise<void>;
}

export interface WebhookSender {
  /** Posts the body, signed; throws when the receiver did not answer 2xx. */
  send(target: { readonly url: string; readonly secret: string }, deliveryId: number, body: WebhookBody): Promise<void>;
}

export interface NewWebhook {
  readonly ownerId: AccountId | undefined;
  readonly url: string;
  readonly secret: string;
  readonly events: readonly EventKind[];
  readonly createdAt: Date;
}
