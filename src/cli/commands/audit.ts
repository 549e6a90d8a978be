/**
 * `pallet audit [--user NAME] [--after ID] [--limit N]`: the audit log as JSON lines, oldest first: every
 * push, unlist, relist, user, key and prefix change, with who made it, with which key and from where.
 * `--user` keeps the events a user made or that concern their account. Never prints a secret: none is recorded.
 */
import type { Command } from '../command.ts';
import { withToolDatabase } from '../tool-database.ts';

const PAGE = 1000;

export const auditCommand: Command = {
  name: 'audit',
  summary: 'print the audit log as JSON lines',
  synopsis: 'pallet audit [--user <name>] [--after <event id>] [--limit <n>] [options]',
  details:
    'Prints one JSON object per event, oldest first: its id, time, kind, actor (user, key name, label, client\n' +
    'address), the feed, package and version it concerns, and what else it records. --after continues from an\n' +
    'event id; --user keeps the events a user made or that concern their account. Exit code 0 on success.',
  options: { user: { type: 'string' }, after: { type: 'string' }, limit: { type: 'string' } },
  minPositionals: 0,
  maxPositionals: 0,
  async run(values) {
    const after = typeof values.after === 'string' ? Number(values.after) : 0;
    const limit = typeof values.limit === 'string' ? Number(values.limit) : Number.POSITIVE_INFINITY;
    if (!Number.isSafeInteger(after) || after < 0 || !(limit > 0)) {
      process.stderr.write('pallet audit: --after and --limit take whole numbers.\n');
      return 2;
    }
    return withToolDatabase('audit', values, 'read', async (tools) => {
      let userId: number | undefined;
      if (typeof values.user === 'string') {
        const user = await tools.accounts.findAccountByName(values.user);
        if (user === undefined) {
          process.stderr.write(`pallet audit: there is no account '${values.user}'.\n`);
          return 1;
        }
        userId = user.accountId;
      }
      let afterEventId = after;
      let printed = 0;
      while (printed < limit) {
        const page = await tools.events.listEvents({ afterEventId, limit: Math.min(PAGE, limit - printed), ...(userId === undefined ? {} : { userId }) });
        for (const event of page) process.stdout.write(`${JSON.stringify(event)}\n`);
        printed += page.length;
        const last = page.at(-1);
        if (last === undefined || page.length < PAGE) break;
        afterEventId = last.eventId;
      }
      return 0;
    });
  },
};
