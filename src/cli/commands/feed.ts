/**
 * `pallet feed create NAME [--private] [--accept any|prerelease|stable] [--owner ACCOUNT]`, `pallet feed set NAME
 * [--private|--public] [--accept …]`, `pallet feed member NAME ACCOUNT --role reader|contributor|owner` (or
 * `--remove`) and `pallet feed list` (JSON lines): feeds, made on the data folder of a running server with the
 * administrator's rights, through the same use cases as the management API.
 */
import { quietLog } from '../output.ts';
import type { Command } from '../command.ts';
import { withToolDatabase } from '../tool-database.ts';

const ACTIONS = ['create', 'set', 'member', 'pin', 'unpin', 'list'] as const;

export const feedCommand: Command = {
  name: 'feed',
  summary: 'create, change or list feeds, and set their members',
  synopsis: 'pallet feed create|set <name> [options] | pallet feed member <name> <account> --role <role>|--remove | pallet feed list',
  details:
    'create <name>   a feed served at /feeds/<name>/v3/index.json: --private (members only), --accept any|prerelease|stable,\n' +
    '                --owner <account> (a user or an organization: its owner)\n' +
    'set <name>      --private or --public, --accept any|prerelease|stable; retention: --keep-newest <n> and --keep-days <d>\n' +
    '                (0 removes the rule), --retention-stable (the rules cover stable versions too) or --retention-prerelease;\n' +
    '                --hard-delete (a scratch feed: delete deletes) or --soft-delete (delete unlists, the default);\n' +
    '                --upstream <service index URL> (repeatable, in priority order) or --no-upstreams;\n' +
    '                --block-upstream <id or glob> (repeatable): ids never taken from the upstreams\n' +
    'pin|unpin <name> <id> <version>  retention never lets a pinned version go\n' +
    'member <name> <account>  --role reader|contributor|owner, or --remove\n' +
    'list            one JSON line per feed\n\n' +
    'Works on the data folder of a running server. Exit code 0 on success, 1 when refused (the reason is printed), 2: bad usage.',
  options: {
    private: { type: 'boolean' },
    public: { type: 'boolean' },
    accept: { type: 'string' },
    owner: { type: 'string' },
    role: { type: 'string' },
    remove: { type: 'boolean' },
    'keep-newest': { type: 'string' },
    'keep-days': { type: 'string' },
    'retention-stable': { type: 'boolean' },
    'retention-prerelease': { type: 'boolean' },
    'hard-delete': { type: 'boolean' },
    'soft-delete': { type: 'boolean' },
    upstream: { type: 'string', multiple: true },
    'no-upstreams': { type: 'boolean' },
    'block-upstream': { type: 'string', multiple: true },
  },
  minPositionals: 1,
  maxPositionals: 4,
  async run(values, positionals) {
    const [action, name, account, version] = positionals as [string, string | undefined, string | undefined, string | undefined];
    const count = (flag: 'keep-newest' | 'keep-days'): number | null | undefined => {
      const text = values[flag];
      if (typeof text !== 'string') return undefined;
      return /^\d{1,6}$/.test(text) ? (Number(text) === 0 ? null : Number(text)) : Number.NaN;
    };
    if ([count('keep-newest'), count('keep-days')].some((value) => Number.isNaN(value))) {
      process.stderr.write('pallet feed set: --keep-newest and --keep-days take a whole number (0 removes the rule).\n');
      return 2;
    }
    if ((action === 'pin' || action === 'unpin') && (account === undefined || version === undefined)) {
      process.stderr.write(`pallet feed ${action}: pass the feed, the package id and the version.\n`);
      return 2;
    }
    if (!(ACTIONS as readonly string[]).includes(action)) {
      process.stderr.write(`pallet feed: '${action}' is not an action; use ${ACTIONS.join(', ')}.\n`);
      return 2;
    }
    if (action !== 'list' && name === undefined) {
      process.stderr.write(`pallet feed ${action}: pass the feed's name.\n`);
      return 2;
    }
    if (action === 'member' && (account === undefined || (values.remove !== true && typeof values.role !== 'string'))) {
      process.stderr.write('pallet feed member: pass the feed, the account and --role <reader|contributor|owner> (or --remove).\n');
      return 2;
    }
    if (values.private === true && values.public === true) {
      process.stderr.write('pallet feed: pass --private or --public, not both.\n');
      return 2;
    }
    return withToolDatabase('feed', values, action === 'list' ? 'read' : 'write', async (tools) => {
      const { COMMAND_LINE } = await import('../../app/events.ts');
      const feeds = await import('../../app/feeds/manage-feeds.ts');
      const deps = { feeds: tools.feeds, accounts: tools.accounts, now: () => new Date() };
      // The command line acts with the administrator's rights; its changes are recorded as the command line's.
      const caller = { actor: { kind: 'configured-key' as const }, clientAddress: undefined };
      const accepts = typeof values.accept === 'string' ? values.accept : undefined;
      if (action === 'list') {
        for (const { feed } of await feeds.visibleFeeds(deps, caller)) {
          const { keepNewest, keepDays, includeStable } = feed.retention;
          process.stdout.write(`${JSON.stringify({ name: feed.name, private: feed.isPrivate, accepts: feed.accepts, openPush: feed.openPush, keepNewest: keepNewest ?? null, keepDays: keepDays ?? null, retentionIncludesStable: includeStable })}\n`);
        }
      } else if (action === 'create') {
        const owner = typeof values.owner === 'string' ? values.owner : undefined;
        const created = await feeds.createFeed(deps, caller, { name: name as string, isPrivate: values.private === true, accepts, ownerName: owner }, COMMAND_LINE);
        process.stdout.write(`pallet feed: created '${created.name}' (/feeds/${created.name}/v3/index.json)\n`);
      } else if (action === 'set') {
        const isPrivate = values.private === true ? true : values.public === true ? false : undefined;
        const includeStable = values['retention-stable'] === true ? true : values['retention-prerelease'] === true ? false : undefined;
        const updated = await feeds.updateFeed(
          deps,
          caller,
          {
            name: name as string,
            isPrivate,
            accepts,
            keepNewest: count('keep-newest'),
            keepDays: count('keep-days'),
            retentionIncludesStable: includeStable,
            hardDelete: values['hard-delete'] === true ? true : values['soft-delete'] === true ? false : undefined,
            upstreams: values['no-upstreams'] === true ? [] : Array.isArray(values.upstream) ? values.upstream.filter((each): each is string => typeof each === 'string') : undefined,
            upstreamBlocked: Array.isArray(values['block-upstream']) ? values['block-upstream'].filter((each): each is string => typeof each === 'string') : undefined,
          },
          COMMAND_LINE,
        );
        process.stdout.write(`pallet feed: '${updated.name}' is ${updated.isPrivate ? 'private' : 'public'} and accepts ${updated.accepts}\n`);
      } else if (action === 'pin' || action === 'unpin') {
        const { setPinned } = await import('../../app/feeds/retention.ts');
        await setPinned({ packages: tools.packages, feeds: tools.feeds, now: () => new Date(), log: quietLog }, caller, { feed: name as string, id: account as string, version: version as string, pinned: action === 'pin' });
        process.stdout.write(`pallet feed: ${account} ${version} is ${action === 'pin' ? 'pinned' : 'no longer pinned'} in '${name}'\n`);
      } else if (values.remove === true) {
        await feeds.removeFeedMember(deps, caller, { feed: name as string, accountName: account as string }, COMMAND_LINE);
        process.stdout.write(`pallet feed: '${account}' is no longer a member of '${name}'\n`);
      } else {
        await feeds.setFeedMember(deps, caller, { feed: name as string, accountName: account as string, role: values.role as string }, COMMAND_LINE);
        process.stdout.write(`pallet feed: '${account}' is ${values.role} of '${name}'\n`);
      }
      return 0;
    });
  },
};
