/**
 * The contract every PackageStore + SearchIndex pair must keep (src/app/ports.ts). A driver's test calls
 * `packageStoreContract` with a factory that makes a fresh, empty store for each test.
 */
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { identityOf } from '../support/package-identity.ts';
import type {
  DocumentProjection,
  NewPackageVersion,
  ProjectedDocument,
  PackageStore,
  SearchFilters,
  SearchHit,
  SearchIndex,
  SearchRequest,
  SearchTerm,
  StoredVersion,
  VersionDetails,
} from '../../src/app/ports.ts';
import { DEFAULT_FEED_ID as FEED, type FeedId } from '../../src/domain/feed.ts';
import { ADMIN_PUSH, TEST_EVENT } from '../support/change-records.ts';

export interface PackageStoreSubject {
  readonly packages: PackageStore;
  readonly search: SearchIndex;
  /** Adds an empty feed beside the default one (feeds are created by the feeds' own store, not this port). */
  addFeed(name: string): Promise<FeedId> | FeedId;
  /** Releases the store; called after each test. */
  close(): Promise<void> | void;
}

/** Makes a fresh, empty store whose read documents come from `projection`. */
export type PackageStoreFactory = (projection: DocumentProjection) => Promise<PackageStoreSubject> | PackageStoreSubject;

/**
 * The projection the contract stores with: `all` lists every version with its listed flag under a URL on
 * the base marker; `listed` holds the listed versions and exists only while there is one.
 */
export const contractProjection: DocumentProjection = {
  format: 'contract/1',
  project(versions, facts) {
    const baseMarker = `https://${randomBytes(16).toString('hex')}.invalid`;
    const documents: ProjectedDocument[] = [
      { name: 'all', text: JSON.stringify({ url: `${baseMarker}/x`, versions: versions.map((version) => `${version.versionLower}:${version.listed}`), ...(facts.verified ? { verified: true } : {}) }), baseMarker },
    ];
    const listed = versions.filter((version) => version.listed).map((version) => version.versionLower);
    if (listed.length > 0) documents.push({ name: 'listed', text: JSON.stringify(listed), baseMarker: undefined });
    return documents;
  },
};

export interface VersionOptions {
  title?: string;
  description?: string;
  summary?: string;
  authors?: string;
  tags?: string[];
  packageTypes?: { name: string; version?: string }[];
  /** Overrides the version's own SemVer 2.0.0-ness (a SemVer 2.0.0 dependency bound makes a package SemVer 2). */
  isSemVer2?: boolean;
  readme?: boolean;
  icon?: boolean;
  license?: boolean;
  publishedAt?: Date;
}

function hex(text: string): string {
  return createHash('sha512').update(text).digest('hex');
}

/** A NewPackageVersion as push would build it, with blob keys derived from the id and version. */
export function newVersion(id: string, versionText: string, options: VersionOptions = {}): NewPackageVersion {
  const seed = `${id}/${versionText}`;
  const details: VersionDetails = {
    title: options.title,
    description: options.description ?? `${id} description`,
    summary: options.summary,
    authors: options.authors ?? 'Pallet Tests',
    tags: options.tags ?? [],
    releaseNotes: undefined,
    copyright: undefined,
    language: undefined,
    projectUrl: undefined,
    iconUrl: undefined,
    licenseUrl: undefined,
    licenseExpression: options.license ? undefined : 'MIT',
    requireLicenseAcceptance: false,
    developmentDependency: false,
    minClientVersion: undefined,
    repository: undefined,
    packageTypes: (options.packageTypes ?? []).map((type) => ({ name: type.name, version: type.version })),
    dependencyGroups: [],
  };
  return {
    ...identityOf(id, versionText, options.isSemVer2 === undefined ? {} : { isSemVer2: options.isSemVer2 }),
    publishedAt: options.publishedAt ?? new Date('2024-05-01T12:00:00.000Z'),
    packageBlob: hex(`package ${seed}`),
    packageSize: 1234,
    packageSha512: Buffer.from(hex(`package ${seed}`), 'hex').toString('base64'),
    nuspecBlob: hex(`nuspec ${seed}`),
    readmeBlob: options.readme ? hex(`readme ${seed}`) : undefined,
    iconBlob: options.icon ? hex(`icon ${seed}`) : undefined,
    iconContentType: options.icon ? 'image/png' : undefined,
    licenseBlob: options.license ? hex(`license ${seed}`) : undefined,
    details,
  };
}

const ALL: SearchFilters = { feedId: FEED, includePrerelease: true, includeSemVer2: true, packageType: undefined };
const STABLE: SearchFilters = { feedId: FEED, includePrerelease: false, includeSemVer2: false, packageType: undefined };

function request(filters: SearchFilters, terms: SearchTerm[] = [], skip = 0, take = 100): SearchRequest {
  return { ...filters, terms, skip, take };
}

const word = (value: string): SearchTerm => ({ field: undefined, value });

export function packageStoreContract(name: string, factory: PackageStoreFactory): void {
  describe(`PackageStore + SearchIndex contract: ${name}`, () => {
    let subject: PackageStoreSubject;
    let packages: PackageStore;
    let search: SearchIndex;

    beforeEach(async () => {
      subject = await factory(contractProjection);
      packages = subject.packages;
      search = subject.search;
    });

    afterEach(async () => {
      await subject.close();
    });

    async function insert(id: string, version: string, options?: VersionOptions): Promise<NewPackageVersion> {
      const row = newVersion(id, version, options);
      assert.equal(await packages.insertVersion(FEED, row, ADMIN_PUSH), 'created', `insert ${id} ${version}`);
      return row;
    }

    describe('insertVersion', () => {
      it('returns created, and findVersion gives back every field', async () => {
        const row = newVersion('Contoso.Widgets', '1.2.3-Beta.1+sha.5', {
          title: 'Widgets',
          summary: 'Summary',
          tags: ['a', 'b'],
          packageTypes: [{ name: 'DotnetTool', version: '1.0.0' }],
          readme: true,
          icon: true,
          license: true,
        });
        assert.equal(await packages.insertVersion(FEED, row, ADMIN_PUSH), 'created');
        const stored = await packages.findVersion(FEED, 'contoso.widgets', '1.2.3-beta.1');
        assert.ok(stored);
        // details is display-only JSON: a key whose value is undefined may come back absent.
        const expected: StoredVersion = { ...row, feedId: FEED, registrationId: 'Contoso.Widgets', listed: true, downloads: 0, pushedBy: { label: 'configured API key', keyName: undefined }, provenance: undefined };
        assert.deepEqual({ ...stored, details: undefined }, { ...expected, details: undefined });
        assert.deepEqual(JSON.parse(JSON.stringify(stored.details)), JSON.parse(JSON.stringify(row.details)));
        for (const [key, value] of Object.entries(row.details)) assert.deepEqual(stored.details[key as keyof VersionDetails], value, key);
        assert.ok(stored.publishedAt instanceof Date);
      });

      it('returns exists for the same id and version, and keeps the first row', async () => {
        const first = await insert('Contoso.Widgets', '1.0.0');
        const again = newVersion('Contoso.Widgets', '1.0.0', { description: 'second push' });
        assert.equal(await packages.insertVersion(FEED, again, ADMIN_PUSH), 'exists');
        const stored = await packages.findVersion(FEED, 'contoso.widgets', '1.0.0');
        assert.equal(stored?.details.description, first.details.description);
        assert.equal((await packages.listVersions(FEED, 'contoso.widgets')).length, 1);
      });

      it('returns exists when only id casing and version spelling differ (same version_lower)', async () => {
        await insert('Contoso.Widgets', '1.0');
        assert.equal(await packages.insertVersion(FEED, newVersion('CONTOSO.widgets', '1.0.0'), ADMIN_PUSH), 'exists');
        assert.equal(await packages.insertVersion(FEED, newVersion('contoso.widgets', '1.0.0.0'), ADMIN_PUSH), 'exists');
        assert.equal(await packages.insertVersion(FEED, newVersion('contoso.widgets', '1.0.0+other-metadata'), ADMIN_PUSH), 'exists');
        const stored = await packages.findVersion(FEED, 'contoso.widgets', '1.0.0');
        assert.equal(stored?.versionOriginal, '1.0');
        assert.equal(stored?.id, 'Contoso.Widgets');
      });

      it('treats prerelease labels case-insensitively', async () => {
        await insert('A', '1.0.0-Beta');
        assert.equal(await packages.insertVersion(FEED, newVersion('A', '1.0.0-BETA'), ADMIN_PUSH), 'exists');
        assert.equal((await packages.findVersion(FEED, 'a', '1.0.0-beta'))?.versionNormalized, '1.0.0-Beta');
      });

      it('returns exists even when the existing version is unlisted', async () => {
        await insert('A', '1.0.0');
        assert.equal(await packages.setListed(FEED, 'a', '1.0.0', false, TEST_EVENT), true);
        assert.equal(await packages.insertVersion(FEED, newVersion('A', '1.0.0'), ADMIN_PUSH), 'exists');
        assert.equal((await packages.findVersion(FEED, 'a', '1.0.0'))?.listed, false, 'a re-push does not relist');
      });

      it('keeps the registration display casing from the first insert', async () => {
        await insert('Contoso.Widgets', '1.0.0');
        await insert('CONTOSO.widgets', '2.0.0');
        const second = await packages.findVersion(FEED, 'contoso.widgets', '2.0.0');
        assert.equal(second?.id, 'CONTOSO.widgets', "the version keeps its own nuspec's casing");
        assert.equal(second?.registrationId, 'Contoso.Widgets');
        for (const version of await packages.listVersions(FEED, 'contoso.widgets')) assert.equal(version.registrationId, 'Contoso.Widgets');
      });

      it('gives one created among concurrent inserts of the same version', async () => {
        const outcomes = await Promise.all(Array.from({ length: 5 }, () => packages.insertVersion(FEED, newVersion('Race', '1.0.0'), ADMIN_PUSH)));
        assert.equal(outcomes.filter((outcome) => outcome === 'created').length, 1);
        assert.equal(outcomes.filter((outcome) => outcome === 'exists').length, 4);
      });
    });

    describe('findVersion and listVersions', () => {
      it('findVersion is undefined for an unknown id or version', async () => {
        await insert('A', '1.0.0');
        assert.equal(await packages.findVersion(FEED, 'b', '1.0.0'), undefined);
        assert.equal(await packages.findVersion(FEED, 'a', '2.0.0'), undefined);
        assert.equal(await packages.findVersion(FEED, 'a', '1.0.0-beta'), undefined);
      });

      it('findFiles gives the blobs of a version only, or undefined', async () => {
        const row = await insert('A', '1.0.0', { readme: true, icon: true });
        assert.deepEqual(await packages.findFiles(FEED, 'a', '1.0.0'), {
          feedId: FEED,
          idLower: 'a',
          versionLower: '1.0.0',
          packageBlob: row.packageBlob,
          packageSize: row.packageSize,
          nuspecBlob: row.nuspecBlob,
          readmeBlob: row.readmeBlob,
          iconBlob: row.iconBlob,
          iconContentType: 'image/png',
          licenseBlob: undefined,
        });
        assert.equal(await packages.findFiles(FEED, 'a', '2.0.0'), undefined);
      });

      it('listVersions is empty for an unknown id', async () => {
        assert.deepEqual(await packages.listVersions(FEED, 'nothing'), []);
      });

      it('lists every version in ascending NuGet order, unlisted included', async () => {
        const scrambled = ['10.0.0', '1.0.0', '2.0.0', '1.0.0-beta', '1.0.0-alpha.10', '1.0.0.1', '1.0.0-alpha.2', '1.0.0-alpha', '1.10.0', '1.9.0', '1.0.0-Alpha.beta'];
        for (const version of scrambled) await insert('Sorted', version);
        await packages.setListed(FEED, 'sorted', '1.0.0', false, TEST_EVENT);
        await packages.setListed(FEED, 'sorted', '1.0.0-alpha.2', false, TEST_EVENT);
        const listed = await packages.listVersions(FEED, 'sorted');
        assert.deepEqual(
          listed.map((version) => version.versionNormalized),
          ['1.0.0-alpha', '1.0.0-alpha.2', '1.0.0-alpha.10', '1.0.0-Alpha.beta', '1.0.0-beta', '1.0.0', '1.0.0.1', '1.9.0', '1.10.0', '2.0.0', '10.0.0'],
        );
        assert.deepEqual(
          listed.filter((version) => !version.listed).map((version) => version.versionLower),
          ['1.0.0-alpha.2', '1.0.0'],
        );
      });

      it('lists only the versions of that id', async () => {
        await insert('Foo', '1.0.0');
        await insert('Foo.Bar', '1.0.0');
        await insert('Foo.Bar', '2.0.0');
        assert.deepEqual((await packages.listVersions(FEED, 'foo')).map((version) => version.id), ['Foo']);
        assert.equal((await packages.listVersions(FEED, 'foo.bar')).length, 2);
      });
    });

    describe('setListed', () => {
      it('unlists and relists, idempotently', async () => {
        await insert('A', '1.0.0');
        assert.equal(await packages.setListed(FEED, 'a', '1.0.0', false, TEST_EVENT), true);
        assert.equal((await packages.findVersion(FEED, 'a', '1.0.0'))?.listed, false);
        assert.equal(await packages.setListed(FEED, 'a', '1.0.0', false, TEST_EVENT), true);
        assert.equal((await packages.findVersion(FEED, 'a', '1.0.0'))?.listed, false);
        assert.equal(await packages.setListed(FEED, 'a', '1.0.0', true, TEST_EVENT), true);
        assert.equal((await packages.findVersion(FEED, 'a', '1.0.0'))?.listed, true);
        assert.equal(await packages.setListed(FEED, 'a', '1.0.0', true, TEST_EVENT), true);
        assert.equal((await packages.findVersion(FEED, 'a', '1.0.0'))?.listed, true);
      });

      it('returns false for a version that does not exist', async () => {
        await insert('A', '1.0.0');
        assert.equal(await packages.setListed(FEED, 'a', '2.0.0', false, TEST_EVENT), false);
        assert.equal(await packages.setListed(FEED, 'missing', '1.0.0', true, TEST_EVENT), false);
      });

      it('changes only that version', async () => {
        await insert('A', '1.0.0');
        await insert('A', '2.0.0');
        await packages.setListed(FEED, 'a', '1.0.0', false, TEST_EVENT);
        assert.equal((await packages.findVersion(FEED, 'a', '2.0.0'))?.listed, true);
      });
    });

    describe('read documents', () => {
      /** The document's text with its base marker replaced, as a read would serve it. */
      async function documentText(idLower: string, name: string): Promise<string | undefined> {
        const document = await packages.readDocument(FEED, idLower, name);
        if (document === undefined) return undefined;
        assert.equal(document.hash, await packages.documentHash(FEED, idLower, name));
        return document.baseMarker === undefined ? document.text : document.text.split(document.baseMarker).join('https://feed.test');
      }

      it('keeps the read generation while nothing is written, and moves it with every write', async () => {
        await insert('A', '1.0.0');
        const start = packages.readGeneration();
        await packages.listVersions(FEED, 'a');
        await packages.documentHash(FEED, 'a', 'all');
        await new Promise((resolve) => setImmediate(resolve)); // a later turn of the event loop, a new read snapshot
        assert.equal(packages.readGeneration(), start);
        await insert('A', '2.0.0');
        const afterInsert = packages.readGeneration();
        assert.notEqual(afterInsert, start);
        await packages.setListed(FEED, 'a', '1.0.0', false, TEST_EVENT);
        const afterUnlist = packages.readGeneration();
        assert.notEqual(afterUnlist, afterInsert);
        await packages.setListed(FEED, 'a', '1.0.0', true, TEST_EVENT);
        assert.notEqual(packages.readGeneration(), afterUnlist);
      });

      it('has no document for an unknown id or name', async () => {
        await insert('A', '1.0.0');
        assert.equal(await packages.documentHash(FEED, 'missing', 'all'), undefined);
        assert.equal(await packages.readDocument(FEED, 'missing', 'all'), undefined);
        assert.equal(await packages.documentHash(FEED, 'a', 'nothing'), undefined);
      });

      it('projects on every insert, with the base marker recorded', async () => {
        await insert('A', '2.0.0');
        assert.equal(await documentText('a', 'all'), '{"url":"https://feed.test/x","versions":["2.0.0:true"]}');
        const first = await packages.documentHash(FEED, 'a', 'all');
        await insert('a', '1.0.0');
        assert.equal(await documentText('a', 'all'), '{"url":"https://feed.test/x","versions":["1.0.0:true","2.0.0:true"]}');
        assert.equal(await documentText('a', 'listed'), '["1.0.0","2.0.0"]');
        assert.notEqual(await packages.documentHash(FEED, 'a', 'all'), first);
      });

      it('keeps the documents when an insert finds the version there', async () => {
        await insert('A', '1.0.0');
        const before = await packages.documentHash(FEED, 'a', 'all');
        assert.equal(await packages.insertVersion(FEED, newVersion('A', '1.0.0', { description: 'other' }), ADMIN_PUSH), 'exists');
        assert.equal(await packages.documentHash(FEED, 'a', 'all'), before);
      });

      it('projects on every unlist and relist; a document the projection no longer makes is removed', async () => {
        await insert('A', '1.0.0');
        const listedHash = await packages.documentHash(FEED, 'a', 'all');
        await packages.setListed(FEED, 'a', '1.0.0', false, TEST_EVENT);
        assert.equal(await documentText('a', 'all'), '{"url":"https://feed.test/x","versions":["1.0.0:false"]}');
        assert.equal(await packages.documentHash(FEED, 'a', 'listed'), undefined);
        await packages.setListed(FEED, 'a', '1.0.0', true, TEST_EVENT);
        assert.equal(await documentText('a', 'listed'), '["1.0.0"]');
        // The marker differs on every projection; the hash leaves it out, so equal documents hash equal.
        assert.equal(await packages.documentHash(FEED, 'a', 'all'), listedHash);
      });

      it('agrees with its versions (derivedDataProblems), and a rebuild keeps every hash', async () => {
        await insert('A', '1.0.0');
        await insert('B', '1.0.0');
        await packages.setListed(FEED, 'b', '1.0.0', false, TEST_EVENT);
        assert.deepEqual(await packages.derivedDataProblems(), []);
        const before = [await packages.documentHash(FEED, 'a', 'all'), await packages.documentHash(FEED, 'b', 'all')];
        await packages.rebuildDerivedData();
        assert.deepEqual([await packages.documentHash(FEED, 'a', 'all'), await packages.documentHash(FEED, 'b', 'all')], before);
        assert.deepEqual(await packages.derivedDataProblems(), []);
      });

      it('refreshStaleDocuments projects nothing again once the documents are current', async () => {
        await packages.refreshStaleDocuments();
        await insert('A', '1.0.0');
        assert.equal(await packages.refreshStaleDocuments(), 0);
      });
    });

    describe('addDownloads', () => {
      it('adds counts, including repeats within one batch', async () => {
        await insert('A', '1.0.0');
        await insert('A', '2.0.0');
        await packages.addDownloads([
          { feedId: FEED, idLower: 'a', versionLower: '1.0.0', count: 3 },
          { feedId: FEED, idLower: 'a', versionLower: '1.0.0', count: 2 },
          { feedId: FEED, idLower: 'a', versionLower: '2.0.0', count: 7 },
        ]);
        await packages.addDownloads([{ feedId: FEED, idLower: 'a', versionLower: '1.0.0', count: 1 }]);
        assert.equal((await packages.findVersion(FEED, 'a', '1.0.0'))?.downloads, 6);
        assert.equal((await packages.findVersion(FEED, 'a', '2.0.0'))?.downloads, 7);
      });

      it('accepts an empty batch and ignores unknown versions', async () => {
        await insert('A', '1.0.0');
        await packages.addDownloads([]);
        await packages.addDownloads([
          { feedId: FEED, idLower: 'missing', versionLower: '1.0.0', count: 5 },
          { feedId: FEED, idLower: 'a', versionLower: '1.0.0', count: 1 },
        ]);
        assert.equal((await packages.findVersion(FEED, 'a', '1.0.0'))?.downloads, 1);
        assert.equal(await packages.findVersion(FEED, 'missing', '1.0.0'), undefined);
      });
    });

    describe('referencedBlobKeys', () => {
      async function referencedKeys(): Promise<Set<string>> {
        const keys = new Set<string>();
        for await (const batch of packages.referencedBlobKeys()) for (const key of batch) keys.add(key);
        return keys;
      }

      it('is empty for an empty store', async () => {
        assert.equal((await referencedKeys()).size, 0);
      });

      it('holds every blob key of every version, listed or not, and nothing else', async () => {
        const full = await insert('A', '1.0.0', { readme: true, icon: true, license: true });
        const bare = await insert('B', '1.0.0');
        await packages.setListed(FEED, 'b', '1.0.0', false, TEST_EVENT);
        const keys = await referencedKeys();
        const expected = new Set([full.packageBlob, full.nuspecBlob, full.readmeBlob, full.iconBlob, full.licenseBlob, bare.packageBlob, bare.nuspecBlob]);
        assert.deepEqual(keys, expected);
      });
    });

    describe('search', () => {
      /** A small catalog covering each filter. */
      async function seed(): Promise<void> {
        await insert('Json', '1.0.0', { title: 'Json' });
        await insert('Newtonsoft.Json', '12.0.1', { title: 'Json.NET', tags: ['json', 'serializer'] });
        await insert('Newtonsoft.Json', '13.0.1', { title: 'Json.NET', tags: ['json', 'serializer'] });
        await insert('Json.More', '1.0.0');
        await insert('Contoso.Widgets', '1.0.0', { tags: ['widgets', 'ui'], authors: 'Jane Doe' });
        await insert('Contoso.Widgets', '2.0.0-beta', { tags: ['widgets', 'ui'], authors: 'Jane Doe' });
        await insert('Contoso.SemVer', '1.0.0');
        await insert('Contoso.SemVer', '2.0.0-rc.1');
        await insert('Contoso.SemVer', '3.0.0+build.7');
        await insert('Contoso.SemVerDependency', '1.0.0', { isSemVer2: true });
        await insert('Contoso.Tool', '1.0.0', { packageTypes: [{ name: 'DotnetTool' }] });
        await insert('Contoso.Hidden', '1.0.0');
        await packages.setListed(FEED, 'contoso.hidden', '1.0.0', false, TEST_EVENT);
        await insert('Contoso.PreOnly', '1.0.0-alpha');
        await packages.addDownloads([{ feedId: FEED, idLower: 'newtonsoft.json', versionLower: '13.0.1', count: 1000 }]);
      }

      const idsOf = (result: { hits: { latest: StoredVersion }[] }) => result.hits.map((hit) => hit.latest.registrationId);
      const hitFor = (result: { hits: SearchHit[] }, id: string) => result.hits.find((hit) => hit.latest.registrationId === id);

      it('finds nothing in an empty store', async () => {
        assert.deepEqual(await search.search(request(ALL)), { totalHits: 0, hits: [] });
      });

      it('without prerelease or SemVer 2.0.0: stable, SemVer 1 versions only', async () => {
        await seed();
        const result = await search.search(request(STABLE));
        assert.deepEqual(
          new Set(idsOf(result)),
          new Set(['Json', 'Newtonsoft.Json', 'Json.More', 'Contoso.Widgets', 'Contoso.SemVer', 'Contoso.Tool']),
        );
        assert.equal(result.totalHits, 6);
        assert.equal(hitFor(result, 'Contoso.Widgets')?.latest.versionNormalized, '1.0.0');
        assert.deepEqual(hitFor(result, 'Contoso.Widgets')?.versions.map((v) => v.versionNormalized), ['1.0.0']);
        assert.equal(hitFor(result, 'Contoso.SemVer')?.latest.versionNormalized, '1.0.0');
      });

      it('prerelease brings in prerelease versions and prerelease-only packages', async () => {
        await seed();
        const result = await search.search(request({ ...STABLE, includePrerelease: true }));
        assert.ok(idsOf(result).includes('Contoso.PreOnly'));
        assert.equal(hitFor(result, 'Contoso.Widgets')?.latest.versionNormalized, '2.0.0-beta');
        assert.deepEqual(hitFor(result, 'Contoso.Widgets')?.versions.map((v) => v.versionNormalized), ['1.0.0', '2.0.0-beta']);
        assert.equal(hitFor(result, 'Contoso.SemVer')?.latest.versionNormalized, '1.0.0', '2.0.0-rc.1 is SemVer 2.0.0');
        assert.ok(!idsOf(result).includes('Contoso.SemVerDependency'));
      });

      it('SemVer 2.0.0 brings in SemVer 2.0.0 versions, including those made so by a dependency', async () => {
        await seed();
        const stableSemVer2 = await search.search(request({ ...STABLE, includeSemVer2: true }));
        assert.equal(hitFor(stableSemVer2, 'Contoso.SemVer')?.latest.versionFull, '3.0.0+build.7');
        assert.deepEqual(hitFor(stableSemVer2, 'Contoso.SemVer')?.versions.map((v) => v.versionNormalized), ['1.0.0', '3.0.0']);
        assert.ok(idsOf(stableSemVer2).includes('Contoso.SemVerDependency'));
        assert.ok(!idsOf(stableSemVer2).includes('Contoso.PreOnly'));

        const everything = await search.search(request(ALL));
        assert.deepEqual(hitFor(everything, 'Contoso.SemVer')?.versions.map((v) => v.versionNormalized), ['1.0.0', '2.0.0-rc.1', '3.0.0']);
        assert.equal(everything.totalHits, 8);
      });

      it('never returns unlisted versions, and falls back to the latest listed one', async () => {
        await seed();
        assert.ok(!idsOf(await search.search(request(ALL))).includes('Contoso.Hidden'));
        await packages.setListed(FEED, 'newtonsoft.json', '13.0.1', false, TEST_EVENT);
        const result = await search.search(request(ALL));
        assert.equal(hitFor(result, 'Newtonsoft.Json')?.latest.versionNormalized, '12.0.1');
        assert.deepEqual(hitFor(result, 'Newtonsoft.Json')?.versions.map((v) => v.versionNormalized), ['12.0.1']);
        await packages.setListed(FEED, 'contoso.hidden', '1.0.0', true, TEST_EVENT);
        assert.ok(idsOf(await search.search(request(ALL))).includes('Contoso.Hidden'));
      });

      it('filters by package type; no declared type means Dependency', async () => {
        await seed();
        assert.deepEqual(idsOf(await search.search(request({ ...ALL, packageType: 'dotnettool' }))), ['Contoso.Tool']);
        const dependencies = idsOf(await search.search(request({ ...ALL, packageType: 'dependency' })));
        assert.ok(dependencies.includes('Json'));
        assert.ok(!dependencies.includes('Contoso.Tool'));
        assert.deepEqual(idsOf(await search.search(request({ ...ALL, packageType: 'template' }))), []);
      });

      it('ranks the exact id first, above more downloaded packages', async () => {
        await seed();
        const result = await search.search(request(ALL, [word('json')]));
        assert.equal(idsOf(result)[0], 'Json');
        assert.deepEqual(new Set(idsOf(result)), new Set(['Json', 'Newtonsoft.Json', 'Json.More']));
        assert.equal(result.totalHits, 3);
      });

      it('ranks the exact id first for a dotted id too', async () => {
        await seed();
        await insert('Contoso.Widgets.Extras', '1.0.0');
        await packages.addDownloads([{ feedId: FEED, idLower: 'contoso.widgets.extras', versionLower: '1.0.0', count: 50 }]);
        assert.equal(idsOf(await search.search(request(ALL, [word('contoso.widgets')])))[0], 'Contoso.Widgets');
      });

      it('matches terms in id, title, description, tags and authors; terms combine with AND', async () => {
        await seed();
        assert.deepEqual(idsOf(await search.search(request(ALL, [word('serializer')]))), ['Newtonsoft.Json']);
        assert.deepEqual(idsOf(await search.search(request(ALL, [word('jane')]))), ['Contoso.Widgets']);
        assert.deepEqual(idsOf(await search.search(request(ALL, [word('contoso'), word('tool')]))), ['Contoso.Tool']);
        assert.deepEqual(idsOf(await search.search(request(ALL, [word('nothing-matches-this')]))), []);
      });

      it('supports field-scoped terms', async () => {
        await seed();
        assert.deepEqual(idsOf(await search.search(request(ALL, [{ field: 'packageid', value: 'json' }]))), ['Json']);
        assert.deepEqual(idsOf(await search.search(request(ALL, [{ field: 'tags', value: 'widgets' }]))), ['Contoso.Widgets']);
        assert.deepEqual(idsOf(await search.search(request(ALL, [{ field: 'version', value: '12.0.1' }]))), ['Newtonsoft.Json']);
        assert.deepEqual(idsOf(await search.search(request(ALL, [{ field: 'title', value: 'json.net' }]))), ['Newtonsoft.Json']);
      });

      // Ownership does not exist yet, so an owner: term matches nothing; it must not fail the query.
      it('an owners term matches nothing instead of failing', async () => {
        await seed();
        assert.deepEqual(await search.search(request(ALL, [{ field: 'owners', value: 'anyone' }])), { totalHits: 0, hits: [] });
        assert.deepEqual(idsOf(await search.search(request(ALL, [word('json'), { field: 'owners', value: 'anyone' }]))), []);
      });

      it('totalHits counts every match regardless of skip and take', async () => {
        await seed();
        const all = await search.search(request(ALL));
        assert.equal(all.totalHits, all.hits.length);
        const page = await search.search(request(ALL, [], 2, 3));
        assert.equal(page.totalHits, all.totalHits);
        assert.deepEqual(idsOf(page), idsOf(all).slice(2, 5));
        const beyond = await search.search(request(ALL, [], 100, 10));
        assert.equal(beyond.totalHits, all.totalHits);
        assert.deepEqual(beyond.hits, []);
      });

      // take=0 is a valid request (parsePaging allows it) that clients use to ask only for the count.
      it('take=0 returns no hits but still the total', async () => {
        await seed();
        const all = await search.search(request(ALL));
        const none = await search.search(request(ALL, [], 0, 0));
        assert.deepEqual(none.hits, []);
        assert.equal(none.totalHits, all.totalHits);
        const json = await search.search(request(ALL, [word('json')], 0, 0));
        assert.equal(json.totalHits, 3);
      });

      it('reports total downloads across versions', async () => {
        await seed();
        await packages.addDownloads([{ feedId: FEED, idLower: 'newtonsoft.json', versionLower: '12.0.1', count: 5 }]);
        const hit = hitFor(await search.search(request(ALL, [word('newtonsoft')])), 'Newtonsoft.Json');
        assert.equal(hit?.totalDownloads, 1005);
      });

      it('shows the registration display casing', async () => {
        await insert('Contoso.Widgets', '1.0.0');
        await insert('CONTOSO.WIDGETS', '2.0.0');
        const [hit] = (await search.search(request(ALL))).hits;
        assert.equal(hit?.latest.registrationId, 'Contoso.Widgets');
        assert.equal(hit?.latest.versionNormalized, '2.0.0');
      });
    });

    describe('autocompleteIds', () => {
      async function seedIds(): Promise<void> {
        await insert('Json', '1.0.0');
        await insert('Json.More', '1.0.0');
        await insert('Newtonsoft.Json', '13.0.1');
        await insert('My-Json_Lib', '1.0.0');
        await insert('Snake_Jsonish', '1.0.0');
        await insert('Unjson', '1.0.0');
        await insert('Jsonite.Beta', '1.0.0-beta');
        await insert('Json.Hidden', '1.0.0');
        await packages.setListed(FEED, 'json.hidden', '1.0.0', false, TEST_EVENT);
        await packages.addDownloads([{ feedId: FEED, idLower: 'newtonsoft.json', versionLower: '13.0.1', count: 1000 }]);
      }

      it('matches ids that start with the prefix, and ids with a dot/dash/underscore part that does', async () => {
        await seedIds();
        const result = await search.autocompleteIds({ ...STABLE, prefix: 'json', skip: 0, take: 20 });
        assert.deepEqual(new Set(result.ids), new Set(['Json', 'Json.More', 'Newtonsoft.Json', 'My-Json_Lib', 'Snake_Jsonish']));
        assert.equal(result.totalHits, 5);
        assert.ok(!result.ids.includes('Unjson'), 'a match inside a part does not count');
        const firstTwo = new Set(result.ids.slice(0, 2));
        assert.deepEqual(firstTwo, new Set(['Json', 'Json.More']), 'whole-id prefix matches come first');
      });

      it('is case-insensitive and returns display casing', async () => {
        await seedIds();
        const result = await search.autocompleteIds({ ...STABLE, prefix: 'NEWT', skip: 0, take: 20 });
        assert.deepEqual(result.ids, ['Newtonsoft.Json']);
      });

      it('token-prefix matching finds later parts', async () => {
        await seedIds();
        assert.deepEqual((await search.autocompleteIds({ ...STABLE, prefix: 'more', skip: 0, take: 20 })).ids, ['Json.More']);
        assert.deepEqual((await search.autocompleteIds({ ...STABLE, prefix: 'lib', skip: 0, take: 20 })).ids, ['My-Json_Lib']);
        assert.deepEqual((await search.autocompleteIds({ ...STABLE, prefix: 'ewtonsoft', skip: 0, take: 20 })).ids, []);
      });

      it('applies the prerelease and listed filters', async () => {
        await seedIds();
        assert.deepEqual((await search.autocompleteIds({ ...STABLE, prefix: 'jsonite', skip: 0, take: 20 })).ids, []);
        assert.deepEqual((await search.autocompleteIds({ ...ALL, prefix: 'jsonite', skip: 0, take: 20 })).ids, ['Jsonite.Beta']);
        assert.deepEqual((await search.autocompleteIds({ ...ALL, prefix: 'json.h', skip: 0, take: 20 })).ids, []);
      });

      it('an empty prefix lists every eligible id; skip/take page it and totalHits counts all', async () => {
        await seedIds();
        const all = await search.autocompleteIds({ ...STABLE, prefix: '', skip: 0, take: 100 });
        assert.equal(all.totalHits, 6);
        assert.equal(all.ids.length, 6);
        const page = await search.autocompleteIds({ ...STABLE, prefix: '', skip: 1, take: 2 });
        assert.equal(page.totalHits, 6);
        assert.deepEqual(page.ids, all.ids.slice(1, 3));
        const beyond = await search.autocompleteIds({ ...STABLE, prefix: '', skip: 50, take: 2 });
        assert.deepEqual(beyond, { totalHits: 6, ids: [] });
      });

      it('take=0 returns no ids but still the total', async () => {
        await seedIds();
        assert.deepEqual(await search.autocompleteIds({ ...STABLE, prefix: 'json', skip: 0, take: 0 }), { totalHits: 5, ids: [] });
      });
    });

    describe('feeds', () => {
      /** The same id in two feeds, with different versions, listing and downloads. */
      async function twoFeeds(): Promise<FeedId> {
        const other = await subject.addFeed('ci');
        await insert('Shared.Lib', '1.0.0', { tags: ['shared'] });
        assert.equal(await packages.insertVersion(other, newVersion('Shared.Lib', '1.0.0', { tags: ['shared'] }), ADMIN_PUSH), 'created', 'the same version in another feed');
        assert.equal(await packages.insertVersion(other, newVersion('shared.lib', '2.0.0-ci.1', { tags: ['shared'] }), ADMIN_PUSH), 'created');
        assert.equal(await packages.insertVersion(other, newVersion('Only.Ci', '0.1.0'), ADMIN_PUSH), 'created');
        return other;
      }

      it('keeps versions, their listing and display ids apart', async () => {
        const other = await twoFeeds();
        assert.deepEqual((await packages.listVersions(FEED, 'shared.lib')).map((version) => [version.feedId, version.versionLower]), [[FEED, '1.0.0']]);
        assert.deepEqual((await packages.listVersions(other, 'shared.lib')).map((version) => [version.feedId, version.versionLower]), [
          [other, '1.0.0'],
          [other, '2.0.0-ci.1'],
        ]);
        assert.equal(await packages.findVersion(FEED, 'only.ci', '0.1.0'), undefined);
        assert.equal(await packages.findFiles(FEED, 'shared.lib', '2.0.0-ci.1'), undefined);
        assert.equal((await packages.findFiles(other, 'shared.lib', '2.0.0-ci.1'))?.feedId, other);
        assert.equal(await packages.setListed(FEED, 'only.ci', '0.1.0', false, TEST_EVENT), false, 'a version of another feed is not found');
        assert.equal(await packages.setListed(other, 'shared.lib', '1.0.0', false, TEST_EVENT), true);
        assert.equal((await packages.findVersion(FEED, 'shared.lib', '1.0.0'))?.listed, true, 'unlisting in one feed leaves the other');
        assert.equal(await packages.insertVersion(other, newVersion('Shared.Lib', '1.0.0'), ADMIN_PUSH), 'exists');
      });

      it('keeps read documents apart', async () => {
        const other = await twoFeeds();
        const gallery = await packages.readDocument(FEED, 'shared.lib', 'all');
        const ci = await packages.readDocument(other, 'shared.lib', 'all');
        assert.deepEqual(JSON.parse(gallery?.text ?? '{}').versions, ['1.0.0:true']);
        assert.deepEqual(JSON.parse(ci?.text ?? '{}').versions, ['1.0.0:true', '2.0.0-ci.1:true']);
        assert.equal(await packages.documentHash(FEED, 'only.ci', 'all'), undefined);
        assert.notEqual(await packages.documentHash(FEED, 'shared.lib', 'all'), await packages.documentHash(other, 'shared.lib', 'all'));
      });

      it('counts downloads per feed', async () => {
        const other = await twoFeeds();
        await packages.addDownloads([
          { feedId: other, idLower: 'shared.lib', versionLower: '1.0.0', count: 5 },
          { feedId: FEED, idLower: 'shared.lib', versionLower: '1.0.0', count: 2 },
          { feedId: FEED, idLower: 'only.ci', versionLower: '0.1.0', count: 9 },
        ]);
        assert.equal((await packages.findVersion(FEED, 'shared.lib', '1.0.0'))?.downloads, 2);
        assert.equal((await packages.findVersion(other, 'shared.lib', '1.0.0'))?.downloads, 5);
        assert.equal((await packages.findVersion(other, 'only.ci', '0.1.0'))?.downloads, 0, 'a count for a version the feed lacks is dropped');
        const hits = await search.search(request({ ...ALL, feedId: other }, [word('shared')]));
        assert.deepEqual(hits.hits.map((hit) => hit.totalDownloads), [5]);
      });

      it('searches and completes one feed only, counts included', async () => {
        const other = await twoFeeds();
        const gallery = await search.search(request(ALL));
        assert.equal(gallery.totalHits, 1);
        assert.deepEqual(gallery.hits.map((hit) => hit.latest.idLower), ['shared.lib']);
        const ci = await search.search(request({ ...ALL, feedId: other }));
        assert.equal(ci.totalHits, 2);
        assert.deepEqual(ci.hits.find((hit) => hit.latest.idLower === 'shared.lib')?.versions.map((version) => version.versionLower), ['1.0.0', '2.0.0-ci.1']);
        for (const terms of [[word('only')], [word('ci')], [{ field: 'id', value: 'only.ci' } as SearchTerm], [{ field: 'packageid', value: 'only.ci' } as SearchTerm]]) {
          assert.deepEqual(await search.search(request(ALL, terms)), { totalHits: 0, hits: [] }, JSON.stringify(terms));
        }
        const onlyCi = await search.search(request({ ...ALL, feedId: other }, [word('only')]));
        assert.deepEqual([onlyCi.totalHits, onlyCi.hits.map((hit) => hit.latest.idLower)], [1, ['only.ci']]);
        const typed = await search.search(request({ ...ALL, feedId: other, packageType: 'dependency' }));
        assert.equal(typed.totalHits, 2, 'a count by package type, in the index alone');
        assert.equal((await search.search(request({ ...ALL, feedId: other }, [{ field: 'version', value: '2.0.0-ci.1' }]))).totalHits, 1);
        assert.equal((await search.search(request(ALL, [{ field: 'version', value: '2.0.0-ci.1' }]))).totalHits, 0);
        assert.equal((await search.search(request(ALL, [{ field: 'tags', value: 'shared' }]))).totalHits, 1);
        assert.deepEqual(await search.autocompleteIds({ ...ALL, prefix: 'only', skip: 0, take: 20 }), { totalHits: 0, ids: [] });
        assert.deepEqual(await search.autocompleteIds({ ...ALL, feedId: other, prefix: 'only', skip: 0, take: 20 }), { totalHits: 1, ids: ['Only.Ci'] });
        assert.equal((await search.autocompleteIds({ ...ALL, prefix: '', skip: 0, take: 20 })).totalHits, 1);
        assert.deepEqual(await search.search(request({ ...ALL, feedId: 999 })), { totalHits: 0, hits: [] }, 'a feed with nothing in it');
      });

      it('derives and checks every feed', async () => {
        await twoFeeds();
        assert.deepEqual(await packages.derivedDataProblems(), []);
        await packages.rebuildDerivedData();
        assert.deepEqual(await packages.derivedDataProblems(), []);
        const all: string[] = [];
        for await (const version of packages.allVersions()) all.push(`${version.feedId}/${version.idLower}/${version.versionLower}`);
        assert.equal(all.length, 4);
      });
    });
  });
}
