/**
 * The one configuration schema. The TypeScript type, the defaults and the validation all come from here;
 * `load.ts` merges defaults ← YAML file ← environment ← command-line flags and validates once.
 */
import { isIP } from 'node:net';
import { z } from 'zod';
import { availableParallelism } from 'node:os';
import { parseByteSize } from './byte-size.ts';
import { parseDuration } from './duration.ts';

export const DEFAULT_MAX_PACKAGE_SIZE = 250 * 1024 * 1024; // nuget.org's limit: 262,144,000 bytes

const byteSize = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const bytes = parseByteSize(value);
  if (bytes === undefined) {
    ctx.addIssue({ code: 'custom', message: `'${value}' is not a size (use bytes, or a number with KB, MB, GB, KiB, MiB or GiB)` });
    return z.NEVER;
  }
  return bytes;
});

const MAX_TIMER_MS = 2 ** 31 - 1;

const duration = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const milliseconds = parseDuration(value);
  if (milliseconds === undefined || milliseconds === 0) {
    ctx.addIssue({ code: 'custom', message: `'${value}' is not a duration (use seconds, or a number with ms, s, m or h: 30s, 15m)` });
    return z.NEVER;
  }
  // Node's timers fire at once past 2^31 - 1 ms: a larger value would time out every request.
  if (milliseconds > MAX_TIMER_MS) {
    ctx.addIssue({ code: 'custom', message: `'${value}' is longer than ${MAX_TIMER_MS} ms (about 24 days), the longest timer Node keeps` });
    return z.NEVER;
  }
  return milliseconds;
});

/** A duration that no timer waits for (an expiry), so longer than Node's longest timer is fine. */
const lifetime = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const milliseconds = parseDuration(value);
  if (milliseconds === undefined || milliseconds === 0) {
    ctx.addIssue({ code: 'custom', message: `'${value}' is not a duration (use a number with m, h or d: 12h, 90d)` });
    return z.NEVER;
  }
  return milliseconds;
});

const DAY_MS = 24 * 60 * 60 * 1000;

/** `true` or `false`, as YAML writes them or as text from the environment and flags. */
const onOff = z.union([z.boolean(), z.string()]).transform((value, ctx) => {
  if (typeof value === 'boolean') return value;
  const text = value.trim().toLowerCase();
  if (text === 'true') return true;
  if (text === 'false') return false;
  ctx.addIssue({ code: 'custom', message: `'${value}' is neither true nor false` });
  return z.NEVER;
});

function wholeNumber(min: number, max: number, what = `a whole number from ${min} to ${max}`) {
  return z.union([z.number(), z.string()]).transform((value, ctx) => {
    const text = String(value).trim();
    const number = /^\d{1,9}$/.test(text) ? Number(text) : Number.NaN;
    if (!(number >= min && number <= max)) {
      ctx.addIssue({ code: 'custom', message: `'${String(value)}' is not ${what}` });
      return z.NEVER;
    }
    return number;
  });
}

/** `false`, `true`, or addresses and CIDR ranges (`10.0.0.0/8, 127.0.0.1`), as Fastify's trustProxy takes them. */
const trustedProxies = z.union([z.boolean(), z.string()]).transform((value, ctx): boolean | string[] => {
  if (typeof value === 'boolean') return value;
  const text = value.trim().toLowerCase();
  if (text === '' || text === 'false') return false;
  if (text === 'true') return true;
  const entries = text.split(',').map((entry) => entry.trim()).filter((entry) => entry.length > 0);
  const bad = entries.filter((entry) => {
    const [address = '', prefix] = entry.split('/');
    const family = isIP(address);
    return family === 0 || (prefix !== undefined && !(/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128)));
  });
  if (bad.length > 0) {
    ctx.addIssue({ code: 'custom', message: `'${bad.join("', '")}' is not an IP address or CIDR range (example: 10.0.0.0/8, 127.0.0.1), nor true or false` });
    return z.NEVER;
  }
  return entries;
});

/** `smtp://user:pass@host:587` or `smtps://…`: the server mail is sent through. */
const smtpUrl = z.string().transform((value, ctx) => {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') || url.hostname === '') {
    // The value may hold a password: it is never repeated in the message.
    ctx.addIssue({ code: 'custom', message: 'is not an SMTP URL (smtp://user:password@host:587, or smtps:// for TLS from the start)' });
    return z.NEVER;
  }
  return value;
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

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** An OpenID Connect issuer: https, or http on loopback only (a provider started next to the server, as the tests do). */
const issuerUrl = z.string().transform((value, ctx) => {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    ctx.addIssue({ code: 'custom', message: `'${value}' is not an absolute URL (example: https://login.microsoftonline.com/TENANT/v2.0)` });
    return z.NEVER;
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname))) {
    ctx.addIssue({ code: 'custom', message: `'${value}' must use https (http only on loopback)` });
    return z.NEVER;
  }
  return url.href.replace(/\/+$/, '');
});

/** What every kind of identity provider takes. */
const providerCommon = {
  clientId: z.string().min(1).max(512),
  displayName: z.string().min(1).max(60).optional().describe("The sign-in button's text; default: the provider's name"),
  createAccounts: onOff.default(true).describe('Whether the first sign-in of an unknown identity creates an account (false: refused)'),
};

/** An OpenID Connect provider (the authorization-code flow with PKCE, the ID token verified). */
const openIdConnectProvider = z
  .object({
    kind: z.literal('oidc'),
    issuer: issuerUrl.describe("The provider's issuer URL; its /.well-known/openid-configuration is read"),
    clientSecret: z.string().min(1).max(4096).optional().describe('None: a public client (PKCE only)'),
    scopes: z.string().min(1).default('openid email profile'),
    trustEmail: onOff
      .default(false)
      .describe("Whether the provider's email claim counts as verified without email_verified (Entra ID sends none)"),
    mfaCountsAsSecondFactor: onOff
      .default(false)
      .describe("Whether an ID token whose amr claim says 'mfa' stands in for Pallet's own second factor"),
    ...providerCommon,
  })
  .strict();

/** GitHub (or GitHub Enterprise Server), which signs in through OAuth, not OpenID Connect: the user is read from its API. */
const gitHubProvider = z
  .object({
    kind: z.literal('github'),
    url: issuerUrl.default('https://github.com').describe('https://github.com, or a GitHub Enterprise Server'),
    clientSecret: z.string().min(1).max(4096),
    ...providerCommon,
  })
  .strict();

/** A provider without `kind` is OpenID Connect. */
const identityProvider = z.preprocess(
  (value) => (typeof value === 'object' && value !== null && !Array.isArray(value) && !('kind' in value) ? { ...value, kind: 'oidc' } : value),
  z.discriminatedUnion('kind', [openIdConnectProvider, gitHubProvider]),
);

export type IdentityProviderSettings = z.output<typeof identityProvider>;
export type OpenIdConnectProviderSettings = z.output<typeof openIdConnectProvider>;
export type GitHubProviderSettings = z.output<typeof gitHubProvider>;

/** The origin of a provider's sign-in pages, where the browser is sent. */
export function providerOrigin(provider: IdentityProviderSettings): string {
  return new URL(provider.kind === 'github' ? provider.url : provider.issuer).origin;
}

/** Provider names are path segments of the redirect URI: `{publicUrl}/account/external/{name}/callback`. */
const PROVIDER_NAME = /^[a-z0-9][a-z0-9-]{0,31}$/;

/** A YAML mapping, or JSON text from `PALLET_IDENTITY_PROVIDERS` (or the file `PALLET_IDENTITY_PROVIDERS_FILE` names). */
const identityProviders = z
  .union([z.record(z.string(), z.unknown()), z.string()])
  .transform((value, ctx) => {
    let providers: Record<string, unknown> | undefined;
    if (typeof value !== 'string') providers = value;
    else {
      try {
        const parsed: unknown = JSON.parse(value);
        if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) providers = parsed as Record<string, unknown>;
      } catch {
        // Reported below; the text may hold a client secret, so it is never repeated.
      }
    }
    if (providers === undefined) {
      ctx.addIssue({ code: 'custom', message: 'is not a JSON object of providers ({"entra": {"issuer": "…", "clientId": "…", "clientSecret": "…"}})' });
      return z.NEVER;
    }
    // Checked here, with the providers' own problems reported too: a refinement after them would not run.
    for (const name of Object.keys(providers)) {
      if (!PROVIDER_NAME.test(name)) ctx.addIssue({ code: 'custom', path: [name], message: 'provider names are 1 to 32 lowercase letters, digits and dashes' });
    }
    return providers;
  })
  .pipe(z.record(z.string(), identityProvider));

/** A feed declared in the configuration (configuration as code): created, or brought to these settings, at each start. */
const declaredFeed = z
  .object({
    private: onOff.default(false),
    accepts: z.enum(['any', 'prerelease', 'stable']).default('any'),
    owner: z.string().min(1).max(64).optional().describe('The account that owns it when it is created'),
    members: z.record(z.string(), z.enum(['reader', 'contributor', 'owner'])).default({}).describe('Accounts and their roles, added or changed (others are left)'),
    folder: z.string().min(1).optional().describe('A folder of .nupkg files the feed follows: files dropped in are pushed, a file removed unlists'),
  })
  .strict();

export type DeclaredFeed = z.output<typeof declaredFeed>;

/** A YAML mapping, or JSON text from `PALLET_FEEDS`. */
const declaredFeeds = z
  .union([z.record(z.string(), z.unknown()), z.string()])
  .transform((value, ctx) => {
    if (typeof value !== 'string') return value;
    try {
      const parsed: unknown = JSON.parse(value);
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
    } catch {
      // Reported below.
    }
    ctx.addIssue({ code: 'custom', message: 'is not a JSON object of feeds ({"ci": {"private": true, "accepts": "prerelease"}})' });
    return z.NEVER;
  })
  .pipe(z.record(z.string(), declaredFeed));

/** One process per core serves reads on every core; past four, the one writer and SQLite gain little. */
function defaultProcesses(): number {
  return Math.max(1, Math.min(4, availableParallelism()));
}

export const configSchema = z
  .object({
    host: z.string().min(1).default('0.0.0.0').describe('Interface to listen on'),
    port: wholeNumber(0, 65535, 'a port number (0 to 65535)')
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
    trustProxy: trustedProxies
      .default(false)
      .describe('Reverse proxies whose X-Forwarded-For and -Proto to believe: comma-separated addresses or CIDRs, or true for any'),
    processes: wholeNumber(1, 64)
      .default(defaultProcesses())
      .describe('Server processes sharing the port (one per core by default, at most 4); 1 runs everything in one process'),
    maxConcurrentUploads: wholeNumber(1, 10_000)
      .default(16)
      .describe('Pushes received at once; more are answered 503 with Retry-After'),
    headersTimeout: duration.default(20_000).describe('Longest a client may take to send its request headers'),
    bodyTimeout: duration
      .default(30_000)
      .describe('Longest a request body may go without bringing 16 KiB (or ending); a stalled push gets 408'),
    requestTimeout: duration.default(15 * 60 * 1000).describe('Longest a whole request may take to arrive, body included'),
    shutdownTimeout: duration.default(10_000).describe('On SIGTERM, how long requests in flight may finish before they are cut off'),
    documentCacheSize: byteSize
      .default(32 * 1024 * 1024)
      .describe('Memory for read documents (version lists, registrations) rendered for a base URL and kept for the next read, shared among the processes'),
    packageCacheSize: byteSize
      .default(64 * 1024 * 1024)
      .describe('Memory for recently downloaded .nupkg files (each up to 8 MiB), served without reading the file again, shared among the processes; 0 turns it off'),
    accelRedirectPrefix: z
      .string()
      .regex(/^\/[\x21-\x7e]*\/$/, "must be a path that starts and ends with '/', such as /_pallet_blobs/")
      .optional()
      .describe("Behind nginx: answer package downloads with X-Accel-Redirect to this internal location (mapped to the data folder's blobs/)"),
    apiKeyLifetime: lifetime
      .default(365 * DAY_MS)
      .describe("Longest an API key may live, and the expiry of a key created without one (nuget.org's: 365d)"),
    passwordSignIn: onOff
      .default(true)
      .describe('Whether users may sign in to the web pages with a password (false: identity providers only, as on nuget.org)'),
    passwordSignUp: onOff
      .default(false)
      .describe('Whether anyone may create an account on the sign-in page with a name, an email (verified by a link) and a password'),
    requireTwoFactor: onOff
      .default(false)
      .describe('Whether every user must turn on two-factor authentication: one without it is walked through enrolment at sign-in'),
    sessionLifetime: lifetime.default(12 * 60 * 60 * 1000).describe('How long a web sign-in lasts (12h)'),
    trustedPublishingAudience: z
      .string()
      .min(1)
      .optional()
      .describe("The audience CI jobs request their OIDC token for, for trusted publishing; default: publicUrl, else 'pallet'"),
    folder: z
      .string()
      .min(1)
      .optional()
      .describe('A folder of .nupkg files the gallery follows (files dropped in appear, a file removed unlists): a local folder feed served'),
    upstreamCacheTime: duration
      .default(5 * 60 * 1000)
      .describe("How long an upstream source's version list and registration are reused before it is asked again (5m)"),
    feeds: declaredFeeds
      .default({})
      .describe('Feeds to create or bring to these settings at each start, by name: private, accepts, owner, members (README: Feeds)'),
    identityProviders: identityProviders
      .default({})
      .describe('OpenID Connect providers users sign in with, by name: issuer, clientId, clientSecret and options (README: Sign-in)'),
    secretsKey: z
      .string()
      .min(16, 'must be at least 16 characters')
      .optional()
      .describe('The key secrets kept for later use (upstream API keys) are encrypted with; without it none can be stored'),
    smtpUrl: smtpUrl.optional().describe('SMTP server for the emails to owners and key holders (smtp://user:password@host:587 or smtps://); none: no email'),
    mailFrom: z
      .string()
      .min(3)
      .default('Pallet <pallet@localhost>')
      .describe("The From of Pallet's emails (Pallet <nuget@example.com>)"),
    deliveryRetryDelay: duration
      .default(30_000)
      .describe('How long after a failed email or webhook call it is tried again; each next try waits twice as long, up to an hour'),
    logLevel: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .default('info')
      .describe('fatal, error, warn, info, debug, trace or silent'),
  })
  .strict()
  .superRefine((config, ctx) => {
    // Node refuses a header timeout longer than the whole request's.
    if (config.headersTimeout > config.requestTimeout) {
      ctx.addIssue({ code: 'custom', path: ['headersTimeout'], message: 'must not be longer than requestTimeout' });
    }
  });

export type Config = Readonly<z.output<typeof configSchema>>;
export type SettingName = keyof Config;

/** Every setting, in the schema's order: the environment variables and flags are derived from these names. */
export const SETTING_NAMES = Object.keys(configSchema.shape) as SettingName[];

/** Settings whose values are secrets: never printed, and never taken from a flag (flags show in the process list). */
export const SECRET_SETTINGS: ReadonlySet<SettingName> = new Set(['apiKey', 'smtpUrl', 'identityProviders', 'secretsKey']);

/**
 * How a secret setting is printed: whether it is set, or for the providers everything but their client
 * secrets, which an operator needs to see to check an issuer or a client id.
 */
export function redactedSetting(name: SettingName, value: unknown): unknown {
  if (name === 'identityProviders') {
    const providers = value as Config['identityProviders'];
    return Object.fromEntries(
      Object.entries(providers).map(([provider, settings]) => [provider, { ...settings, clientSecret: settings.clientSecret === undefined ? '[not set]' : '[set]' }]),
    );
  }
  return value === undefined ? '[not set]' : '[set]';
}

/** `dataDir` → `PALLET_DATA_DIR`. */
export function environmentVariableOf(name: SettingName): string {
  return `PALLET_${name.replace(/[A-Z]/g, (letter) => `_${letter}`).toUpperCase()}`;
}

/** `maxPackageSize` → `max-package-size`. */
export function flagOf(name: SettingName): string {
  return name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}

/** What `--help` says of a setting. */
export function describeSetting(name: SettingName): string {
  return configSchema.shape[name].description ?? '';
}
