/**
 * The outbox worker, in the process that owns the writes: it expands new events into deliveries (each event
 * once, in the transaction that moves the cursor), sends what is due, and retries failures with a doubling
 * delay, so a mail server that is down, or a restart, loses nothing and never blocks a push. A delivery is
 * marked sent only after its receiver took it: a crash in between sends it again (at least once).
 */
import type { Logger } from '../logger.ts';
import { KEY_EXPIRY_WARNING_MS } from '../accounts/key-expiry.ts';
import { deliveriesFor, type NotificationSettings } from './deliveries-for.ts';
import type { Delivery, MailSender, OutboxStore, WebhookSender } from './ports.ts';

const EVENTS_PER_READ = 100;
const DELIVERIES_PER_TICK = 50;
const MAX_RETRY_DELAY_MS = 60 * 60 * 1000;
/** A delivery still failing after this long is given up (and logged as an error). */
const GIVE_UP_AFTER_MS = 3 * 24 * 60 * 60 * 1000;
/** Keys are looked at for their expiry once a minute; their holder is told KEY_EXPIRY_WARNING_MS before. */
const EXPIRY_CHECK_INTERVAL_MS = 60 * 1000;

export interface OutboxDependencies {
  readonly store: OutboxStore;
  /** Undefined when no SMTP server is configured: no email delivery is made. */
  readonly mail: { readonly sender: MailSender; readonly from: string } | undefined;
  readonly webhooks: WebhookSender;
  readonly publicUrl: string | undefined;
  readonly verificationPath: NotificationSettings['verificationPath'];
  readonly now: () => Date;
  readonly log: Logger;
  /** The first retry's delay; each next one doubles, up to an hour. */
  readonly retryDelayMs: number;
  readonly pollIntervalMs: number;
}

export class Outbox {
  private readonly deps: OutboxDependencies;
  private readonly settings: NotificationSettings;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private lastExpiryCheck = 0;

  constructor(deps: OutboxDependencies) {
    this.deps = deps;
    this.settings = { mail: deps.mail !== undefined, publicUrl: deps.publicUrl, verificationPath: deps.verificationPath };
  }

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.deps.pollIntervalMs);
    this.timer.unref();
  }

  /** One round: new events expanded, expiring keys noted, due deliveries sent. A round in progress is joined, not doubled. */
  tick(): Promise<void> {
    this.running ??= this.round().finally(() => (this.running = undefined));
    return this.running;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  private async round(): Promise<void> {
    try {
      const now = this.deps.now();
      if (now.getTime() - this.lastExpiryCheck >= EXPIRY_CHECK_INTERVAL_MS) {
        this.lastExpiryCheck = now.getTime();
        await this.deps.store.warnOfExpiringKeys(now, new Date(now.getTime() + KEY_EXPIRY_WARNING_MS));
      }
      while ((await this.deps.store.expandEvents((event, audience) => deliveriesFor(event, audience, this.settings), EVENTS_PER_READ, now)) === EVENTS_PER_READ);
      for (const delivery of await this.deps.store.dueDeliveries(now, DELIVERIES_PER_TICK)) await this.attempt(delivery);
    } catch (error) {
      this.deps.log.error({ err: error }, 'the outbox could not be processed; it is tried again shortly');
    }
  }

  private async attempt(delivery: Delivery): Promise<void> {
    const at = this.deps.now();
    try {
      if (delivery.channel === 'email') {
        // Mail configured off since the delivery was made: it waits, as a restart with SMTP back will send it.
        if (this.deps.mail === undefined) return;
        await this.deps.mail.sender.send(this.deps.mail.from, delivery.message);
      } else {
        const target = await this.deps.store.webhookTarget(delivery.webhookId);
        if (target === undefined) {
          await this.deps.store.markFailed(delivery.deliveryId, 'the webhook was removed', undefined, at);
          return;
        }
        await this.deps.webhooks.send(target, delivery.deliveryId, delivery.body);
      }
      await this.deps.store.markSent(delivery.deliveryId, this.deps.now());
      this.deps.log.info({ deliveryId: delivery.deliveryId, channel: delivery.channel, attempts: delivery.attempts + 1 }, 'notification sent');
    } catch (error) {
      const reason = (error as Error).message.slice(0, 500);
      const giveUp = at.getTime() - delivery.createdAt.getTime() >= GIVE_UP_AFTER_MS;
      const delay = Math.min(this.deps.retryDelayMs * 2 ** delivery.attempts, MAX_RETRY_DELAY_MS);
      await this.deps.store.markFailed(delivery.deliveryId, reason, giveUp ? undefined : new Date(at.getTime() + delay), at);
      const fields = { deliveryId: delivery.deliveryId, channel: delivery.channel, attempts: delivery.attempts + 1, reason };
      if (giveUp) this.deps.log.error(fields, 'a notification was given up after failing for three days');
      else this.deps.log.warn({ ...fields, retryInMs: delay }, 'a notification could not be sent; it will be retried');
    }
  }
}
