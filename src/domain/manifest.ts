/** The fields Pallet keeps from a package's nuspec, validated and typed. */
import type { NuGetVersion } from './nuget-version.ts';
import type { VersionRange } from './version-range.ts';

export interface PackageDependency {
  readonly id: string;
  readonly range: VersionRange;
}

export interface DependencyGroup {
  /** As written in the nuspec (`net8.0`, `.NETStandard2.0`); undefined means "any framework". */
  readonly targetFramework: string | undefined;
  readonly dependencies: readonly PackageDependency[];
}

export interface PackageType {
  readonly name: string;
  readonly version: string | undefined;
}

export type License =
  | { readonly type: 'expression'; readonly expression: string }
  | { readonly type: 'file'; readonly path: string };

export interface Manifest {
  readonly id: string;
  readonly version: NuGetVersion;
  readonly title: string | undefined;
  readonly description: string;
  readonly summary: string | undefined;
  readonly authors: string;
  readonly tags: readonly string[];
  readonly releaseNotes: string | undefined;
  readonly copyright: string | undefined;
  readonly language: string | undefined;
  readonly projectUrl: string | undefined;
  readonly iconUrl: string | undefined;
  readonly licenseUrl: string | undefined;
  /** Path inside the package of an embedded icon (`<icon>`), with `/` separators. */
  readonly iconPath: string | undefined;
  /** Path inside the package of the readme (`<readme>`), with `/` separators. */
  readonly readmePath: string | undefined;
  readonly license: License | undefined;
  readonly requireLicenseAcceptance: boolean;
  readonly developmentDependency: boolean;
  readonly minClientVersion: string | undefined;
  readonly repository: { readonly type?: string; readonly url?: string; readonly branch?: string; readonly commit?: string } | undefined;
  /** Declared package types; empty means the default, `Dependency`. */
  readonly packageTypes: readonly PackageType[];
  readonly dependencyGroups: readonly DependencyGroup[];
}

/**
 * nuget.org's definition of a SemVer 2.0.0 package: its own version is SemVer 2.0.0-only, or a dependency
 * bound is. Such packages are hidden from clients that do not ask for `semVerLevel=2.0.0`.
 */
export function isSemVer2Package(manifest: Manifest): boolean {
  if (manifest.version.isSemVer2) return true;
  return manifest.dependencyGroups.some((group) => group.dependencies.some((dependency) => dependency.range.hasSemVer2Bound));
}
