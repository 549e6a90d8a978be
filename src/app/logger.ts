/** The logging the use cases need; pino's and Fastify's request loggers both fit it. */
import type { BaseLogger } from 'pino';

export type Logger = Pick<BaseLogger, 'info' | 'warn' | 'error' | 'debug'>;
