/**
 * The `pallet` command. `pallet serve` starts the server; flags override environment, which overrides the
 * YAML file given with --config, which overrides the defaults.
 */
import { parseArgs } from 'node:util';
import { mkdirSync } from 'node:fs';
import { ConfigError, loadConfig, redactConfig } from '../config/load.ts';
import { buildApp } from '../app.ts';

const USAGE = `Usage: pallet serve [options]

Options:
  --port <n>            TCP port (default 5000; env PALLET_PORT)
  --host <address>      interface to listen on (default 0.0.0.0; env PALLET_HOST)
  --data <folder>       data folder for the database and packages (default ./data; env PALLET_DATA_DIR)
  --public-url <url>    absolute base URL written into documents (env PALLET_PUBLIC_URL)
  --max-package-size <size>  largest accepted .nupkg, e.g. 250MiB (env PALLET_MAX_PACKAGE_SIZE)
  --log-level <level>   fatal, error, warn, info, debug, trace or silent (env PALLET_LOG_LEVEL)
  --config <file>       YAML file with any of the settings above
  -h, --help            show this help

The API key for pushing comes from PALLET_API_KEY (or PALLET_API_KEY_FILE, or apiKey in the config file).`;

export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        data: { type: 'string' },
        'public-url': { type: 'string' },
        'max-package-size': { type: 'string' },
        'log-level': { type: 'string' },
        config: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  const [command = 'serve'] = parsed.positionals;
  if (parsed.values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (command !== 'serve') {
    process.stderr.write(`Unknown command '${command}'.\n\n${USAGE}\n`);
    return 2;
  }

  let config;
  try {
    config = loadConfig({
      configFile: parsed.values.config,
      flags: {
        port: parsed.values.port,
        host: parsed.values.host,
        dataDir: parsed.values.data,
        publicUrl: parsed.values['public-url'],
        maxPackageSize: parsed.values['max-package-size'],
        logLevel: parsed.values['log-level'],
      },
    });
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      return 1;
    }
    throw error;
  }

  mkdirSync(config.dataDir, { recursive: true });
  const app = await buildApp(config);
  const { serviceIndexUrl } = await app.listen();
  app.log.info(
    // redactConfig shows whether a key is set ('[set]' / '[not set]'), never the key.
    { serviceIndexUrl, config: redactConfig(config) },
    'Pallet is listening',
  );
  if (config.apiKey === undefined) app.log.warn('no API key is configured (PALLET_API_KEY): pushing and unlisting are disabled');
  if (config.publicUrl === undefined) {
    // Behind a TLS proxy the request arrives as http, so documents would advertise http:// URLs.
    app.log.info('publicUrl is not set: documents use each request\'s Host header and plain http; set it behind a reverse proxy');
  }

  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      app.log.info({ signal }, 'shutting down');
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await app.close();
  return 0;
}
