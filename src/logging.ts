/** Logger options: JSON lines with secrets redacted at the logger, before anything is written. */
import type { LoggerOptions } from 'pino';

export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-nuget-apikey"]',
  'req.headers.cookie',
  'headers.authorization',
  'headers["x-nuget-apikey"]',
  'apiKey',
  'smtpUrl',
];

export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    // The pid tells the processes of one server apart (the `processes` setting).
    base: { service: 'pallet', pid: process.pid },
  };
}
