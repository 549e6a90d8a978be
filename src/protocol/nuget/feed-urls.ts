/**
 * Every absolute URL Pallet writes into a document comes from here, built on one public base URL
 * (configured, or taken from the request), so documents stay right behind a reverse proxy or under a sub-path.
 */

/**
 * The three registration hives nuget.org serves. SemVer 1 hives hide SemVer 2.0.0 packages from old
 * clients; gzip hives are compressed when the client accepts it.
 * https://learn.microsoft.com/nuget/api/registration-base-url-resource#versioning
 */
export const REGISTRATION_HIVES = {
  semver1: { path: 'registration', includesSemVer2: false, gzip: false },
  'semver1-gz': { path: 'registration-gz', includesSemVer2: false, gzip: true },
  'semver2-gz': { path: 'registration-gz-semver2', includesSemVer2: true, gzip: true },
} as const;

export type RegistrationHive = keyof typeof REGISTRATION_HIVES;

export class FeedUrls {
  /** Absolute base without a trailing slash, e.g. `https://nuget.example.com` or `https://example.com/nuget`. */
  readonly base: string;

  constructor(base: string) {
    this.base = base.replace(/\/+$/, '');
  }

  get serviceIndex(): string {
    return `${this.base}/v3/index.json`;
  }

  /** `PackageBaseAddress/3.0.0` @id; the client appends `{lower_id}/index.json` and so on. */
  get packageBase(): string {
    return `${this.base}/v3/package/`;
  }

  /** `PackagePublish/2.0.0` @id; the client PUTs to it with a trailing slash. */
  get packagePublish(): string {
    return `${this.base}/api/v2/package`;
  }

  get search(): string {
    return `${this.base}/v3/search`;
  }

  get autocomplete(): string {
    return `${this.base}/v3/autocomplete`;
  }

  registrationBase(hive: RegistrationHive): string {
    return `${this.base}/v3/${REGISTRATION_HIVES[hive].path}/`;
  }

  registrationIndex(hive: RegistrationHive, idLower: string): string {
    return `${this.registrationBase(hive)}${idLower}/index.json`;
  }

  registrationPage(hive: RegistrationHive, idLower: string, lowerVersion: string, upperVersion: string): string {
    return `${this.registrationBase(hive)}${idLower}/page/${lowerVersion}/${upperVersion}.json`;
  }

  registrationLeaf(hive: RegistrationHive, idLower: string, versionLower: string): string {
    return `${this.registrationBase(hive)}${idLower}/${versionLower}.json`;
  }

  versionsIndex(idLower: string): string {
    return `${this.packageBase}${idLower}/index.json`;
  }

  packageContent(idLower: string, versionLower: string): string {
    return `${this.packageBase}${idLower}/${versionLower}/${idLower}.${versionLower}.nupkg`;
  }

  packageFile(idLower: string, versionLower: string, file: 'readme' | 'icon' | 'license'): string {
    return `${this.packageBase}${idLower}/${versionLower}/${file}`;
  }

  packageDetailsTemplate(): string {
    return `${this.base}/packages/{id}/{version}`;
  }

  reportAbuseTemplate(): string {
    return `${this.base}/packages/{id}/{version}/report`;
  }

  readmeTemplate(): string {
    return `${this.packageBase}{lower_id}/{lower_version}/readme`;
  }

  packageDetails(id: string, version: string): string {
    return `${this.base}/packages/${encodeURIComponent(id)}/${encodeURIComponent(version)}`;
  }
}
