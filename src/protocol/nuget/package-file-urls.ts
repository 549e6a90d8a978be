/** The icon and license URLs a package's metadata points to: its embedded files, or what its nuspec names. */
import type { StoredVersion } from '../../app/ports.ts';

type VersionFileLinks = Pick<StoredVersion, 'idLower' | 'versionLower' | 'iconBlob' | 'licenseBlob' | 'readmeBlob'> & {
  readonly details: Pick<StoredVersion['details'], 'iconUrl' | 'licenseUrl' | 'licenseExpression'>;
};
import type { FeedUrls } from './feed-urls.ts';

export function packageFileUrls(urls: FeedUrls, version: VersionFileLinks): { iconUrl?: string; licenseUrl?: string; readmeUrl?: string } {
  const { details } = version;
  const iconUrl = version.iconBlob !== undefined ? urls.packageFile(version.idLower, version.versionLower, 'icon') : details.iconUrl;
  let licenseUrl = details.licenseUrl;
  if (details.licenseExpression !== undefined) {
    // nuget.org's convention, which Visual Studio links to for license expressions.
    licenseUrl = `https://licenses.nuget.org/${encodeURIComponent(details.licenseExpression)}`;
  } else if (version.licenseBlob !== undefined) {
    licenseUrl = urls.packageFile(version.idLower, version.versionLower, 'license');
  }
  const readmeUrl = version.readmeBlob !== undefined ? urls.packageFile(version.idLower, version.versionLower, 'readme') : undefined;
  return {
    ...(iconUrl === undefined ? {} : { iconUrl }),
    ...(licenseUrl === undefined ? {} : { licenseUrl }),
    ...(readmeUrl === undefined ? {} : { readmeUrl }),
  };
}
