/**
 * Makes users (and an API key each, when asked) in a running in-process server's data folder, through the
 * same use cases as `pallet user create` and `pallet key create`; returns the keys by user name.
 */
import { openDatabaseForTools } from '../../src/app.ts';
import { dataFolderLayout } from '../../src/data-folder.ts';
import { createUser } from '../../src/app/accounts/create-user.ts';
import { createApiKey } from '../../src/app/accounts/create-api-key.ts';
import { COMMAND_LINE } from '../../src/app/events.ts';

export interface SeededUser {
  readonly name: string;
  readonly password?: string;
  readonly administrator?: boolean;
  /** A key of this name and these scopes. */
  readonly key?: { readonly name: string; readonly scopes: readonly string[] };
}

export async function seedUsers(dataDir: string, users: readonly SeededUser[]): Promise<Record<string, string>> {
  const tools = openDatabaseForTools(dataFolderLayout(dataDir).database, 'write');
  const keys: Record<string, string> = {};
  try {
    const deps = { accounts: tools.accounts, keys: tools.keys, organizations: tools.organizations, feeds: tools.feeds, now: () => new Date(), maxLifetimeMs: 30 * 86_400_000 };
    for (const user of users) {
      await createUser(deps, COMMAND_LINE, { name: user.name, email: `${user.name}@example.com`, isAdministrator: user.administrator ?? false, password: user.password });
      if (user.key !== undefined) {
        keys[user.name] = (await createApiKey(deps, COMMAND_LINE, { userName: user.name, name: user.key.name, scopes: user.key.scopes, patterns: [], lifetimeMs: undefined })).secret;
      }
    }
  } finally {
    tools.close();
  }
  // Written by another connection: the server's read snapshot of this turn predates it.
  await new Promise((resolve) => setImmediate(resolve));
  return keys;
}
