/**
 * `pallet user create NAME --email E [--admin] [--password-stdin]`, `pallet user reset-password NAME`
 * (`--password-stdin`) and `pallet user disable NAME`: on the same data folder and configuration as
 * `pallet serve`, while it runs (the database's tool mode), through the same use cases as the server.
 */
import { readSecretFromStdin } from '../read-secret.ts';
import type { Command } from '../command.ts';
import { withToolDatabase } from '../tool-database.ts';

const ACTIONS = ['create', 'reset-password', 'disable', 'set'] as const;

export const userCommand: Command = {
  name: 'user',
  summary: 'create a user, set their password or preferences, or disable them',
  synopsis: 'pallet user create|reset-password|set|disable <name> [options]',
  details:
    'create <name>            a user account; --email <address>, --admin for an administrator,\n' +
    '                         --password-stdin to read a password (first line of standard input)\n' +
    'reset-password <name>    sets the password read with --password-stdin\n' +
    'set <name>               --publish-emails on|off: the email sent when one of their packages is published\n' +
    'disable <name>           the account can no longer sign in, and its API keys are refused\n\n' +
    'Works on the data folder of a running server. Exit code 0 on success, 1 when refused (the reason is printed), 2: bad usage.',
  options: {
    email: { type: 'string' },
    admin: { type: 'boolean' },
    'password-stdin': { type: 'boolean' },
    'display-name': { type: 'string' },
    'publish-emails': { type: 'string' },
  },
  minPositionals: 2,
  maxPositionals: 2,
  async run(values, positionals) {
    const [action, name] = positionals as [string, string];
    if (!(ACTIONS as readonly string[]).includes(action)) {
      process.stderr.write(`pallet user: '${action}' is not an action; use ${ACTIONS.join(', ')}.\n`);
      return 2;
    }
    if (action === 'reset-password' && values['password-stdin'] !== true) {
      process.stderr.write('pallet user reset-password: pass --password-stdin and the new password on standard input.\n');
      return 2;
    }
    const publishEmails = values['publish-emails'];
    if (action === 'set' && publishEmails !== 'on' && publishEmails !== 'off') {
      process.stderr.write('pallet user set: pass --publish-emails on or --publish-emails off.\n');
      return 2;
    }
    return withToolDatabase('user', values, 'write', async (tools) => {
      const password = values['password-stdin'] === true ? await readSecretFromStdin() : undefined;
      const { COMMAND_LINE } = await import('../../app/events.ts');
      const deps = { accounts: tools.accounts, now: () => new Date() };
      if (action === 'create') {
        const { createUser } = await import('../../app/accounts/create-user.ts');
        const user = await createUser(deps, COMMAND_LINE, {
          name,
          email: typeof values.email === 'string' ? values.email : undefined,
          displayName: typeof values['display-name'] === 'string' ? values['display-name'] : undefined,
          isAdministrator: values.admin === true,
          password,
        });
        process.stdout.write(`pallet user: created ${user.isAdministrator ? 'administrator' : 'user'} '${user.name}'\n`);
      } else {
        const { resetPassword, disableUser, setPublishEmails } = await import('../../app/accounts/manage-user.ts');
        if (action === 'reset-password') await resetPassword(deps, COMMAND_LINE, name, password as string);
        else if (action === 'set') await setPublishEmails(deps, name, publishEmails === 'on');
        else await disableUser(deps, COMMAND_LINE, name);
        const done = { 'reset-password': 'set the password of', set: 'set the preferences of', disable: 'disabled' }[action];
        process.stdout.write(`pallet user: ${done} '${name}'\n`);
      }
      return 0;
    });
  },
};
