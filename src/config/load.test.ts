import { availableParallelism } from 'node:os';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig, redactConfig, type ConfigSources } from './load.ts';
import { DEFAULT_MAX_PACKAGE_SIZE } from './schema.ts';

let root: string;
let cwd: string;

before(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'pallet-config-test-'));
  cwd = path.join(root, 'cwd');
  await mkdir(cwd);
});

after(async () => {
  await rm(root, { recursive: true, force: true });
});

let fileCount = 0;
/** Writes a config file under `root/<folder>/` and returns its absolute path. */
async function configFile(text: string, folder = 'etc'): Promise<string> {
  fileCount += 1;
  const dir = path.join(root, folder);
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `pallet-${fileCount}.yaml`);
  await writeFile(file, text);
  return file;
}

/** loadConfig isolated from the real process environment and working directory. */
function load(sources: ConfigSources = {}) {
  return loadConfig({ env: {}, cwd, ...sources });
}

/** Expects a ConfigError; returns its problems. */
function problemsOf(sources: ConfigSources): readonly string[] {
  let caught: unknown;
  try {
    load(sources);
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof ConfigError, `expected a ConfigError, got ${caught === undefined ? 'a config' : String(caught)}`);
  for (const problem of caught.problems) assert.ok(caught.message.includes(problem), 'the message lists every problem');
  return caught.problems;
}

function assertProblem(problems: readonly string[], pattern: RegExp): void {
  assert.ok(
    problems.some((problem) => pattern.test(problem)),
    `expected a problem matching ${pattern}; got ${JSON.stringify(problems, null, 2)}`,
  );
}

describe('loadConfig: defaults', () => {
  it('uses the documented defaults, with dataDir resolved from the working directory', () => {
    const config = load();
    assert.deepEqual({ ...config }, {
      host: '0.0.0.0',
      port: 5000,
      dataDir: path.join(cwd, 'data'),
      maxPackageSize: 262_144_000,
      trustProxy: false,
      processes: Math.min(4, availableParallelism()),
      maxConcurrentUploads: 16,
      headersTimeout: 20_000,
      bodyTimeout: 30_000,
      requestTimeout: 900_000,
      shutdownTimeout: 10_000,
      documentCacheSize: 32 * 1024 * 1024,
      packageCacheSize: 64 * 1024 * 1024,
      apiKeyLifetime: 365 * 24 * 60 * 60 * 1000,
      passwordSignIn: true,
      passwordSignUp: false,
      requireTwoFactor: false,
      sessionLifetime: 12 * 60 * 60 * 1000,
      upstreamCacheTime: 300_000,
      feeds: {},
      identityProviders: {},
      mailFrom: 'Pallet <pallet@localhost>',
      deliveryRetryDelay: 30_000,
      logLevel: 'info',
    });
    assert.equal(DEFAULT_MAX_PACKAGE_SIZE, 262_144_000);
    assert.equal(config.publicUrl, undefined);
    assert.equal(config.apiKey, undefined);
  });

  it('returns a frozen object', () => {
    assert.ok(Object.isFrozen(load()));
  });

  it('uses process.cwd() when no cwd is given', () => {
    assert.equal(loadConfig({ env: {} }).dataDir, path.resolve(process.cwd(), 'data'));
  });

  it('ignores empty environment variables and undefined flags', () => {
    const config = load({ env: { PALLET_PORT: '', PALLET_LOG_LEVEL: '' }, flags: { port: undefined } });
    assert.equal(config.port, 5000);
    assert.equal(config.logLevel, 'info');
  });

  it('ignores unrelated environment variables', () => {
    assert.equal(load({ env: { PORT: '1', PALLET_UNKNOWN: 'x', HOME: '/root' } }).port, 5000);
  });
});

describe('loadConfig: precedence is defaults < YAML file < environment < flags', () => {
  it('the file overrides defaults', async () => {
    const file = await configFile('port: 6000\nhost: 127.0.0.1\nlogLevel: warn\n');
    const config = load({ configFile: file });
    assert.equal(config.port, 6000);
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.logLevel, 'warn');
    assert.equal(config.maxPackageSize, DEFAULT_MAX_PACKAGE_SIZE);
  });

  it('the environment overrides the file', async () => {
    const file = await configFile('port: 6000\nhost: 127.0.0.1\n');
    const config = load({ configFile: file, env: { PALLET_PORT: '7000' } });
    assert.equal(config.port, 7000);
    assert.equal(config.host, '127.0.0.1', 'keys the environment leaves alone keep the file value');
  });

  it('flags override the environment and the file', async () => {
    const file = await configFile('port: 6000\nlogLevel: warn\nhost: 127.0.0.1\n');
    const config = load({ configFile: file, env: { PALLET_PORT: '7000', PALLET_LOG_LEVEL: 'error' }, flags: { port: '8000' } });
    assert.equal(config.port, 8000);
    assert.equal(config.logLevel, 'error');
    assert.equal(config.host, '127.0.0.1');
  });

  it('every PALLET_* variable sets its key', () => {
    const config = load({
      env: {
        PALLET_HOST: '::1',
        PALLET_PORT: '0',
        PALLET_DATA_DIR: '/srv/pallet',
        PALLET_PUBLIC_URL: 'https://nuget.example.com/feed/',
        PALLET_API_KEY: 'correct-horse-battery',
        PALLET_MAX_PACKAGE_SIZE: '10MiB',
        PALLET_TRUST_PROXY: '10.0.0.0/8, 127.0.0.1',
        PALLET_PROCESSES: '1',
        PALLET_MAX_CONCURRENT_UPLOADS: '4',
        PALLET_HEADERS_TIMEOUT: '5s',
        PALLET_BODY_TIMEOUT: '10',
        PALLET_REQUEST_TIMEOUT: '2m',
        PALLET_SHUTDOWN_TIMEOUT: '1500ms',
        PALLET_DOCUMENT_CACHE_SIZE: '8MiB',
        PALLET_ACCEL_REDIRECT_PREFIX: '/_pallet_blobs/',
        PALLET_PACKAGE_CACHE_SIZE: '0',
        PALLET_API_KEY_LIFETIME: '90d',
        PALLET_PASSWORD_SIGN_IN: 'false',
        PALLET_PASSWORD_SIGN_UP: 'true',
        PALLET_REQUIRE_TWO_FACTOR: 'TRUE',
        PALLET_SESSION_LIFETIME: '2h',
        PALLET_FOLDER: './packages',
        PALLET_UPSTREAM_CACHE_TIME: '30s',
        PALLET_FEEDS: '{"ci": {"private": "true", "accepts": "prerelease", "members": {"Contoso": "contributor"}}}',
        PALLET_IDENTITY_PROVIDERS: '{"keycloak": {"issuer": "https://sso.example.com/realms/dev", "clientId": "pallet", "createAccounts": "false"}}',
        PALLET_SMTP_URL: 'smtps://mailer:p%40ss@mail.example.com:465',
        PALLET_MAIL_FROM: 'NuGet <nuget@example.com>',
        PALLET_DELIVERY_RETRY_DELAY: '1m',
        PALLET_LOG_LEVEL: 'debug',
      },
    });
    assert.deepEqual({ ...config }, {
      host: '::1',
      port: 0,
      dataDir: '/srv/pallet',
      publicUrl: 'https://nuget.example.com/feed',
      apiKey: 'correct-horse-battery',
      maxPackageSize: 10 * 1024 * 1024,
      trustProxy: ['10.0.0.0/8', '127.0.0.1'],
      processes: 1,
      maxConcurrentUploads: 4,
      headersTimeout: 5000,
      bodyTimeout: 10_000,
      requestTimeout: 120_000,
      shutdownTimeout: 1500,
      documentCacheSize: 8 * 1024 * 1024,
      accelRedirectPrefix: '/_pallet_blobs/',
      packageCacheSize: 0,
      apiKeyLifetime: 90 * 24 * 60 * 60 * 1000,
      passwordSignIn: false,
      passwordSignUp: true,
      requireTwoFactor: true,
      sessionLifetime: 2 * 60 * 60 * 1000,
      folder: './packages',
      upstreamCacheTime: 30_000,
      feeds: { ci: { private: true, accepts: 'prerelease', members: { Contoso: 'contributor' } } },
      identityProviders: {
        keycloak: {
          kind: 'oidc',
          issuer: 'https://sso.example.com/realms/dev',
          clientId: 'pallet',
          scopes: 'openid email profile',
          createAccounts: false,
          trustEmail: false,
          mfaCountsAsSecondFactor: false,
        },
      },
      smtpUrl: 'smtps://mailer:p%40ss@mail.example.com:465',
      mailFrom: 'NuGet <nuget@example.com>',
      deliveryRetryDelay: 60_000,
      logLevel: 'debug',
    });
  });

  it('refuses a zero or nonsense duration and a header timeout longer than the request timeout', () => {
    const problems = problemsOf({ env: { PALLET_BODY_TIMEOUT: '0', PALLET_SHUTDOWN_TIMEOUT: 'soon', PALLET_HEADERS_TIMEOUT: '1h', PALLET_REQUEST_TIMEOUT: '1m' } });
    assertProblem(problems, /^bodyTimeout: '0' is not a duration/);
    assertProblem(problems, /^shutdownTimeout: 'soon' is not a duration/);
    assert.equal(problems.length, 2, 'the cross-field check runs only once every field is valid');
    assertProblem(problemsOf({ env: { PALLET_HEADERS_TIMEOUT: '1h', PALLET_REQUEST_TIMEOUT: '1m' } }), /^headersTimeout: must not be longer than requestTimeout/);
    assertProblem(problemsOf({ env: { PALLET_MAX_CONCURRENT_UPLOADS: '0' } }), /^maxConcurrentUploads: '0' is not a whole number from 1 to 10000/);
    assertProblem(problemsOf({ env: { PALLET_PROCESSES: '0' } }), /^processes: '0' is not a whole number from 1 to 64/);
    assertProblem(problemsOf({ env: { PALLET_ACCEL_REDIRECT_PREFIX: '_blobs' } }), /^accelRedirectPrefix: must be a path that starts and ends with '\/'/);
    assertProblem(problemsOf({ env: { PALLET_BODY_TIMEOUT: '1000h' } }), /^bodyTimeout: '1000h' is longer than 2147483647 ms/);
    assertProblem(problemsOf({ env: { PALLET_TRUST_PROXY: '10.0.0.0/33, proxy.local' } }), /^trustProxy: '10\.0\.0\.0\/33', 'proxy\.local' is not an IP address or CIDR range/);
    assert.equal(load({ env: { PALLET_TRUST_PROXY: 'true' } }).trustProxy, true);
  });

  it('a relative config file path is resolved from cwd', async () => {
    await configFile('port: 6001\n', 'cwd/conf');
    const name = `pallet-${fileCount}.yaml`;
    assert.equal(load({ configFile: path.join('conf', name) }).port, 6001);
  });

  it('an empty config file changes nothing', async () => {
    const file = await configFile('# only a comment\n');
    assert.equal(load({ configFile: file }).port, 5000);
  });
});

describe('loadConfig: dataDir', () => {
  it('is relative to the config file folder when the file sets it', async () => {
    const file = await configFile('dataDir: ./store\n', 'site/config');
    assert.equal(load({ configFile: file }).dataDir, path.join(root, 'site', 'config', 'store'));
  });

  it('stays relative to cwd when the file does not set it', async () => {
    const file = await configFile('port: 6000\n', 'site/config');
    assert.equal(load({ configFile: file }).dataDir, path.join(cwd, 'data'));
  });

  it('an absolute dataDir in the file is kept', async () => {
    const file = await configFile(`dataDir: ${JSON.stringify(path.join(root, 'abs'))}\n`, 'site/config');
    assert.equal(load({ configFile: file }).dataDir, path.join(root, 'abs'));
  });

  it('is relative to cwd when the environment overrides the file', async () => {
    const file = await configFile('dataDir: ./store\n', 'site/config');
    assert.equal(load({ configFile: file, env: { PALLET_DATA_DIR: 'from-env' } }).dataDir, path.join(cwd, 'from-env'));
  });

  it('is relative to cwd when a flag overrides the file', async () => {
    const file = await configFile('dataDir: ./store\n', 'site/config');
    assert.equal(load({ configFile: file, flags: { dataDir: 'from-flag' } }).dataDir, path.join(cwd, 'from-flag'));
  });

  it('is relative to cwd when PALLET_DATA_DIR_FILE overrides the file', async () => {
    const file = await configFile('dataDir: ./store\n', 'site/config');
    const secret = path.join(root, 'data-dir.txt');
    await writeFile(secret, 'from-env-file\n');
    assert.equal(load({ configFile: file, env: { PALLET_DATA_DIR_FILE: secret } }).dataDir, path.join(cwd, 'from-env-file'));
  });
});

describe('loadConfig: *_FILE variables', () => {
  it('PALLET_API_KEY_FILE reads the key from a file, trimmed', async () => {
    const secret = path.join(root, 'api-key.txt');
    await writeFile(secret, '  s3cret-api-key-value\n');
    assert.equal(load({ env: { PALLET_API_KEY_FILE: secret } }).apiKey, 's3cret-api-key-value');
  });

  it('PALLET_API_KEY_FILE wins over PALLET_API_KEY', async () => {
    const secret = path.join(root, 'api-key-2.txt');
    await writeFile(secret, 'key-from-file-123');
    assert.equal(load({ env: { PALLET_API_KEY_FILE: secret, PALLET_API_KEY: 'key-from-env-456' } }).apiKey, 'key-from-file-123');
  });

  it('flags still win over a *_FILE variable', async () => {
    const secret = path.join(root, 'api-key-3.txt');
    await writeFile(secret, 'key-from-file-123');
    assert.equal(load({ env: { PALLET_API_KEY_FILE: secret }, flags: { apiKey: 'key-from-flag-789' } }).apiKey, 'key-from-flag-789');
  });

  it('an unreadable *_FILE is reported by variable and path', () => {
    const missing = path.join(root, 'no-such-key.txt');
    const problems = problemsOf({ env: { PALLET_API_KEY_FILE: missing } });
    assert.equal(problems.length, 1);
    assert.ok(problems[0]?.startsWith('PALLET_API_KEY_FILE: cannot read'), problems[0]);
    assert.ok(problems[0]?.includes(missing));
  });
});

describe('loadConfig: values', () => {
  for (const [input, bytes] of [
    ['250MiB', 262_144_000],
    ['1.5 GB', 1_500_000_000],
    ['2048', 2048],
  ] as const) {
    it(`maxPackageSize '${input}' is ${bytes} bytes`, () => {
      assert.equal(load({ flags: { maxPackageSize: input } }).maxPackageSize, bytes);
    });
  }

  it('maxPackageSize may be a YAML number or a YAML string', async () => {
    assert.equal(load({ configFile: await configFile('maxPackageSize: 5000\n') }).maxPackageSize, 5000);
    assert.equal(load({ configFile: await configFile('maxPackageSize: 100 MiB\n') }).maxPackageSize, 100 * 1024 * 1024);
  });

  it('maxPackageSize must be at least 1 KiB', () => {
    assertProblem(problemsOf({ flags: { maxPackageSize: '1000' } }), /^maxPackageSize: must be at least 1 KiB/);
  });

  it('publicUrl loses trailing slashes', () => {
    assert.equal(load({ flags: { publicUrl: 'https://nuget.example.com/' } }).publicUrl, 'https://nuget.example.com');
    assert.equal(load({ flags: { publicUrl: 'http://host:8080/a/b//' } }).publicUrl, 'http://host:8080/a/b');
  });

  for (const [value, pattern] of [
    ['https://nuget.example.com/?feed=1', /query/],
    ['https://nuget.example.com/#top', /fragment/],
    ['https://user:pass@nuget.example.com/', /credentials/],
    ['ftp://nuget.example.com/', /http or https/],
    ['nuget.example.com', /not an absolute URL/],
  ] as const) {
    it(`rejects publicUrl '${value}'`, () => {
      const problems = problemsOf({ flags: { publicUrl: value } });
      assert.equal(problems.length, 1);
      assert.match(problems[0] as string, /^publicUrl: /);
      assert.match(problems[0] as string, pattern);
    });
  }

  for (const port of ['-1', '65536', '80.5', 'abc']) {
    it(`rejects port '${port}'`, () => {
      const problems = problemsOf({ flags: { port } });
      assert.equal(problems.length, 1);
      assert.match(problems[0] as string, /^port: /);
    });
  }

  // z.coerce.number() turns '' and whitespace into 0, which means "pick a free port": a typo must not do that.
  it('rejects a blank port instead of reading it as 0', () => {
    assertProblem(problemsOf({ env: { PALLET_PORT: '   ' } }), /^port: /);
  });

  it('rejects an API key that is too short or has spaces, without echoing it', () => {
    for (const apiKey of ['short', 'has a space in it']) {
      const problems = problemsOf({ flags: { apiKey } });
      assert.equal(problems.length, 1);
      assert.match(problems[0] as string, /^apiKey: /);
      assert.ok(!problems.join('\n').includes(apiKey), 'the key does not appear in the error');
    }
  });
});

describe('loadConfig: every problem at once', () => {
  it('collects every bad value from file, environment and flags into one ConfigError', async () => {
    const file = await configFile('logLevel: loud\nbogusKey: 1\n');
    const problems = problemsOf({
      configFile: file,
      env: { PALLET_PORT: 'abc', PALLET_MAX_PACKAGE_SIZE: 'lots' },
      flags: { publicUrl: 'not a url' },
    });
    assertProblem(problems, /^port: /);
    assertProblem(problems, /^publicUrl: 'not a url' is not an absolute URL/);
    assertProblem(problems, /^maxPackageSize: 'lots' is not a size/);
    assertProblem(problems, /^logLevel: /);
    assertProblem(problems, /bogusKey/);
    assert.equal(problems.length, 5, JSON.stringify(problems, null, 2));
  });

  it('the message says how many problems there are and lists each', () => {
    let caught: unknown;
    try {
      load({ flags: { port: 'abc', logLevel: 'loud' } });
    } catch (error) {
      caught = error;
    }
    assert.ok(caught instanceof ConfigError);
    assert.equal(caught.name, 'ConfigError');
    assert.match(caught.message, /2 problem\(s\)/);
    assert.match(caught.message, /\n {2}- port: /);
    assert.match(caught.message, /\n {2}- logLevel: /);
  });

  it('reports a publicUrl with a query alongside other problems', () => {
    const problems = problemsOf({ flags: { publicUrl: 'https://x.example/?q=1', port: 'abc' } });
    assertProblem(problems, /^publicUrl: .*query/);
    assertProblem(problems, /^port: /);
  });

  it('names an unknown key in the YAML file', async () => {
    const problems = problemsOf({ configFile: await configFile('prot: 5000\n') });
    assert.equal(problems.length, 1);
    assert.match(problems[0] as string, /prot/);
  });
});

describe('loadConfig: config file errors', () => {
  it('reports a config file that cannot be read, with its path', () => {
    const missing = path.join(root, 'nope', 'pallet.yaml');
    const problems = problemsOf({ configFile: missing });
    assert.equal(problems.length, 1);
    assert.match(problems[0] as string, /^--config: cannot read/);
    assert.ok(problems[0]?.includes(missing));
  });

  it('reports a folder given as the config file', () => {
    assertProblem(problemsOf({ configFile: root }), /^--config: cannot read/);
  });

  it('reports invalid YAML with the file path, alongside other problems', async () => {
    const file = await configFile('port: [6000\nhost: "unterminated\n');
    const problems = problemsOf({ configFile: file, flags: { logLevel: 'loud' } });
    assertProblem(problems, new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: not valid YAML`));
    assertProblem(problems, /^logLevel: /);
  });

  for (const [name, text] of [
    ['a list', '- port\n- 5000\n'],
    ['a scalar', 'just a string\n'],
  ] as const) {
    it(`reports a YAML file that is ${name} rather than a mapping`, async () => {
      const file = await configFile(text);
      const problems = problemsOf({ configFile: file });
      assert.equal(problems.length, 1);
      assert.match(problems[0] as string, /must be a YAML mapping/);
    });
  }
});

describe('redactConfig', () => {
  it('replaces a set API key and never shows it', () => {
    const key = 'super-secret-key-0123456789';
    const config = load({ flags: { apiKey: key } });
    const redacted = redactConfig(config);
    assert.equal(redacted.apiKey, '[set]');
    assert.ok(!JSON.stringify(redacted).includes(key));
    assert.ok(!Object.values(redacted).includes(key));
    assert.equal(redacted.port, config.port);
    assert.equal(redacted.dataDir, config.dataDir);
  });

  it('says when no key is set', () => {
    assert.equal(redactConfig(load()).apiKey, '[not set]');
  });

  it('never shows the SMTP URL, which holds a password, nor repeats it in a refusal', () => {
    const smtpUrl = 'smtp://mailer:hunter2-password@mail.example.com:587';
    const redacted = redactConfig(load({ env: { PALLET_SMTP_URL: smtpUrl } }));
    assert.equal(redacted.smtpUrl, '[set]');
    assert.ok(!JSON.stringify(redacted).includes('hunter2'));
    const problems = problemsOf({ env: { PALLET_SMTP_URL: 'http://mailer:hunter2-password@example.com' } });
    assert.match(problems.join('\n'), /smtpUrl: is not an SMTP URL/);
    assert.ok(!problems.join('\n').includes('hunter2'));
  });

  it('shows identity providers without their client secrets, from JSON in the environment or a *_FILE', async () => {
    const providers = { entra: { issuer: 'https://login.example.com/tenant/v2.0/', clientId: 'pallet-app', clientSecret: 'client-secret-s3cr3t' } };
    const fromEnv = load({ env: { PALLET_IDENTITY_PROVIDERS: JSON.stringify(providers) } });
    const entra = fromEnv.identityProviders.entra;
    assert.equal(entra?.kind, 'oidc', 'a provider without a kind is OpenID Connect');
    assert.equal(entra.issuer, 'https://login.example.com/tenant/v2.0');
    assert.equal(entra.scopes, 'openid email profile');
    assert.equal(fromEnv.identityProviders.entra?.createAccounts, true);
    const redacted = redactConfig(fromEnv) as { identityProviders: Record<string, Record<string, unknown>> };
    assert.equal(redacted.identityProviders.entra?.clientSecret, '[set]');
    assert.equal(redacted.identityProviders.entra?.clientId, 'pallet-app');
    assert.ok(!JSON.stringify(redacted).includes('s3cr3t'));
    const file = await configFile(JSON.stringify(providers));
    assert.equal(load({ env: { PALLET_IDENTITY_PROVIDERS_FILE: file } }).identityProviders.entra?.clientSecret, 'client-secret-s3cr3t');
  });

  it('refuses a provider over plain http off loopback, a bad name, an unknown option and JSON it cannot read, never repeating the text', () => {
    const problems = problemsOf({
      env: {
        PALLET_IDENTITY_PROVIDERS: JSON.stringify({
          plain: { issuer: 'http://idp.example.com', clientId: 'a' },
          extra: { issuer: 'https://idp.example.com', clientId: 'a', clientSecert: 'typo' },
        }),
      },
    });
    assert.match(problems.join('\n'), /identityProviders\.plain\.issuer: 'http:\/\/idp\.example\.com' must use https \(http only on loopback\)/);
    assert.match(problems.join('\n'), /identityProviders\.extra: .*clientSecert/);
    const badName = problemsOf({ env: { PALLET_IDENTITY_PROVIDERS: JSON.stringify({ 'Bad Name': { issuer: 'https://idp.example.com', clientId: 'a' } }) } });
    assert.deepEqual(badName, ['identityProviders.Bad Name: provider names are 1 to 32 lowercase letters, digits and dashes']);
    const unreadable = problemsOf({ env: { PALLET_IDENTITY_PROVIDERS: '{"a": {"clientSecret": "hunter2"' } });
    assert.match(unreadable.join('\n'), /identityProviders: is not a JSON object of providers/);
    assert.ok(!unreadable.join('\n').includes('hunter2'));
    const local = load({ env: { PALLET_IDENTITY_PROVIDERS: JSON.stringify({ local: { issuer: 'http://127.0.0.1:4000', clientId: 'a' } }) } }).identityProviders.local;
    assert.equal(local?.kind === 'oidc' ? local.issuer : undefined, 'http://127.0.0.1:4000');
  });

  it('takes GitHub (or a GitHub Enterprise Server) as a provider of its own kind, with its client secret required', () => {
    const github = load({ env: { PALLET_IDENTITY_PROVIDERS: JSON.stringify({ github: { kind: 'github', clientId: 'Iv1.abc', clientSecret: 'gh-secret' } }) } }).identityProviders.github;
    assert.deepEqual(github, { kind: 'github', url: 'https://github.com', clientId: 'Iv1.abc', clientSecret: 'gh-secret', createAccounts: true });
    const problems = problemsOf({ env: { PALLET_IDENTITY_PROVIDERS: JSON.stringify({ ghe: { kind: 'github', url: 'https://ghe.example.com', clientId: 'a', scopes: 'x' } }) } });
    assert.match(problems.join('\n'), /identityProviders\.ghe\.clientSecret/);
    assert.match(problems.join('\n'), /identityProviders\.ghe: .*scopes/);
  });

  it('does not change the config it is given', () => {
    const config = load({ flags: { apiKey: 'super-secret-key-0123456789' } });
    redactConfig(config);
    assert.equal(config.apiKey, 'super-secret-key-0123456789');
  });
});
