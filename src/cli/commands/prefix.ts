/**
 * `pallet prefix reserve PATTERN --owner NAME`, `pallet prefix release PATTERN --owner NAME` and
 * `pallet prefix list` (JSON lines): nuget.org's ID prefix reservations, made by an administrator on the
 * data folder of a running server, through the same use cases as the server.
 */
import type { Command } from '../command.ts';
import { withToolDatabase } from '../tool-database.ts';

const ACTIONS = ['reserve', 'release', 'list'] as const;

export const prefixCommand: Command = {
  name: 'prefix',
  summary: 'reserve an ID prefix for an owner, release it, or list the reservations',
  synopsis: 'pallet prefix reserve|release <prefix> --owner <name> | pallet prefix list [options]',
  details:
    "reserve <prefix>   'Contoso.*' (every id starting with 'Contoso.') or 'Contoso' (that id alone) for --owner;\n" +
    '                   from then on only its owners push new ids it covers, and their packages show as verified\n' +
    'release <prefix>   takes it back from --owner\n' +
    'list               one JSON line per reservation and owner\n\n' +
    'Works on the data folder of a running server. Exit code 0 on success, 1 when refused (the reason is printed), 2: bad usage.',
  options: { owner: { type: 'string' } },
  minPositionals: 1,
  maxPositionals: 2,
  async run(values, positionals) {
    const [action, text] = positionals as [string, string | undefined];
    if (!(ACTIONS as readonly string[]).includes(action)) {
      process.stderr.write(`pallet prefix: '${action}' is not an action; use ${ACTIONS.join(', ')}.\n`);
      return 2;
    }
    const owner = typeof values.owner === 'string' ? values.owner : undefined;
    if (action !== 'list' && (text === undefined || owner === undefined)) {
      process.stderr.write(`pallet prefix ${action}: pass the prefix and --owner <name>.\n`);
      return 2;
    }
    return withToolDatabase('prefix', values, action === 'list' ? 'read' : 'write', async (tools) => {
      const { COMMAND_LINE } = await import('../../app/events.ts');
      if (action === 'list') {
        for (const reservation of await tools.reservations.listReservations()) {
          process.stdout.write(`${JSON.stringify({ prefix: reservation.text, owner: reservation.owner.name, createdAt: reservation.createdAt.toISOString() })}\n`);
        }
        return 0;
      }
      const { releasePrefix, reservePrefix } = await import('../../app/accounts/reserve-prefix.ts');
      const deps = { accounts: tools.accounts, reservations: tools.reservations, now: () => new Date() };
      if (action === 'reserve') {
        const created = await reservePrefix(deps, COMMAND_LINE, text as string, owner as string);
        process.stdout.write(`pallet prefix: ${created ? 'reserved' : 'already reserved'} '${text}' for '${owner}'\n`);
      } else {
        await releasePrefix(deps, COMMAND_LINE, text as string, owner as string);
        process.stdout.write(`pallet prefix: released '${text}' from '${owner}'\n`);
      }
      return 0;
    });
  },
};
