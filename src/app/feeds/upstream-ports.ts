/**
 * The seam to upstream V3 sources a feed reads through (another Pallet, nuget.org, any V3 server).
 * `authorization` is the `Authorization` header a private source wants (Basic), sent on every call to it.
 */
import type { VersionDetails } from '../ports.ts';

/**
 * A version an upstream source's registration lists, with the metadata clients show. It has no files here
 * until it is downloaded, so its icon and license are the links its source gave.
 */
export interface UpstreamVersion {
  readonly idLower: string;
  /** The id as the source spells it. */
  readonly registrationId: string;
  readonly versionLower: string;
  readonly versionNormalized: string;
  readonly versionFull: string;
  /** nuget.org's package-level rule: the version or a dependency bound is SemVer 2.0.0. */
  readonly isSemVer2: boolean;
  readonly listed: boolean;
  readonly publishedAt: Date;
  readonly iconBlob: undefined;
  readonly licenseBlob: undefined;
  readonly readmeBlob: undefined;
  readonly details: Pick<
    VersionDetails,
    'authors' | 'dependencyGroups' | 'description' | 'iconUrl' | 'language' | 'licenseExpression' | 'licenseUrl' | 'minClientVersion' | 'projectUrl' | 'requireLicenseAcceptance' | 'summary' | 'tags' | 'title'
  >;
}

export interface UpstreamSources {
  /** The versions (lowercase normalized) the source has of the id; [] when it has none; throws when it cannot be reached. */
  versions(serviceIndex: string, idLower: string, authorization: string | undefined): Promise<string[]>;
  /**
   * The versions the source's registration (SemVer 2.0.0 hive) lists of the id, ascending, leaving out any
   * entry that is not a valid version of this id; [] when it has none; throws when it cannot be reached.
   */
  registration(serviceIndex: string, idLower: string, authorization: string | undefined): Promise<UpstreamVersion[]>;
  /**
   * Downloads the .nupkg to `file`; false when the source has no such version; throws when it cannot be
   * reached or sends more than `maxBytes`.
   */
  download(serviceIndex: string, idLower: string, versionLower: string, file: string, authorization: string | undefined, maxBytes: number): Promise<boolean>;
}
