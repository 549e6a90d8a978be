/**
 * Reads an upstream source's registration documents (an index and its pages) into the versions a feed's
 * own registration shows. An upstream is not trusted: an entry that is not a valid version of the id
 * asked for, or whose dependency ranges do not parse, is left out; links other than http(s) are dropped, and
 * so are links into the upstream itself (an embedded icon or license): a client may not reach a private
 * upstream, and once the version is stored its own files are linked.
 * https://learn.microsoft.com/nuget/api/registration-base-url-resource
 */
import { NuGetVersion } from '../domain/nuget-version.ts';
import { MAX_PACKAGE_ID_LENGTH, lowerPackageId } from '../domain/package-id.ts';
import { VersionRange } from '../domain/version-range.ts';
import type { UpstreamVersion } from '../app/feeds/upstream-ports.ts';

/** What nuget.org writes as `published` for versions unlisted before `listed` existed. */
const UNLISTED_YEAR = 1900;

type Json = Record<string, unknown>;

function objectOf(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

function arrayOf(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function textOf(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function linkOf(value: unknown): string | undefined {
  const text = textOf(value);
  if (text === undefined || !URL.canParse(text)) return undefined;
  const { protocol } = new URL(text);
  return protocol === 'https:' || protocol === 'http:' ? text : undefined;
}

/** `authors` is a string on nuget.org and an array on some servers. */
function authorsOf(value: unknown): string {
  if (Array.isArray(value)) return value.filter((each): each is string => typeof each === 'string').join(', ');
  return textOf(value) ?? '';
}

function tagsOf(value: unknown): string[] {
  if (typeof value === 'string') return value.split(/[\s,;]+/).filter((tag) => tag !== '');
  return arrayOf(value).filter((tag): tag is string => typeof tag === 'string' && tag !== '');
}

type Dependencies = UpstreamVersion['details']['dependencyGroups'];

/** The dependency groups with normalized ranges, and whether a bound is SemVer 2.0.0; undefined if one does not parse. */
function dependencyGroupsOf(value: unknown): { groups: Dependencies; semVer2Bound: boolean } | undefined {
  const groups: Dependencies[number][] = [];
  let semVer2Bound = false;
  for (const groupValue of arrayOf(value)) {
    const group = objectOf(groupValue);
    if (group === undefined) return undefined;
    const dependencies: { id: string; range: string }[] = [];
    for (const dependencyValue of arrayOf(group.dependencies)) {
      const dependency = objectOf(dependencyValue);
      const id = textOf(dependency?.id);
      if (id === undefined || id.length > MAX_PACKAGE_ID_LENGTH) return undefined;
      const range = VersionRange.tryParse(typeof dependency?.range === 'string' ? dependency.range : '');
      if (range === undefined) return undefined;
      semVer2Bound ||= range.hasSemVer2Bound;
      dependencies.push({ id, range: range.normalized });
    }
    const targetFramework = textOf(group.targetFramework);
    groups.push({ ...(targetFramework === undefined ? {} : { targetFramework }), dependencies });
  }
  return { groups, semVer2Bound };
}

/** One registration leaf, or undefined when it is not a valid version of `idLower`. */
export function upstreamVersionOf(leafValue: unknown, idLower: string): UpstreamVersion | undefined {
  const entry = objectOf(objectOf(leafValue)?.catalogEntry);
  if (entry === undefined) return undefined;
  const id = textOf(entry.id);
  if (id === undefined || lowerPackageId(id) !== idLower) return undefined;
  const version = typeof entry.version === 'string' ? NuGetVersion.tryParse(entry.version) : undefined;
  if (version === undefined) return undefined;
  const dependencies = dependencyGroupsOf(entry.dependencyGroups);
  if (dependencies === undefined) return undefined;
  const published = typeof entry.published === 'string' ? new Date(entry.published) : new Date(Number.NaN);
  const publishedAt = Number.isNaN(published.getTime()) ? new Date(0) : published;
  return {
    idLower,
    registrationId: id,
    versionLower: version.lower,
    versionNormalized: version.normalized,
    versionFull: version.full,
    isSemVer2: version.isSemVer2 || dependencies.semVer2Bound,
    listed: typeof entry.listed === 'boolean' ? entry.listed : publishedAt.getUTCFullYear() !== UNLISTED_YEAR,
    publishedAt,
    iconBlob: undefined,
    licenseBlob: undefined,
    readmeBlob: undefined,
    details: {
      authors: authorsOf(entry.authors),
      dependencyGroups: dependencies.groups,
      description: textOf(entry.description) ?? '',
      iconUrl: linkOf(entry.iconUrl),
      language: textOf(entry.language),
      licenseExpression: textOf(entry.licenseExpression),
      licenseUrl: linkOf(entry.licenseUrl),
      minClientVersion: textOf(entry.minClientVersion),
      projectUrl: linkOf(entry.projectUrl),
      requireLicenseAcceptance: entry.requireLicenseAcceptance === true,
      summary: textOf(entry.summary),
      tags: tagsOf(entry.tags),
      title: textOf(entry.title),
    },
  };
}

/** The valid versions of a registration page's leaves (`items`). */
export function pageVersionsOf(pageValue: unknown, idLower: string): UpstreamVersion[] {
  return arrayOf(objectOf(pageValue)?.items).flatMap((leaf) => upstreamVersionOf(leaf, idLower) ?? []);
}

/**
 * A registration index's inlined versions, and the URLs of the pages it does not inline (which the
 * caller reads with `pageVersionsOf`).
 */
export function indexVersionsOf(indexValue: unknown, idLower: string): { versions: UpstreamVersion[]; pageUrls: string[] } {
  const versions: UpstreamVersion[] = [];
  const pageUrls: string[] = [];
  for (const pageValue of arrayOf(objectOf(indexValue)?.items)) {
    const page = objectOf(pageValue);
    if (page === undefined) continue;
    if (Array.isArray(page.items)) versions.push(...pageVersionsOf(page, idLower));
    else {
      const url = linkOf(page['@id']);
      if (url !== undefined) pageUrls.push(url);
    }
  }
  return { versions, pageUrls };
}

/** The version without icon and license links into `origins` (the upstream's own hosts). */
export function withoutLinksInto(version: UpstreamVersion, origins: ReadonlySet<string>): UpstreamVersion {
  const outside = (link: string | undefined) => (link === undefined || origins.has(new URL(link).origin) ? undefined : link);
  const iconUrl = outside(version.details.iconUrl);
  const licenseUrl = outside(version.details.licenseUrl);
  if (iconUrl === version.details.iconUrl && licenseUrl === version.details.licenseUrl) return version;
  return { ...version, details: { ...version.details, iconUrl, licenseUrl } };
}
