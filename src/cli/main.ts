/**
 * The `pallet` command: `serve` (the default), the administrator's tools `verify`, `backup` and
 * `restore`, the accounts commands `user`, `key` and `prefix`, `webhook` and `audit`. Every command reads the same configuration: flags override the environment, which overrides
 * the YAML file given with --config, which overrides the defaults.
 */
import { parseArgs } from 'node:util';
import { CONFIG_OPTIONS, configUsage } from './config-options.ts';
import type { Command } from './command.ts';
import { serveCommand } from './commands/serve.ts';
import { verifyCommand } from './commands/verify.ts';
import { backupCommand } from './commands/backup.ts';
import { restoreCommand } from './commands/restore.ts';
import { userCommand } from './commands/user.ts';
import { keyCommand } from './commands/key.ts';
import { prefixCommand } from './commands/prefix.ts';
import { feedCommand } from './commands/feed.ts';
import { promoteCommand } from './commands/promote.ts';
import { exportCommand } from './commands/export.ts';
import { importCommand } from './commands/import.ts';
import { retentionCommand } from './commands/retention.ts';
import { auditCommand } from './commands/audit.ts';
import { webhookCommand } from './commands/webhook.ts';

const COMMANDS: readonly Command[] = [serveCommand, verifyCommand, backupCommand, restoreCommand, userCommand, keyCommand, prefixCommand, feedCommand, promoteCommand, importCommand, exportCommand, retentionCommand, webhookCommand, auditCommand];

function usage(command?: Command): string {
  if (command) {
    return `Usage: ${command.synopsis}\n\n${command.details}\n\nConfiguration:\n${configUsage()}`;
  }
  const list = COMMANDS.map((each) => `  ${each.name.padEnd(10)} ${each.summary}`).join('\n');
  return `Usage: pallet serve [options]\n       pallet <command> [arguments] [options]\n\nCommands:\n${list}\n\nRun 'pallet <command> --help' for its options.\n\nConfiguration (every command):\n${configUsage()}`;
}

export async function main(argv: string[]): Promise<number> {
  const first = argv[0];
  const named = first !== undefined && !first.startsWith('-') ? COMMANDS.find((each) => each.name === first) : undefined;
  if (first !== undefined && !first.startsWith('-') && !named) {
    process.stderr.write(`Unknown command '${first}'.\n\n${usage()}\n`);
    return 2;
  }
  const command = named ?? serveCommand;
  const args = named ? argv.slice(1) : argv;

  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, options: { ...CONFIG_OPTIONS, ...command.options, help: { type: 'boolean', short: 'h' } } });
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${usage(command)}\n`);
    return 2;
  }
  if (parsed.values.help) {
    process.stdout.write(`${usage(named)}\n`);
    return 0;
  }
  const { positionals } = parsed;
  if (positionals.length < command.minPositionals || positionals.length > command.maxPositionals) {
    process.stderr.write(`${command.name}: expected ${command.synopsis.replace(/ \[options\]$/, '')}\n\n${usage(command)}\n`);
    return 2;
  }
  return command.run(parsed.values, positionals);
}
