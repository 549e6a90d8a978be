/**
 * `pallet promote ID VERSION --from FEED --to FEED [--with-dependencies]`: MyGet's promotion, on the data
 * folder of a running server with the administrator's rights, through the same use case as the management
 * API. Prints each version copied.
 */
import type { Command } from '../command.ts';
import { withToolDatabase } from '../tool-database.ts';

export const promoteCommand: Command = {
  name: 'promote',
  summary: 'put a version of one feed into another, the same bytes (and its dependencies, if asked)',
  synopsis: 'pallet promote <id> <version> --from <feed> --to <feed> [--with-dependencies] [options]',
  details:
    "The gallery is the feed 'default'. With --with-dependencies, each dependency the source feed holds goes too (the lowest\n" +
    'version there that its range allows), unless the target has it already.\n\n' +
    'Works on the data folder of a running server. Exit code 0 on success, 1 when refused (the reason is printed), 2: bad usage.',
  options: { from: { type: 'string' }, to: { type: 'string' }, 'with-dependencies': { type: 'boolean' } },
  minPositionals: 2,
  maxPositionals: 2,
  async run(values, positionals) {
    const [id, version] = positionals as [string, string];
    const { from, to } = values;
    if (typeof from !== 'string' || typeof to !== 'string') {
      process.stderr.write('pallet promote: pass --from <feed> and --to <feed>.\n');
      return 2;
    }
    return withToolDatabase('promote', values, 'write', async (tools) => {
      const { promoteVersion } = await import('../../app/feeds/promote.ts');
      const { COMMAND_LINE } = await import('../../app/events.ts');
      const promoted = await promoteVersion(
        { packages: tools.packages, feeds: tools.feeds, now: () => new Date() },
        { actor: { kind: 'configured-key' }, clientAddress: undefined },
        { id, version, from, to, withDependencies: values['with-dependencies'] === true },
        COMMAND_LINE,
      );
      for (const each of promoted) process.stdout.write(`pallet promote: ${each.id} ${each.version} is in '${to}'\n`);
      return 0;
    });
  },
};
