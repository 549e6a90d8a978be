/** `pallet serve`: runs the server until SIGTERM or SIGINT, then shuts down within `shutdownTimeout`. */
import { mkdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PortInUseError, SecondaryProcesses, claimPort } from '../server-processes.ts';
import { buildApp } from '../../app.ts';
import { redirectUriOf } from '../../http/web/provider-redirect-uri.ts';
import { redactConfig } from '../../config/load.ts';
import { DataFolderInUseError } from '../../stores/data-folder-lock.ts';
import { configFromFlags } from '../config-options.ts';
import type { Command } from '../command.ts';
import type { Config } from '../../config/schema.ts';
import type { Logger } from '../../app/logger.ts';

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
    const several = config.processes > 1;
    // The primary's private socket for forwarded writes; a short path, as socket paths are limited to ~100 bytes.
    const writesSocket = path.join(tmpdir(), `pallet-${process.pid}-${randomBytes(4).toString('hex')}.sock`);
    let app;
    try {
      const port = several ? await claimPort(config.host, config.port) : config.port;
      app = await buildApp(several ? { ...config, port } : config, several ? { processRole: { kind: 'primary', writesSocket } } : {});
    } catch (error) {
      if (error instanceof DataFolderInUseError || error instanceof PortInUseError) {
        process.stderr.write(`${error.message}\n`);
        return 1;
      }
      throw error;
    }
    // Taken from here on, so a stop while the secondaries start is a clean shutdown like any other.
    const stopSignal = new Promise<string>((resolve) => {
      process.once('SIGINT', () => resolve('SIGINT'));
      process.once('SIGTERM', () => resolve('SIGTERM'));
    });
    const { port, serviceIndexUrl } = await app.listen();
    let secondaries: SecondaryProcesses | undefined;
    let signalDuringStart: string | undefined;
    if (several) {
      secondaries = new SecondaryProcesses({ config, writesSocket, port, log: app.log });
      try {
        signalDuringStart = await Promise.race([secondaries.launch(config.processes - 1).then(() => undefined), stopSignal]);
      } catch (error) {
        app.log.error({ err: error }, 'the secondary server processes did not start');
        await secondaries.stop();
        await app.close();
        return 1;
      }
    }
    if (signalDuringStart === undefined) announceListening(app.log, config, serviceIndexUrl);
    if (signalDuringStart === undefined && app.setupToken !== undefined) {
      // Standard error, not the log: the link is a secret that works once, for whoever started the server.
      const base = serviceIndexUrl.replace(/\/v3\/index\.json$/, '');
      process.stderr.write(`No administrator yet: open ${base}/account/setup?token=${app.setupToken} to create the first one (the link works once).\n`);
    }
    const signal = signalDuringStart ?? (await stopSignal);
    app.log.info({ signal, shutdownTimeoutMs: config.shutdownTimeout }, 'shutting down');
    const again = (second: string) => {
      app.log.warn({ signal: second }, 'second signal: stopping without waiting');
      process.exit(1);
    };
    process.once('SIGINT', again);
    process.once('SIGTERM', again);
    // Secondaries first: their forwarded pushes still need the primary while they finish.
    await secondaries?.stop();
    await app.close();
    app.log.info('stopped');
    return 0;
  },
};

function announceListening(log: Logger, config: Config, serviceIndexUrl: string): void {
  // redactConfig shows whether a key is set ('[set]' / '[not set]'), never the key.
  log.info({ serviceIndexUrl, processes: config.processes, config: redactConfig(config) }, 'Pallet is listening');
  if (config.apiKey === undefined) log.info("no administrator API key is configured (PALLET_API_KEY): only users' keys (pallet key create) push and unlist");
  if (config.smtpUrl === undefined) log.info('no SMTP server is configured (PALLET_SMTP_URL): no email is sent; webhooks are');
  if (config.publicUrl === undefined) {
    // Behind a TLS proxy the request arrives as http, so documents would advertise http:// URLs.
    log.info("publicUrl is not set: documents use each request's Host header and plain http; set it behind a reverse proxy");
  }
  const base = serviceIndexUrl.replace(/\/v3\/index\.json$/, '');
  for (const provider of Object.keys(config.identityProviders)) {
    // The one value an administrator must copy into the provider's app registration.
    log.info({ provider, redirectUri: redirectUriOf(base, provider) }, `sign-in through '${provider}': register this redirect URI at the provider`);
  }
}
