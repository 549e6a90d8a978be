/**
 * `pallet key create --user NAME --name N [--scope push|push-version|unlist]… [--glob PATTERN]… [--owner ORG] [--feed NAME]… [--expires 30d]`
 * prints the new key, and only the key, on standard output (so `KEY=$(pallet key create …)` works);
 * `pallet key revoke --user NAME --name N`; `pallet key list --user NAME` prints one JSON object per key,
 * never a secret. On the data folder of a running server, through the same use cases as the server.
 */
import { parseDuration } from '../../config/duration.ts';
import type { Command } from '../command.ts';
import { withToolDatabase } from '../tool-database.ts';

const ACTIONS = ['create', 'regenerate', 'revoke', 'list'] as const;

function strings(value: unknown): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).filter((each): each is string => typeof each === 'string');
}

export const keyCommand: Command = {
  name: 'key',
  summary: 'create, revoke or list the scoped API keys of a user',
  synopsis: 'pallet key create|regenerate|revoke|list --user <name> [options]',
  details:
    'create    --name <name> [--scope push|push-version|unlist]... [--glob <pattern>]... [--owner <org>] [--expires <30d>]\n' +
    "          prints the key only; the scope is push unless given; globs such as 'Contoso.*' or plain ids limit\n" +
    '          the packages (none: every package the owner owns); --owner makes it act for an organization the\n' +
    '          user is a member of; --feed <name> (repeatable) limits it to those feeds; --scope read makes a\n' +
    '          key that only reads private feeds; the expiry defaults to apiKeyLifetime\n' +
    'regenerate --name <name> [--expires <30d>]: a new secret (printed only) and expiry, same scopes and packages\n' +
    'revoke    --name <name>\n' +
    'list      one JSON line per key (name, scopes, patterns, created, expires, revoked, last used)\n\n' +
    'Works on the data folder of a running server. Exit code 0 on success, 1 when refused (the reason is printed), 2: bad usage.',
  options: {
    user: { type: 'string' },
    name: { type: 'string' },
    scope: { type: 'string', multiple: true },
    glob: { type: 'string', multiple: true },
    expires: { type: 'string' },
    owner: { type: 'string' },
    feed: { type: 'string', multiple: true },
  },
  minPositionals: 1,
  maxPositionals: 1,
  async run(values, positionals) {
    const action = positionals[0] as string;
    if (!(ACTIONS as readonly string[]).includes(action)) {
      process.stderr.write(`pallet key: '${action}' is not an action; use ${ACTIONS.join(', ')}.\n`);
      return 2;
    }
    const userName = typeof values.user === 'string' ? values.user : undefined;
    const name = typeof values.name === 'string' ? values.name : undefined;
    if (userName === undefined || (action !== 'list' && name === undefined)) {
      process.stderr.write(`pallet key ${action}: pass --user <name>${action === 'list' ? '' : ' and --name <key name>'}.\n`);
      return 2;
    }
    const lifetimeMs = typeof values.expires === 'string' ? parseDuration(values.expires) : undefined;
    if (typeof values.expires === 'string' && !lifetimeMs) {
      process.stderr.write(`pallet key create: '${values.expires}' is not a duration; use days or hours such as 30d or 12h.\n`);
      return 2;
    }
    return withToolDatabase('key', values, 'write', async (tools, config) => {
      const { COMMAND_LINE } = await import('../../app/events.ts');
      const deps = { accounts: tools.accounts, keys: tools.keys, organizations: tools.organizations, feeds: tools.feeds, now: () => new Date(), maxLifetimeMs: config.apiKeyLifetime };
      if (action === 'create') {
        const { createApiKey } = await import('../../app/accounts/create-api-key.ts');
        const scopes = strings(values.scope);
        const created = await createApiKey(deps, COMMAND_LINE, {
          userName,
          name: name as string,
          scopes: scopes.length === 0 ? ['push'] : scopes,
          patterns: strings(values.glob),
          lifetimeMs,
          ownerName: typeof values.owner === 'string' ? values.owner : undefined,
          feedNames: strings(values.feed),
        });
        process.stdout.write(`${created.secret}\n`);
      } else if (action === 'regenerate') {
        const { regenerateApiKey } = await import('../../app/accounts/create-api-key.ts');
        const regenerated = await regenerateApiKey(deps, COMMAND_LINE, { userName, name: name as string, lifetimeMs });
        process.stdout.write(`${regenerated.secret}\n`);
      } else if (action === 'revoke') {
        const { revokeApiKey } = await import('../../app/accounts/revoke-api-key.ts');
        await revokeApiKey(deps, COMMAND_LINE, { userName, name: name as string });
        process.stderr.write(`pallet key: revoked '${name}' of '${userName}'\n`);
      } else {
        const user = await tools.accounts.findAccountByName(userName);
        if (user === undefined) {
          process.stderr.write(`pallet key list: there is no user '${userName}'.\n`);
          return 1;
        }
        for (const key of await tools.keys.listKeys(user.accountId)) {
          const listed = {
            name: key.name,
            scopes: key.scopes,
            patterns: key.patterns.map((pattern) => pattern.text),
            feedIds: key.feedIds,
            createdAt: key.createdAt.toISOString(),
            expiresAt: key.expiresAt.toISOString(),
            revokedAt: key.revokedAt?.toISOString() ?? null,
            lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
          };
          process.stdout.write(`${JSON.stringify(listed)}\n`);
        }
      }
      return 0;
    });
  },
};
