/**
 * `pallet retention FEED [--dry-run]`: runs a feed's retention rules now (the server also runs them hourly);
 * with --dry-run it only lists the versions they would let go. Works on the data folder of a running server.
 */
import { quietLog } from '../output.ts';
import type { Command } from '../command.ts';
import { withToolDatabase } from '../tool-database.ts';

export const retentionCommand: Command = {
  name: 'retention',
  summary: "run a feed's retention rules now, or list what they would let go (--dry-run)",
  synopsis: 'pallet retention <feed> [--dry-run] [options]',
  details:
    'Versions the rules let go are unlisted (they still restore by exact version); pinned versions and those a kept version\n' +
    'depends on stay. Set the rules with pallet feed set <feed> --keep-newest <n> --keep-days <d>.\n\n' +
    'Exit code 0 on success, 1 when refused (the reason is printed), 2: bad usage.',
  options: { 'dry-run': { type: 'boolean' } },
  minPositionals: 1,
  maxPositionals: 1,
  async run(values, positionals) {
    const feed = positionals[0] as string;
    const dryRun = values['dry-run'] === true;
    return withToolDatabase('retention', values, dryRun ? 'read' : 'write', async (tools) => {
      const { runRetention } = await import('../../app/feeds/retention.ts');
      const { COMMAND_LINE } = await import('../../app/events.ts');
      const released = await runRetention(
        { packages: tools.packages, feeds: tools.feeds, now: () => new Date(), log: quietLog },
        { actor: { kind: 'configured-key' }, clientAddress: undefined },
        feed,
        dryRun,
        COMMAND_LINE,
      );
      for (const each of released) process.stdout.write(`${dryRun ? 'would unlist' : 'unlisted'} ${each.id} ${each.version}\n`);
      process.stdout.write(`pallet retention: ${released.length} versions ${dryRun ? 'would be' : 'were'} unlisted in '${feed}'\n`);
      return 0;
    });
  },
};
