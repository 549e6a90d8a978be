/**
 * The one configuration schema. The TypeScript type, the defaults and the validation all come from here;
 * `load.ts` merges defaults ← YAML file ← environment ← command-line flags and validates once.
 */
import { z } from 'zod';
import { parseByteSize } from './byte-size.ts';

export const DEFAULT_MAX_PACKAGE_SIZE = 250 * 1024 * 1024; // nuget.org's limit: 262,144,000 bytes

const byteSize = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const bytes = parseByteSize(value);
  if (bytes === undefined) {
    ctx.addIssue({ code: 'custom', message: `'${value}' is not a size (use bytes, or a number with KB, MB, GB, KiB, MiB or GiB)` });
    return z.NEVER;
  }
  return bytes;
});

const publicUrl = z.string().transform((value, ctx) => {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    ctx.addIssue({ code: 'custom', message: `'${value}' is not an absolute URL (example: https://nuget.example.com)` });
    return z.NEVER;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    ctx.addIssue({ code: 'custom', message: `'${value}' must use http or https` });
    return z.NEVER;
  }
  if (url.search || url.hash || url.username || url.password) {
    ctx.addIssue({ code: 'custom', message: `'${value}' must not carry a query, a fragment or credentials` });
    return z.NEVER;
  }
  return url.href.replace(/\/+$/, '');
});

export const configSchema = z
  .object({
    host: z.string().min(1).default('0.0.0.0').describe('Interface to listen on'),
    port: z
      .union([z.number(), z.string()])
      .transform((value, ctx) => {
        const text = String(value).trim();
        const port = /^\d{1,5}$/.test(text) ? Number(text) : Number.NaN;
        if (!(port >= 0 && port <= 65535)) {
          ctx.addIssue({ code: 'custom', message: `'${String(value)}' is not a port number (0 to 65535)` });
          return z.NEVER;
        }
        return port;
      })
      .default(5000)
      .describe('TCP port (0 picks a free one)'),
    dataDir: z.string().min(1).default('./data').describe('Folder for the SQLite database and package blobs'),
    publicUrl: publicUrl
      .optional()
      .describe('Absolute base URL written into every document (set it behind a reverse proxy); default: from the request Host'),
    apiKey: z
      .string()
      .regex(/^[\x21-\x7e]{8,256}$/, 'must be 8 to 256 printable ASCII characters without spaces')
      .optional()
      .describe('API key with full rights, for pushing and unlisting'),
    maxPackageSize: byteSize
      .default(DEFAULT_MAX_PACKAGE_SIZE)
      .refine((bytes) => bytes >= 1024, 'must be at least 1 KiB')
      .describe('Largest .nupkg accepted by push, in bytes or with a unit (250MiB)'),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  })
  .strict();

export type Config = Readonly<z.output<typeof configSchema>>;
export type ConfigInput = z.input<typeof configSchema>;
