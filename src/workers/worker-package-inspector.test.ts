import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AppError } from '../errors.ts';
import { WorkerPackageInspector } from './worker-package-inspector.ts';
import { buildNupkg } from '../../test/support/nupkg-builder.ts';
import { deflatedZeros } from '../../test/support/hostile-packages.ts';
import { writeZip } from '../../test/support/zip-writer.ts';

describe('WorkerPackageInspector', () => {
  let folder: string;
  const file = async (name: string, bytes: Buffer) => {
    const target = path.join(folder, name);
    await writeFile(target, bytes);
    return target;
  };
  before(async () => {
    folder = await mkdtemp(path.join(tmpdir(), 'pallet-inspector-'));
  });
  after(() => rm(folder, { recursive: true, force: true }));

  it('returns what a push stores, as plain data from the worker', async () => {
    const inspector = new WorkerPackageInspector({ workers: 1 });
    try {
      const inspected = await inspector.inspect(await file('ok.nupkg', buildNupkg({ id: 'Inspect.Me', version: '1.0.0-Beta.2+sha', readme: { path: 'README.md', content: '# hi' } })));
      assert.equal(inspected.id, 'Inspect.Me');
      assert.equal(inspected.idLower, 'inspect.me');
      assert.equal(inspected.versionLower, '1.0.0-beta.2');
      assert.equal(inspected.versionFull, '1.0.0-Beta.2+sha');
      assert.equal(inspected.isSemVer2, true);
      assert.equal(Buffer.from(inspected.readme as Uint8Array).toString('utf8'), '# hi');
      assert.equal(inspected.details.description, 'Test package Inspect.Me.');
    } finally {
      await inspector.close();
    }
  });

  it('turns a broken rule into INVALID_PACKAGE, naming the package once its manifest was read', async () => {
    const inspector = new WorkerPackageInspector({ workers: 1 });
    try {
      const bytes = buildNupkg({ id: 'Inspect.Bad', version: '2.0.0', readme: { path: 'README.md', content: '' } });
      await assert.rejects(inspector.inspect(await file('bad.nupkg', bytes)), (error: unknown) => {
        assert.ok(error instanceof AppError);
        assert.equal(error.code, 'INVALID_PACKAGE');
        assert.equal(error.message, "The package is invalid: <readme> 'README.md' is empty.");
        assert.deepEqual(error.subject, { id: 'Inspect.Bad', version: '2.0.0' });
        return true;
      });
    } finally {
      await inspector.close();
    }
  });

  it('refuses a package that takes longer to check than the time limit', async () => {
    const inspector = new WorkerPackageInspector({ workers: 1, timeLimitMs: 50 });
    try {
      // 512 MiB of zeros declared honestly, in an upload large enough for the size rules to let it through.
      const big = writeZip([
        { name: 'Inspect.Slow.nuspec', data: '<package><metadata><id>Inspect.Slow</id><version>1.0.0</version><authors>a</authors><description>d</description></metadata></package>' },
        { name: 'content/zeros.bin', data: deflatedZeros(512 * 1024 * 1024), method: 8, crc32: 0, declaredUncompressedSize: 512 * 1024 * 1024 },
        { name: 'content/padding.bin', data: Buffer.alloc(24 * 1024 * 1024, 1), method: 'store' },
      ]);
      await assert.rejects(inspector.inspect(await file('slow.nupkg', big)), (error: unknown) => {
        assert.ok(error instanceof AppError);
        assert.equal(error.code, 'INVALID_PACKAGE');
        assert.match(error.message, /^The package is invalid: checking it took longer than 50 ms\.$/);
        return true;
      });
    } finally {
      await inspector.close();
    }
  });

  it('answers UNAVAILABLE once closed', async () => {
    const inspector = new WorkerPackageInspector({ workers: 1 });
    await inspector.close();
    await assert.rejects(inspector.inspect(path.join(folder, 'ok.nupkg')), (error: unknown) => error instanceof AppError && error.code === 'UNAVAILABLE');
  });
});
