/**
 * Loads the configuration: defaults ← YAML file (`--config`) ← environment (`PALLET_*`) ← flags.
 * Every problem is collected and reported at once; the result is frozen and passed explicitly.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { configSchema, environmentVariableOf, redactedSetting, SECRET_SETTINGS, SETTING_NAMES, type Config } from './schema.ts';

export class ConfigError extends Error {
  readonly problems: readonly string[];

  constructor(problems: string[]) {
    super(`Pallet cannot start, the configuration has ${problems.length} problem(s):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

export interface ConfigSources {
  /** Values from command-line flags, already named as config keys. */
  flags?: Record<string, string | undefined>;
  configFile?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

export function loadConfig(sources: ConfigSources = {}): Config {
  const cwd = sources.cwd ?? process.cwd();
  const env = sources.env ?? process.env;
  const problems: string[] = [];
  const merged: Record<string, unknown> = {};
  let dataDirBase = cwd;

  if (sources.configFile) {
    const filePath = path.resolve(cwd, sources.configFile);
    const fromFile = readConfigFile(filePath, problems);
    Object.assign(merged, fromFile);
    // Relative paths in a config file are relative to that file, not to wherever the server was started.
    if (typeof fromFile.dataDir === 'string') dataDirBase = path.dirname(filePath);
  }

  // Every setting has a variable (`dataDir` → PALLET_DATA_DIR) and a `*_FILE` variant that reads the value from a file.
  for (const key of SETTING_NAMES) {
    const variable = environmentVariableOf(key);
    const fileVariable = `${variable}_FILE`;
    if (env[fileVariable]) {
      try {
        merged[key] = readFileSync(env[fileVariable], 'utf8').trim();
        if (key === 'dataDir') dataDirBase = cwd;
      } catch (error) {
        problems.push(`${fileVariable}: cannot read ${env[fileVariable]} (${(error as Error).message})`);
      }
    } else if (env[variable] !== undefined && env[variable] !== '') {
      merged[key] = env[variable];
      if (key === 'dataDir') dataDirBase = cwd;
    }
  }

  for (const [key, value] of Object.entries(sources.flags ?? {})) {
    if (value === undefined) continue;
    merged[key] = value;
    if (key === 'dataDir') dataDirBase = cwd;
  }

  const result = configSchema.safeParse(merged);
  if (!result.success) {
    for (const issue of result.error.issues) {
      const where = issue.path.length > 0 ? issue.path.join('.') : 'config';
      problems.push(`${where}: ${issue.message}`);
    }
  }
  if (problems.length > 0 || !result.success) throw new ConfigError(problems);

  return Object.freeze({ ...result.data, dataDir: path.resolve(dataDirBase, result.data.dataDir) });
}

function readConfigFile(filePath: string, problems: string[]): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(filePath, 'utf8');
  } catch (error) {
    problems.push(`--config: cannot read ${filePath} (${(error as Error).message})`);
    return {};
  }
  try {
    // Loaded only when a file is given: the YAML parser is some 70 modules, a tenth of every start.
    const yaml = createRequire(import.meta.url)('yaml') as typeof import('yaml');
    const parsed: unknown = yaml.parse(text);
    if (parsed === null || parsed === undefined) return {};
    if (typeof parsed !== 'object' || Array.isArray(parsed)) {
      problems.push(`${filePath}: must be a YAML mapping of settings`);
      return {};
    }
    return parsed as Record<string, unknown>;
  } catch (error) {
    problems.push(`${filePath}: not valid YAML (${(error as Error).message})`);
    return {};
  }
}

/** The configuration as it may be printed or logged: secrets replaced by whether they are set. */
export function redactConfig(config: Config): Record<string, unknown> {
  const redacted: Record<string, unknown> = { ...config };
  for (const key of SECRET_SETTINGS) redacted[key] = redactedSetting(key, config[key]);
  return redacted;
}
