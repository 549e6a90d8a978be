/**
 * Generates a feed for the benchmarks straight into a data folder: N ids × M versions with realistic
 * metadata (ids, titles, descriptions, tags and authors drawn from the words .NET packages use, 20%
 * prereleases, some SemVer 2.0.0, dependency groups on earlier ids, skewed download counts). Rows go in
 * through the real `PackageStore`, so search rows and read documents are what pushes would have written.
 * Only the ids in the read sample get real `.nupkg` blobs (`packageBytes` each); the others share one
 * small package blob, so a 100k-id feed does not need gigabytes of disk.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { NuGetVersion } from '../../src/domain/nuget-version.ts';
import { lowerPackageId } from '../../src/domain/package-id.ts';
import type { NewPackageVersion, VersionDetails } from '../../src/app/ports.ts';
import { openSqliteDatabase } from '../../src/stores/metadata/sqlite-database.ts';
import { SqlitePackageStore } from '../../src/stores/metadata/sqlite-package-store.ts';
import { FsBlobStore } from '../../src/stores/blob/fs-blob-store.ts';
import { dataFolderLayout } from '../../src/data-folder.ts';
import { nugetReadDocuments } from '../../src/protocol/nuget/read-documents.ts';
import { buildNupkg } from '../../test/support/nupkg-builder.ts';
import { seededRandom } from '../../test/support/seeded-random.ts';
import { identityOf } from '../../test/support/package-identity.ts';
import { DEFAULT_FEED_ID } from '../../src/domain/feed.ts';
import { ADMIN_PUSH } from '../../test/support/change-records.ts';

const ORGANISATIONS = ['Contoso', 'Fabrikam', 'Northwind', 'Adatum', 'Litware', 'Tailspin', 'Woodgrove', 'Proseware', 'Wingtip', 'Lucerne'];
const WORDS = [
  'json', 'http', 'client', 'logging', 'core', 'extensions', 'data', 'sql', 'azure', 'storage', 'testing', 'mocking', 'serializer',
  'async', 'cache', 'redis', 'grpc', 'xml', 'yaml', 'cli', 'configuration', 'dependency', 'injection', 'web', 'api', 'auth',
  'crypto', 'imaging', 'pdf', 'excel', 'csv', 'metrics', 'tracing', 'messaging', 'queue', 'events', 'validation', 'mapping',
  'graphql', 'websocket', 'compression', 'collections', 'text', 'diagnostics', 'hosting', 'options', 'primitives', 'analyzers',
];
/** Words of ordinary prose: most of a description, so a topic word is in a few percent of packages, not half. */
const FILLER = (
  'the a an and or for with to of in on by from into over under fast simple small modern lightweight robust flexible ' +
  'library toolkit framework helpers utilities wrapper bindings support implementation abstractions provider adapter ' +
  'extensible reliable efficient portable cross platform applications services projects developers teams production ' +
  'easy quick safe secure tested documented maintained stable powerful minimal complete fluent typed generic common ' +
  'shared base standard native managed unified convenient practical handy rich advanced basic primary additional ' +
  'features methods classes types functions options settings patterns models tools components modules packages plugins ' +
  'build run write read parse format convert handle manage create use make works supports provides offers includes'
).split(' ');
const AUTHORS = ['Contoso Ltd', 'Fabrikam Inc', 'Jane Doe', 'John Smith', 'The Northwind Team', 'Open Source Collective'];

export interface FeedShape {
  readonly ids: number;
  readonly versionsPerId: number;
  /** The first ids have this many versions each instead, so their registrations are paged (past 127). */
  readonly largeIds?: { readonly count: number; readonly versions: number };
  /** How many ids (the ones after the large ones) get real package blobs of `packageBytes` each. */
  readonly sampleIds: number;
  readonly packageBytes: number;
  readonly seed?: number;
}

export interface GeneratedFeed {
  /** Lowercase ids of the read sample, with their versions (lowercase normalized, ascending). */
  readonly sample: readonly { readonly idLower: string; readonly versions: readonly string[] }[];
  /** Lowercase ids with paged registrations. */
  readonly large: readonly string[];
  readonly versions: number;
  readonly seconds: number;
}

export function idAt(index: number): string {
  const organisation = ORGANISATIONS[index % ORGANISATIONS.length] as string;
  const first = WORDS[Math.floor(index / ORGANISATIONS.length) % WORDS.length] as string;
  const second = WORDS[Math.floor(index / (ORGANISATIONS.length * WORDS.length)) % WORDS.length] as string;
  const capital = (word: string) => word[0]?.toUpperCase() + word.slice(1);
  return `${organisation}.${capital(first)}.${capital(second)}${Math.floor(index / (ORGANISATIONS.length * WORDS.length * WORDS.length))}`;
}

function versionAt(index: number, count: number, next: () => number): string {
  const stable = `${1 + Math.floor(index / 10)}.${index % 10}.${Math.floor(next() * 3)}`;
  // The last versions are sometimes previews, as they are for packages in development.
  if (index >= count - 2 && next() < 0.2) return next() < 0.25 ? `${stable}-preview.${index}+build.${index}` : `${stable}-preview.${index}`;
  return stable;
}

export async function generateFeed(dataDir: string, shape: FeedShape): Promise<GeneratedFeed> {
  const started = performance.now();
  const layout = dataFolderLayout(dataDir);
  await mkdir(layout.blobs, { recursive: true });
  const database = openSqliteDatabase(layout.database);
  // Generation only: a crash just means generating again, and 100k synced transactions would take minutes.
  database.exec('PRAGMA synchronous = OFF');
  const store = new SqlitePackageStore(database, nugetReadDocuments);
  await store.refreshStaleDocuments();
  const blobs = new FsBlobStore(layout.blobs);
  const next = seededRandom(shape.seed ?? 42);
  const sample: { idLower: string; versions: string[] }[] = [];
  const large: string[] = [];
  const largeCount = shape.largeIds?.count ?? 0;
  const put = async (bytes: Buffer) => {
    const key = createHash('sha512').update(bytes).digest('hex');
    await blobs.putBytes(key, bytes);
    return { key, size: bytes.length, sha512: Buffer.from(key, 'hex').toString('base64') };
  };
  const sharedPackage = await put(buildNupkg({ id: 'Bench.Shared', version: '1.0.0' }));
  const nuspec = await put(Buffer.from('<?xml version="1.0"?><package/>'));
  let versions = 0;
  for (let index = 0; index < shape.ids; index += 1) {
    const id = idAt(index);
    const idLower = lowerPackageId(id);
    const topics = Array.from({ length: 1 + Math.floor(next() * 3) }, () => WORDS[Math.floor(next() * WORDS.length)] as string);
    const words = [...topics, ...Array.from({ length: 10 + Math.floor(next() * 20) }, () => FILLER[Math.floor(next() * FILLER.length)] as string)];
    const tags = [...new Set([...id.toLowerCase().split('.').slice(1, 3).map((part) => part.replace(/\d+$/, '')), ...topics])];
    const inSample = index >= largeCount && index < largeCount + shape.sampleIds;
    const versionCount = index < largeCount ? (shape.largeIds?.versions ?? shape.versionsPerId) : shape.versionsPerId;
    if (index < largeCount) large.push(idLower);
    const sampled: string[] = [];
    let firstVersion: string | undefined;
    for (let versionIndex = 0; versionIndex < versionCount; versionIndex += 1) {
      const version = NuGetVersion.parse(versionAt(versionIndex, versionCount, next));
      const dependencies = index === 0 ? [] : Array.from({ length: Math.floor(next() * 4) }, () => idAt(Math.floor(next() * index)));
      const details: VersionDetails = {
        title: next() < 0.5 ? id.split('.').slice(1).join(' ') : undefined,
        description: `${id}: ${words.join(' ')}.`,
        summary: undefined,
        authors: AUTHORS[index % AUTHORS.length] as string,
        tags,
        releaseNotes: undefined,
        copyright: undefined,
        language: undefined,
        projectUrl: `https://github.com/${id.split('.')[0]?.toLowerCase()}/${idLower}`,
        iconUrl: undefined,
        licenseUrl: undefined,
        licenseExpression: 'MIT',
        requireLicenseAcceptance: false,
        developmentDependency: false,
        minClientVersion: undefined,
        repository: undefined,
        packageTypes: index % 33 === 0 ? [{ name: 'DotnetTool', version: undefined }] : [],
        dependencyGroups: [
          { targetFramework: 'net8.0', dependencies: [...new Set(dependencies)].map((dependency) => ({ id: dependency, range: '[1.0.0, )' })) },
        ],
      };
      const blob = inSample
        ? await put(
            buildNupkg({ id, version: version.full, libBytes: randomBytes(shape.packageBytes) }),
          )
        : sharedPackage;
      const row: NewPackageVersion = {
        ...identityOf(id, version.full),
        publishedAt: new Date(Date.UTC(2025, 0, 1) + versions * 60_000),
        packageBlob: blob.key,
        packageSize: blob.size,
        packageSha512: blob.sha512,
        nuspecBlob: nuspec.key,
        readmeBlob: undefined,
        iconBlob: undefined,
        iconContentType: undefined,
        licenseBlob: undefined,
        details,
      };
      if ((await store.insertVersion(DEFAULT_FEED_ID, row, ADMIN_PUSH)) === 'created') {
        versions += 1;
        firstVersion ??= version.lower;
        if (inSample) sampled.push(version.lower);
      }
    }
    // Downloads follow a long tail: a few ids are fetched far more than the rest.
    if (firstVersion !== undefined) await store.addDownloads([{ feedId: DEFAULT_FEED_ID, idLower, versionLower: firstVersion, count: Math.floor(1e6 / (1 + index * next())) }]);
    if (inSample) sample.push({ idLower, versions: sampled });
  }
  database.close();
  return { sample, large, versions, seconds: (performance.now() - started) / 1000 };
}
