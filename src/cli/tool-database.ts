/**
 * What the commands that work on a running server's data folder share (every one but `serve`, `verify`,
 * `backup` and `restore`, which open the folder their own way): the configuration from the flags,
 * the database opened for the administrator's tools (never migrated), closed whatever happens, and a
 * refusal or failure printed as the command's.
 */
import { openDatabaseForTools, type DatabaseForTools } from '../app.ts';
import type { Config } from '../config/schema.ts';
import { dataFolderLayout } from '../data-folder.ts';
import { configFromFlags } from './config-options.ts';
import { reportToolError } from './output.ts';

/** Runs `work` on the database and returns its exit code; 2 for bad flags, the reported error's code otherwise. */
export async function withToolDatabase(
  command: string,
  values: Parameters<typeof configFromFlags>[0],
  mode: 'read' | 'write',
  work: (tools: DatabaseForTools, config: Config) => Promise<number>,
): Promise<number> {
  const config = configFromFlags(values);
  if (!config) return 2;
  try {
    const tools = openDatabaseForTools(dataFolderLayout(config.dataDir).database, mode);
    try {
      return await work(tools, config);
    } finally {
      tools.close();
    }
  } catch (error) {
    return reportToolError(command, error);
  }
}
