/**
 * WebhookSender over HTTP: a JSON POST signed as GitHub signs its webhooks, so receivers can reuse their
 * checks: `X-Pallet-Signature-256: sha256=<hex HMAC-SHA256 of the body with the webhook's secret>`, with
 * the event in `X-Pallet-Event` and the delivery id (the same on every retry, for deduplication) in
 * `X-Pallet-Delivery`. Any answer but 2xx within the timeout is a failure, retried by the outbox.
 * https://docs.github.com/webhooks/using-webhooks/validating-webhook-deliveries
 */
import { createHmac } from 'node:crypto';
import type { WebhookBody, WebhookSender } from '../app/notifications/ports.ts';

const WEBHOOK_TIMEOUT_MS = 10_000;

export function webhookSignature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

export class HttpWebhookSender implements WebhookSender {
  async send(target: { url: string; secret: string }, deliveryId: number, body: WebhookBody): Promise<void> {
    const text = JSON.stringify(body);
    const response = await fetch(target.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Pallet-Webhook',
        'x-pallet-event': body.event,
        'x-pallet-delivery': String(deliveryId),
        'x-pallet-signature-256': webhookSignature(target.secret, text),
      },
      body: text,
      redirect: 'manual',
      signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
    });
    await response.body?.cancel();
    if (response.status < 200 || response.status > 299) throw new Error(`the receiver answered ${response.status}`);
  }
}
