/** `pallet serve`: runs the server until SIGTERM or SIGINT, then shuts down within `shutdownTimeout`. */
import { mkdirSync } from 'node:fs';
import { buildApp } from '../../app.ts';
import { redactConfig } from '../../config/load.ts';
import { DataFolderInUseError } from '../../stores/data-folder-lock.ts';
import { configFromFlags } from '../config-options.ts';
import type { Command } from '../command.ts';

export const serveCommand: Command = {
  name: 'serve',
  summary: 'run the NuGet server (the default command)',
  synopsis: 'pallet serve [options]',
  details:
    'Serves the NuGet V3 feed on the configured port. The API key for pushing comes from PALLET_API_KEY\n' +
    '(or PALLET_API_KEY_FILE, or apiKey in the config file). On SIGTERM or SIGINT, requests in flight get\n' +
    'shutdownTimeout to finish; a second signal stops at once.',
  options: {},
  minPositionals: 0,
  maxPositionals: 0,
  async run(values) {
    const config = configFromFlags(values);
    if (!config) return 1;
    mkdirSync(config.dataDir, { recursive: true });
    let app;
    try {
      app = await buildApp(config);
    } catch (error) {
      if (error instanceof DataFolderInUseError) {
        process.stderr.write(`${error.message}\n`);
        return 1;
      }
      throw error;
    }
    const { serviceIndexUrl } = await app.listen();
    // redactConfig shows whether a key is set ('[set]' / '[not set]'), never the key.
    app.log.info({ serviceIndexUrl, config: redactConfig(config) }, 'Pallet is listening');
    if (config.apiKey === undefined) app.log.warn('no API key is configured (PALLET_API_KEY): pushing and unlisting are disabled');
    if (config.publicUrl === undefined) {
      // Behind a TLS proxy the request arrives as http, so documents would advertise http:// URLs.
      app.log.info("publicUrl is not set: documents use each request's Host header and plain http; set it behind a reverse proxy");
    }

    const signal = await new Promise<string>((resolve) => {
      process.once('SIGINT', () => resolve('SIGINT'));
      process.once('SIGTERM', () => resolve('SIGTERM'));
    });
    app.log.info({ signal, shutdownTimeoutMs: config.shutdownTimeout }, 'shutting down');
    const again = (second: string) => {
      app.log.warn({ signal: second }, 'second signal: stopping without waiting');
      process.exit(1);
    };
    process.once('SIGINT', again);
    process.once('SIGTERM', again);
    await app.close();
    app.log.info('stopped');
    return 0;
  },
};
