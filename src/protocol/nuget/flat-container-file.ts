/** Which of a version's files a flat-container file name asks for. */
import type { PackageFileKind } from '../../app/packages/read-package.ts';
import { NuGetVersion } from '../../domain/nuget-version.ts';

/**
 * `{id}.{version}.nupkg`, `{id}.nuspec`, or one of the embedded files. Lenient, as the lookup is: any
 * casing, and any version form equal to the path's (`…/1.0/demo.1.0.0.nupkg`).
 */
export function flatContainerFileKind(id: string, version: string, file: string): PackageFileKind | undefined {
  const name = file.toLowerCase();
  const idLower = id.toLowerCase();
  if (name === 'readme' || name === 'icon' || name === 'license') return name;
  if (name === `${idLower}.nuspec`) return 'nuspec';
  if (name.startsWith(`${idLower}.`) && name.endsWith('.nupkg')) {
    const fileVersion = NuGetVersion.tryParse(name.slice(idLower.length + 1, -'.nupkg'.length));
    const pathVersion = NuGetVersion.tryParse(version);
    if (fileVersion && pathVersion && fileVersion.lower === pathVersion.lower) return 'nupkg';
  }
  return undefined;
}
