/**
 * `pallet webhook add --url URL [--owner NAME] [--event KIND]…` prints the new webhook's secret, and only
 * that, on standard output; `pallet webhook remove ID`; `pallet webhook list` (JSON lines, never a secret).
 * On the data folder of a running server, through the same use cases as the server.
 */
import type { Command } from '../command.ts';
import { withToolDatabase } from '../tool-database.ts';

const ACTIONS = ['add', 'remove', 'list'] as const;

export const webhookCommand: Command = {
  name: 'webhook',
  summary: 'add, remove or list the signed webhooks called on publish, unlist and relist',
  synopsis: 'pallet webhook add --url <url> [--owner <name>] [--event <kind>]... | remove <id> | list [options]',
  details:
    'add      calls --url with a JSON POST signed in X-Pallet-Signature-256 (sha256=HMAC of the body with the secret\n' +
    '         printed, only once, on standard output) for the packages of --owner, or of every package without it;\n' +
    '         --event package.pushed, package.unlisted or package.relisted (all three without it)\n' +
    'remove   stops the calls of the webhook with that id (pending ones are dropped)\n' +
    'list     one JSON line per webhook\n\n' +
    'Works on the data folder of a running server. Exit code 0 on success, 1 when refused (the reason is printed), 2: bad usage.',
  options: { url: { type: 'string' }, owner: { type: 'string' }, event: { type: 'string', multiple: true } },
  minPositionals: 1,
  maxPositionals: 2,
  async run(values, positionals) {
    const [action, id] = positionals as [string, string | undefined];
    if (!(ACTIONS as readonly string[]).includes(action)) {
      process.stderr.write(`pallet webhook: '${action}' is not an action; use ${ACTIONS.join(', ')}.\n`);
      return 2;
    }
    if ((action === 'add' && typeof values.url !== 'string') || (action === 'remove' && !/^\d+$/.test(id ?? ''))) {
      process.stderr.write(`pallet webhook ${action}: ${action === 'add' ? 'pass --url <url>' : 'pass the id of the webhook (pallet webhook list)'}.\n`);
      return 2;
    }
    return withToolDatabase('webhook', values, action === 'list' ? 'read' : 'write', async (tools) => {
      const { COMMAND_LINE } = await import('../../app/events.ts');
      const { addWebhook, removeWebhook } = await import('../../app/notifications/webhooks.ts');
      const deps = { accounts: tools.accounts, webhooks: tools.webhooks, now: () => new Date() };
      if (action === 'add') {
        const events = (Array.isArray(values.event) ? values.event : []).filter((each): each is string => typeof each === 'string');
        const added = await addWebhook(deps, COMMAND_LINE, { url: values.url as string, ownerName: typeof values.owner === 'string' ? values.owner : undefined, events });
        process.stdout.write(`${added.secret}\n`);
        process.stderr.write(`pallet webhook: added webhook ${added.webhookId}\n`);
      } else if (action === 'remove') {
        await removeWebhook(deps, COMMAND_LINE, Number(id));
        process.stdout.write(`pallet webhook: removed webhook ${id}\n`);
      } else {
        for (const webhook of await tools.webhooks.listWebhooks()) {
          process.stdout.write(`${JSON.stringify({ ...webhook, owner: webhook.owner ?? null, createdAt: webhook.createdAt.toISOString() })}\n`);
        }
      }
      return 0;
    });
  },
};
