/**
 * Retention for CI feeds, pure: which versions a feed's rules let go. Rules keep, per id, the newest N
 * pre-release versions and/or those younger than D days; stable versions are kept unless the rules are set
 * to name them too. Pinned versions are always kept, and so is every version a kept version depends on in
 * the feed (the lowest one its range allows, which restore picks), until nothing more is needed.
 */
import { NuGetVersion, compareVersions } from './nuget-version.ts';
import { VersionRange } from './version-range.ts';

export interface RetentionRules {
  /** Per id, the newest this many versions the rules cover are kept; undefined: no count rule. */
  readonly keepNewest: number | undefined;
  /** Versions younger than this many days are kept; undefined: no age rule. */
  readonly keepDays: number | undefined;
  /** Whether the rules cover stable versions too (otherwise only pre-releases). */
  readonly includeStable: boolean;
}

export interface RetainedVersion {
  readonly idLower: string;
  readonly versionLower: string;
  readonly isPrerelease: boolean;
  readonly publishedAt: Date;
  readonly pinned: boolean;
  readonly dependencies: readonly { readonly idLower: string; readonly range: string }[];
}

const DAY_MS = 86_400_000;

export function hasRetentionRules(rules: RetentionRules): boolean {
  return rules.keepNewest !== undefined || rules.keepDays !== undefined;
}

/** The versions to let go, in id and version order. `versions` are every version of the feed that may go (listed ones). */
export function versionsToRelease(versions: readonly RetainedVersion[], rules: RetentionRules, now: Date): RetainedVersion[] {
  if (!hasRetentionRules(rules)) return [];
  const key = (version: { idLower: string; versionLower: string }) => `${version.idLower}/${version.versionLower}`;
  const parsed = new Map(versions.map((version) => [key(version), NuGetVersion.parse(version.versionLower)]));
  const byId = new Map<string, RetainedVersion[]>();
  for (const version of versions) byId.set(version.idLower, [...(byId.get(version.idLower) ?? []), version]);
  const newestFirst = (a: RetainedVersion, b: RetainedVersion) => compareVersions(parsed.get(key(b)) as NuGetVersion, parsed.get(key(a)) as NuGetVersion);

  const kept = new Set<string>();
  for (const idVersions of byId.values()) {
    const covered = idVersions.filter((version) => version.isPrerelease || rules.includeStable).sort(newestFirst);
    for (const version of idVersions) if (!covered.includes(version)) kept.add(key(version));
    covered.forEach((version, rank) => {
      const young = rules.keepDays !== undefined && now.getTime() - version.publishedAt.getTime() < rules.keepDays * DAY_MS;
      const recent = rules.keepNewest !== undefined && rank < rules.keepNewest;
      if (version.pinned || young || recent) kept.add(key(version));
    });
  }

  // What kept versions need stays, and what that needs, until nothing more is added.
  const queue = versions.filter((version) => kept.has(key(version)));
  while (queue.length > 0) {
    const version = queue.pop() as RetainedVersion;
    for (const dependency of version.dependencies) {
      const range = VersionRange.tryParse(dependency.range) ?? VersionRange.all;
      const lowest = (byId.get(dependency.idLower) ?? [])
        .filter((candidate) => range.satisfies(parsed.get(key(candidate)) as NuGetVersion))
        .sort((a, b) => -newestFirst(a, b))[0];
      if (lowest !== undefined && !kept.has(key(lowest))) {
        kept.add(key(lowest));
        queue.push(lowest);
      }
    }
  }
  return versions.filter((version) => !kept.has(key(version))).sort((a, b) => (a.idLower === b.idLower ? -newestFirst(a, b) : a.idLower < b.idLower ? -1 : 1));
}
