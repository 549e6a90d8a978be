/**
 * The configuration flags every command shares, derived from the config schema: `dataDir` is
 * `--data-dir` (and `--data`), `maxPackageSize` is `--max-package-size`. Secrets have no flag, since
 * flags show in the process list; they come from the environment, a `*_FILE` variable or the YAML file.
 */
import type { ParseArgsConfig } from 'node:util';
import { ConfigError, loadConfig } from '../config/load.ts';
import { describeSetting, environmentVariableOf, flagOf, SECRET_SETTINGS, SETTING_NAMES, type Config, type SettingName } from '../config/schema.ts';

type Options = NonNullable<ParseArgsConfig['options']>;

const FLAG_SETTINGS = SETTING_NAMES.filter((name) => !SECRET_SETTINGS.has(name));

export const CONFIG_OPTIONS: Options = {
  ...Object.fromEntries(FLAG_SETTINGS.map((name) => [flagOf(name), { type: 'string' as const }])),
  // The short form documented since the first release.
  data: { type: 'string' },
  config: { type: 'string' },
};

export function configUsage(): string {
  const lines = FLAG_SETTINGS.map((name) => {
    const flag = name === 'dataDir' ? '--data <folder>' : `--${flagOf(name)} <value>`;
    return `  ${flag.padEnd(30)} ${describeSetting(name)} (env ${environmentVariableOf(name)})`;
  });
  const secrets = [...SECRET_SETTINGS].map((name) => environmentVariableOf(name)).join(', ');
  return [
    ...lines,
    `  ${'--config <file>'.padEnd(30)} YAML file with any of the settings above`,
    '',
    `Secrets have no flag: set ${secrets} (or the same name with _FILE, or the YAML file).`,
  ].join('\n');
}

/** Loads the configuration from parsed flags, the environment and `--config`; writes the problems and returns undefined if it is invalid. */
export function configFromFlags(values: Record<string, string | boolean | (string | boolean)[] | undefined>): Config | undefined {
  const flags: Partial<Record<SettingName, string>> = {};
  for (const name of FLAG_SETTINGS) {
    const value = values[flagOf(name)];
    if (typeof value === 'string') flags[name] = value;
  }
  if (flags.dataDir === undefined && typeof values.data === 'string') flags.dataDir = values.data;
  try {
    return loadConfig({ configFile: typeof values.config === 'string' ? values.config : undefined, flags });
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      return undefined;
    }
    throw error;
  }
}
