/**
 * Webhooks (`pallet webhook add|remove|list`): signed calls on publish, unlist and relist, for one owner's
 * packages or, an administrator's, for every package. The secret is generated here and shown once; the
 * receiver checks `X-Pallet-Signature-256` with it (adapters/http-webhook-sender.ts).
 */
import { randomBytes } from 'node:crypto';
import { AppError } from '../../errors.ts';
import type { AccountStore } from '../accounts/ports.ts';
import type { AccountId } from '../actor.ts';
import type { ChangeActor, EventKind, NewEvent } from '../events.ts';
import { WEBHOOK_EVENTS } from './deliveries-for.ts';
import type { NewWebhook } from './ports.ts';

export interface StoredWebhook {
  readonly webhookId: number;
  readonly owner: string | undefined;
  readonly url: string;
  readonly events: readonly EventKind[];
  readonly createdAt: Date;
}

export interface WebhookStore {
  addWebhook(webhook: NewWebhook, event: NewEvent): Promise<number>;
  /** false when there is no such webhook (or it was removed before). */
  removeWebhook(webhookId: number, at: Date, event: NewEvent): Promise<boolean>;
  listWebhooks(): Promise<StoredWebhook[]>;
}

type Dependencies = { readonly accounts: AccountStore; readonly webhooks: WebhookStore; readonly now: () => Date };

export async function addWebhook(
  deps: Dependencies,
  actor: ChangeActor,
  request: { readonly url: string; readonly ownerName: string | undefined; readonly events: readonly string[] },
): Promise<{ readonly webhookId: number; readonly secret: string }> {
  let url: URL;
  try {
    url = new URL(request.url);
  } catch {
    throw new AppError('INVALID_REQUEST', `'${request.url.slice(0, 200)}' is not an absolute URL.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new AppError('INVALID_REQUEST', 'A webhook URL must use https (or http).');
  if (url.username !== '' || url.password !== '') throw new AppError('INVALID_REQUEST', 'A webhook URL must not carry credentials: the signature proves the sender.');
  const events = request.events.length === 0 ? [...WEBHOOK_EVENTS] : request.events;
  for (const kind of events) {
    if (!(WEBHOOK_EVENTS as readonly string[]).includes(kind)) throw new AppError('INVALID_REQUEST', `'${kind}' is not a webhook event; use ${WEBHOOK_EVENTS.join(', ')}.`);
  }
  let ownerId: AccountId | undefined;
  if (request.ownerName !== undefined) {
    const owner = await deps.accounts.findAccountByName(request.ownerName);
    if (owner === undefined) throw new AppError('NOT_FOUND', `There is no account '${request.ownerName}'.`);
    ownerId = owner.accountId;
  }
  const secret = randomBytes(32).toString('base64url');
  const createdAt = deps.now();
  const unique = [...new Set(events)] as EventKind[];
  const webhookId = await deps.webhooks.addWebhook(
    { ownerId, url: url.href, secret, events: unique, createdAt },
    { kind: 'webhook.added', at: createdAt, actor, subjectUserId: ownerId, data: { url: url.href, owner: request.ownerName ?? null, events: unique } },
  );
  return { webhookId, secret };
}

export async function removeWebhook(deps: Dependencies, actor: ChangeActor, webhookId: number): Promise<void> {
  const at = deps.now();
  if (!(await deps.webhooks.removeWebhook(webhookId, at, { kind: 'webhook.removed', at, actor, data: { webhookId } }))) {
    throw new AppError('NOT_FOUND', `There is no webhook ${webhookId}.`);
  }
}
