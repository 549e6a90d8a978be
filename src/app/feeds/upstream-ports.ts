/**
 * The seam to upstream V3 sources a feed reads through (another Pallet, nuget.org, any V3 server).
 * `authorization` is the `Authorization` header a private source wants (Basic), sent on every call to it.
 */
export interface UpstreamSources {
  /** The versions (lowercase normalized) the source has of the id; [] when it has none; throws when it cannot be reached. */
  versions(serviceIndex: string, idLower: string, authorization: string | undefined): Promise<string[]>;
  /** Downloads the .nupkg to `file`; false when the source has no such version; throws when it cannot be reached. */
  download(serviceIndex: string, idLower: string, versionLower: string, file: string, authorization: string | undefined): Promise<boolean>;
}
