/**
 * `pallet verify`: proves the data folder can serve what it promises. Every version's blobs exist and
 * hash to their keys, every row reads back and agrees with itself, the rows derived for search agree with
 * the versions, and the database passes its own check; unreferenced blobs are counted. With `repair`,
 * only what is safe: files extracted from an intact .nupkg are written again (they are derived from it),
 * derived rows are rebuilt. A referenced blob is never deleted, and a damaged .nupkg is only reported.
 */
import { createHash } from 'node:crypto';
import { NuGetVersion } from '../../domain/nuget-version.ts';
import { lowerPackageId } from '../../domain/package-id.ts';
import type { BlobKey, BlobStore, InspectedUpload, MetadataDatabase, PackageStore, StoredVersion } from '../ports.ts';
import { checkBlob } from './blob-integrity.ts';

export interface VerifyDependencies {
  readonly packages: PackageStore;
  readonly blobs: BlobStore;
  readonly database: MetadataDatabase;
  /** Reads the files a push extracts (nuspec, readme, icon, license) out of a stored .nupkg again. */
  readonly extractFiles: (packageBlob: BlobKey) => Promise<InspectedUpload>;
}

export interface VerifyProblem {
  /** `Contoso.Lib 1.2.0`, `database` or `search rows`. */
  readonly subject: string;
  readonly message: string;
  readonly repaired: boolean;
}

export interface VerifyReport {
  readonly versions: number;
  readonly blobsChecked: number;
  readonly bytesChecked: number;
  readonly problems: readonly VerifyProblem[];
  readonly orphanBlobs: number;
  readonly orphanBytes: number;
}

type ExtractedKind = 'nuspec' | 'readme' | 'icon' | 'license';
type BlobState = 'intact' | 'missing' | 'corrupt' | `unreadable (${string})`;

export async function verifyData(deps: VerifyDependencies, options: { readonly repair: boolean }): Promise<VerifyReport> {
  const problems: VerifyProblem[] = [];
  for (const message of await deps.database.integrityProblems()) problems.push({ subject: 'database', message, repaired: false });

  // Every key in memory (about 250 bytes each): fine for feeds of a few hundred thousand versions.
  const referenced = new Set<BlobKey>();
  let versions = 0;
  let blobsChecked = 0;
  let bytesChecked = 0;
  // A blob shared by several versions (the same readme, say) is read once. A key the store cannot even
  // address (a damaged row) is reported with that row, and the check goes on.
  const checked = new Map<BlobKey, BlobState>();
  const check = async (key: BlobKey): Promise<BlobState> => {
    let state = checked.get(key);
    if (state === undefined) {
      try {
        const result = await checkBlob(deps.blobs, key);
        state = result.state;
        if (result.state !== 'missing') bytesChecked += result.size;
      } catch (error) {
        state = `unreadable (${(error as Error).message})`;
      }
      checked.set(key, state);
      blobsChecked += 1;
    }
    return state;
  };

  for await (const version of deps.packages.allVersions()) {
    versions += 1;
    const subject = `${version.registrationId} ${version.versionFull}`;
    for (const message of rowProblems(version)) problems.push({ subject, message, repaired: false });

    referenced.add(version.packageBlob);
    const packageState = await check(version.packageBlob);
    if (packageState !== 'intact') {
      problems.push({ subject, message: `the .nupkg blob is ${packageState}; restore it from a backup`, repaired: false });
    } else {
      const size = (await deps.blobs.stat(version.packageBlob))?.size;
      if (size !== version.packageSize) problems.push({ subject, message: `the .nupkg is ${size} bytes, but its row says ${version.packageSize}`, repaired: false });
    }

    const broken: ExtractedKind[] = [];
    for (const [kind, key] of extractedBlobs(version)) {
      referenced.add(key);
      const state = await check(key);
      if (state !== 'intact') broken.push(kind);
    }
    if (broken.length === 0) continue;
    const repair = options.repair && packageState === 'intact' ? await reextract(deps, version, broken, checked) : { repaired: new Set<ExtractedKind>(), failure: undefined };
    for (const kind of broken) {
      const repaired = repair.repaired.has(kind);
      const hint = packageState !== 'intact' ? '' : options.repair ? `; extracting it again failed: ${repair.failure ?? 'the .nupkg holds other bytes for it'}` : '; pallet verify --repair extracts it again from the .nupkg';
      problems.push({
        subject,
        message: repaired ? `its ${kind} blob was missing or corrupt; it was extracted again from the .nupkg` : `its ${kind} blob is missing or corrupt${hint}`,
        repaired,
      });
    }
  }

  const derived = await deps.packages.derivedDataProblems();
  if (derived.length > 0) {
    if (options.repair) await deps.packages.rebuildDerivedData();
    for (const message of derived) problems.push({ subject: 'search rows', message, repaired: options.repair });
  }

  let orphanBlobs = 0;
  let orphanBytes = 0;
  for await (const key of deps.blobs.list()) {
    if (referenced.has(key)) continue;
    orphanBlobs += 1;
    orphanBytes += (await deps.blobs.stat(key))?.size ?? 0;
  }
  return { versions, blobsChecked, bytesChecked, problems, orphanBlobs, orphanBytes };
}

/** A row that disagrees with itself: its keys must be what its own id and version make them. */
function rowProblems(version: StoredVersion): string[] {
  const problems: string[] = [];
  if (lowerPackageId(version.id) !== version.idLower) problems.push(`its id '${version.id}' does not lower to its key '${version.idLower}'`);
  const parsed = NuGetVersion.tryParse(version.versionFull);
  if (!parsed) problems.push(`its version '${version.versionFull}' does not parse`);
  else {
    if (parsed.lower !== version.versionLower) problems.push(`its version '${version.versionFull}' does not normalize to its key '${version.versionLower}'`);
    if (parsed.sortKey !== version.sortKey) problems.push('its sort key is not the one its version gives; version order would be wrong');
  }
  if (Buffer.from(version.packageSha512, 'base64').toString('hex') !== version.packageBlob) problems.push('its packageHash does not match its .nupkg blob key');
  return problems;
}

function extractedBlobs(version: StoredVersion): [ExtractedKind, BlobKey][] {
  const blobs: [ExtractedKind, BlobKey | undefined][] = [
    ['nuspec', version.nuspecBlob],
    ['readme', version.readmeBlob],
    ['icon', version.iconBlob],
    ['license', version.licenseBlob],
  ];
  return blobs.filter((entry): entry is [ExtractedKind, BlobKey] => entry[1] !== undefined);
}

function blobOf(version: StoredVersion, kind: ExtractedKind): BlobKey | undefined {
  return extractedBlobs(version).find(([each]) => each === kind)?.[1];
}

/** Writes the damaged files again from the intact .nupkg, each only if its bytes hash to the key the row names. */
async function reextract(
  deps: VerifyDependencies,
  version: StoredVersion,
  kinds: readonly ExtractedKind[],
  checked: Map<BlobKey, BlobState>,
): Promise<{ repaired: Set<ExtractedKind>; failure: string | undefined }> {
  const repaired = new Set<ExtractedKind>();
  let extracted: InspectedUpload;
  try {
    extracted = await deps.extractFiles(version.packageBlob);
  } catch (error) {
    // A package accepted under older, looser rules may not pass today's: say so rather than "not repaired".
    return { repaired, failure: (error as Error).message };
  }
  const bytesOf: Record<ExtractedKind, Uint8Array | undefined> = {
    nuspec: extracted.nuspec,
    readme: extracted.readme,
    icon: extracted.icon?.bytes,
    license: extracted.license,
  };
  for (const kind of kinds) {
    const key = blobOf(version, kind) as BlobKey;
    const bytes = bytesOf[kind];
    if (!bytes) continue;
    if (createHash('sha512').update(bytes).digest('hex') !== key) continue;
    await deps.blobs.putBytes(key, bytes, { replace: true });
    checked.set(key, 'intact');
    repaired.add(kind);
  }
  return { repaired, failure: undefined };
}
