/**
 * The documents restore reads, projected at write time from all versions of one id: the flat container's
 * version list and, in each registration hive, the index and (past 127 versions) its pages. nuget.org
 * serves these as precomputed static blobs; Pallet stores them in the same transaction as the change, so a
 * read is a lookup and a write of bytes. URLs are written on a random stand-in base that the server swaps
 * for the request's base URL (see `ProjectedDocument`).
 * https://learn.microsoft.com/nuget/api/package-base-address-resource#enumerate-package-versions
 * https://learn.microsoft.com/nuget/api/registration-base-url-resource
 */
import { randomBytes } from 'node:crypto';
import type { DocumentProjection, PackageFacts, ProjectedDocument, StoredVersion } from '../../app/ports.ts';
import { FeedUrls, REGISTRATION_HIVES, type RegistrationHive } from './feed-urls.ts';
import { buildRegistrationIndex, registrationPages } from './registration.ts';

/** Bump when any document's shape changes: stored documents of another format are rebuilt at start. */
const FORMAT = 'nuget-read-documents/2';

export const VERSION_LIST_DOCUMENT = 'versions';

export function registrationIndexDocument(hive: RegistrationHive): string {
  return `${hive}/index`;
}

/** Bounds are the page's lowercase normalized versions, as its URL carries them. */
export function registrationPageDocument(hive: RegistrationHive, lower: string, upper: string): string {
  return `${hive}/page/${lower}/${upper}`;
}

export const nugetReadDocuments: DocumentProjection = {
  format: FORMAT,
  project(versions: readonly StoredVersion[], facts: PackageFacts): ProjectedDocument[] {
    // 128 random bits: no package text can contain the marker, so replacing it touches only our URLs.
    const baseMarker = `https://${randomBytes(16).toString('hex')}.pallet-base.invalid`;
    const urls = new FeedUrls(baseMarker);
    // Unlisted versions stay in the version list: restore must still find them. Lowercase normalized, no metadata.
    const documents: ProjectedDocument[] = [
      { name: VERSION_LIST_DOCUMENT, text: JSON.stringify({ versions: versions.map((version) => version.versionLower) }), baseMarker: undefined },
    ];
    for (const [hive, settings] of Object.entries(REGISTRATION_HIVES) as [RegistrationHive, (typeof REGISTRATION_HIVES)[RegistrationHive]][]) {
      const shown = settings.includesSemVer2 ? versions : versions.filter((version) => !version.isSemVer2);
      if (shown.length === 0) continue; // a SemVer 1 hive has nothing for an id whose versions are all SemVer 2.0.0
      documents.push({ name: registrationIndexDocument(hive), text: JSON.stringify(buildRegistrationIndex(urls, hive, shown, facts)), baseMarker });
      for (const page of registrationPages(urls, hive, shown, facts)) {
        documents.push({ name: registrationPageDocument(hive, page.lower, page.upper), text: JSON.stringify(page), baseMarker });
      }
    }
    return documents;
  },
};
