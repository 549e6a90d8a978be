/**
 * Target framework names as written in a nuspec (`targetFramework` on a dependency group or a
 * framework-reference group): whether NuGet can parse one, and its normalised short folder name.
 *
 * nuget.org rejects packages whose groups name a framework that `NuGetFramework.Parse` turns into
 * "Unsupported", so this is a port of the parts of NuGet.Client's NuGet.Frameworks that decide that
 * (NuGetFrameworkFactory, FrameworkNameProvider, DefaultFrameworkMappings,
 * DefaultPortableFrameworkMappings) and of `GetShortFolderName`. It is stricter in two places:
 * a long name (`Foo,Version=v1.0`) with an identifier NuGet does not know, and a portable
 * profile listing a framework NuGet cannot parse, are problems here, where NuGet keeps them as
 * opaque frameworks that nothing can ever be compatible with.
 */

export interface ParsedTargetFramework {
  /** NuGet's framework identifier: `.NETCoreApp`, `.NETFramework`, `.NETStandard`, `Any`, ... */
  identifier: string;
  /** Dotted, at least major.minor: `8.0`, `4.7.2`. */
  version: string;
  /** `Client`, `Profile259`, ... */
  profile?: string;
  /** The OS part of .NET 5+ frameworks, as written: `windows` in `net8.0-windows10.0.19041.0`. */
  platform?: string;
  /** `10.0.19041` for `net8.0-windows10.0.19041.0`; absent when the name gives no platform version. */
  platformVersion?: string;
  /** NuGet's `GetShortFolderName()`: `net472`, `netstandard2.0`, `net8.0-windows10.0.19041`. */
  shortFolderName: string;
}

/** Undefined when NuGet can parse `text`; an empty string means "any framework" and is fine. */
export function targetFrameworkProblem(text: string): string | undefined {
  const result = analyse(text);
  return result.ok ? undefined : result.problem;
}

export function parseTargetFramework(text: string): ParsedTargetFramework | undefined {
  const result = analyse(text);
  return result.ok ? result.value : undefined;
}

type Result<T> = { ok: true; value: T } | { ok: false; problem: string };

/** System.Version with unspecified parts as 0, as NuGetFramework normalises it. */
type Version = readonly [major: number, minor: number, build: number, revision: number];

interface Framework {
  identifier: string;
  version: Version;
  profile: string;
  platform: string;
  platformVersion: Version;
}

const ZERO: Version = [0, 0, 0, 0];

const ANY = 'Any';
const AGNOSTIC = 'Agnostic';
const UNSUPPORTED = 'Unsupported';
const NET_FRAMEWORK = '.NETFramework';
const NET_CORE_APP = '.NETCoreApp';
const NET_PLATFORM = '.NETPlatform';
const PORTABLE = '.NETPortable';

// DefaultFrameworkMappings.IdentifierShortNames, in NuGet's order.
const IDENTIFIER_SHORT_NAMES: ReadonlyArray<readonly [identifier: string, shortName: string]> = [
  [NET_CORE_APP, 'netcoreapp'],
  ['.NETStandardApp', 'netstandardapp'],
  ['.NETStandard', 'netstandard'],
  [NET_PLATFORM, 'dotnet'],
  [NET_FRAMEWORK, 'net'],
  ['.NETMicroFramework', 'netmf'],
  ['Silverlight', 'sl'],
  [PORTABLE, 'portable'],
  ['WindowsPhone', 'wp'],
  ['WindowsPhoneApp', 'wpa'],
  ['Windows', 'win'],
  ['ASP.NET', 'aspnet'],
  ['ASP.NETCore', 'aspnetcore'],
  ['native', 'native'],
  ['MonoAndroid', 'monoandroid'],
  ['MonoTouch', 'monotouch'],
  ['MonoMac', 'monomac'],
  ['Xamarin.iOS', 'xamarinios'],
  ['Xamarin.Mac', 'xamarinmac'],
  ['Xamarin.PlayStation3', 'xamarinpsthree'],
  ['Xamarin.PlayStation4', 'xamarinpsfour'],
  ['Xamarin.PlayStationVita', 'xamarinpsvita'],
  ['Xamarin.WatchOS', 'xamarinwatchos'],
  ['Xamarin.TVOS', 'xamarintvos'],
  ['Xamarin.Xbox360', 'xamarinxboxthreesixty'],
  ['Xamarin.XboxOne', 'xamarinxboxone'],
  ['DNX', 'dnx'],
  ['DNXCore', 'dnxcore'],
  ['.NETCore', 'netcore'],
  ['WinRT', 'winrt'],
  ['UAP', 'uap'],
  ['Tizen', 'tizen'],
  ['.NETnanoFramework', 'netnano'],
];

// DefaultFrameworkMappings.IdentifierSynonyms.
const IDENTIFIER_SYNONYMS: ReadonlyArray<readonly [synonym: string, identifier: string]> = [
  ['NETFramework', NET_FRAMEWORK],
  ['.NET', NET_FRAMEWORK],
  ['NETCore', '.NETCore'],
  ['NETPortable', PORTABLE],
  ['asp.net', 'ASP.NET'],
  ['asp.netcore', 'ASP.NETCore'],
  ['Xamarin.PlayStationThree', 'Xamarin.PlayStation3'],
  ['XamarinPlayStationThree', 'Xamarin.PlayStation3'],
  ['Xamarin.PlayStationFour', 'Xamarin.PlayStation4'],
  ['XamarinPlayStationFour', 'Xamarin.PlayStation4'],
  ['XamarinPlayStationVita', 'Xamarin.PlayStationVita'],
];

// DefaultFrameworkMappings.ProfileShortNames. NuGet looks these up without regard to the framework.
const PROFILE_SHORT_NAMES: ReadonlyArray<readonly [shortName: string, profile: string]> = [
  ['Client', 'Client'],
  ['CF', 'CompactFramework'],
  ['Full', ''],
  ['WP', 'WindowsPhone'],
  ['WP71', 'WindowsPhone71'],
];

// NuGet compares all of these names with OrdinalIgnoreCase, which folds ASCII letters only.
function fold(text: string): string {
  return text.replace(/[A-Z]/g, (letter) => letter.toLowerCase());
}

const IDENTIFIER_BY_NAME = new Map<string, string>();
for (const [synonym, identifier] of IDENTIFIER_SYNONYMS) IDENTIFIER_BY_NAME.set(fold(synonym), identifier);
for (const [identifier, shortName] of IDENTIFIER_SHORT_NAMES) {
  if (!IDENTIFIER_BY_NAME.has(fold(shortName))) IDENTIFIER_BY_NAME.set(fold(shortName), identifier);
  IDENTIFIER_BY_NAME.set(fold(identifier), identifier);
}
const SHORT_NAME_BY_IDENTIFIER = new Map(IDENTIFIER_SHORT_NAMES.map(([identifier, shortName]) => [fold(identifier), shortName]));

// Legacy frameworks whose short names may carry a one-digit version (`win8`, `wp7`, `sl5`).
const SINGLE_DIGIT_VERSION_IDENTIFIERS = new Set(['windows', 'windowsphone', 'silverlight']);
// Frameworks whose short names always put dots between version parts (`netstandard2.0`).
const DECIMAL_POINT_IDENTIFIERS = new Set(['.netcoreapp', '.netstandard', '.netnanoframework']);

/**
 * DefaultPortableFrameworkMappings: the frameworks each PCL profile requires, as short folder
 * names. Profiles marked `mono` also allow the Xamarin/Mono frameworks, which a
 * `portable-a+b+...` name may list without changing which profile it means.
 */
const PORTABLE_PROFILES: ReadonlyMap<number, { required: readonly string[]; mono: boolean }> = new Map(
  (
    [
      [31, false, 'win81', 'wp81'],
      [32, false, 'win81', 'wpa81'],
      [44, true, 'net451', 'win81'],
      [84, false, 'wp81', 'wpa81'],
      [151, true, 'net451', 'win81', 'wpa81'],
      [157, false, 'win81', 'wp81', 'wpa81'],
      [7, true, 'net45', 'win8'],
      [49, true, 'net45', 'wp8'],
      [78, true, 'net45', 'win8', 'wp8'],
      [111, true, 'net45', 'win8', 'wpa81'],
      [259, true, 'net45', 'win8', 'wpa81', 'wp8'],
      [2, false, 'net40', 'win8', 'sl4', 'wp7'],
      [3, false, 'net40', 'sl4'],
      [4, false, 'net45', 'sl4', 'win8', 'wp7'],
      [5, true, 'net40', 'win8'],
      [6, true, 'net403', 'win8'],
      [14, true, 'net40', 'sl5'],
      [18, false, 'net403', 'sl4'],
      [19, true, 'net403', 'sl5'],
      [23, false, 'net45', 'sl4'],
      [24, true, 'net45', 'sl5'],
      [36, false, 'net40', 'sl4', 'win8', 'wp8'],
      [37, true, 'net40', 'sl5', 'win8'],
      [41, false, 'net403', 'sl4', 'win8'],
      [42, true, 'net403', 'sl5', 'win8'],
      [46, false, 'net45', 'sl4', 'win8'],
      [47, true, 'net45', 'sl5', 'win8'],
      [88, false, 'net40', 'sl4', 'win8', 'wp75'],
      [92, true, 'net40', 'win8', 'wpa81'],
      [95, false, 'net403', 'sl4', 'win8', 'wp7'],
      [96, false, 'net403', 'sl4', 'win8', 'wp75'],
      [102, true, 'net403', 'win8', 'wpa81'],
      [104, false, 'net45', 'sl4', 'win8', 'wp75'],
      [136, true, 'net40', 'sl5', 'win8', 'wp8'],
      [143, false, 'net403', 'sl4', 'win8', 'wp8'],
      [147, true, 'net403', 'sl5', 'win8', 'wp8'],
      [154, false, 'net45', 'sl4', 'win8', 'wp8'],
      [158, true, 'net45', 'sl5', 'win8', 'wp8'],
      [225, true, 'net40', 'sl5', 'win8', 'wpa81'],
      [240, false, 'net403', 'sl5', 'win8', 'wpa81'],
      [255, true, 'net45', 'sl5', 'win8', 'wpa81'],
      [328, true, 'net40', 'sl5', 'win8', 'wpa81', 'wp8'],
      [336, true, 'net403', 'sl5', 'win8', 'wpa81', 'wp8'],
      [344, true, 'net45', 'sl5', 'win8', 'wpa81', 'wp8'],
    ] as const
  ).map(([profile, mono, ...required]) => [profile, { required, mono }]),
);

const PORTABLE_OPTIONAL_IDENTIFIERS = new Set(
  ['MonoAndroid', 'MonoTouch', 'Xamarin.iOS', 'Xamarin.Mac', 'Xamarin.WatchOS', 'Xamarin.TVOS'].map(fold),
);

// DefaultFrameworkMappings.EquivalentFrameworks, reduced to the classes that contain a framework
// some PCL profile requires: `portable-net45+netcore45` is Profile7 just as `portable-net45+win8` is.
const PORTABLE_EQUIVALENT: ReadonlyMap<string, string> = new Map([
  ['win', 'win8'],
  ['netcore', 'win8'],
  ['netcore45', 'win8'],
  ['winrt', 'win8'],
  ['winrt45', 'win8'],
  ['netcore451', 'win81'],
  ['wp', 'wp7'],
  ['wpa', 'wpa81'],
]);

// NuGetFrameworkFactory.TryParseDeprecatedFramework: bare .NET Framework versions from NuGet 1.x.
const DEPRECATED_NET_VERSIONS: ReadonlyMap<string, Version> = new Map<string, Version>([
  ['45', [4, 5, 0, 0]],
  ['4.5', [4, 5, 0, 0]],
  ['40', [4, 0, 0, 0]],
  ['4.0', [4, 0, 0, 0]],
  ['4', [4, 0, 0, 0]],
  ['35', [3, 5, 0, 0]],
  ['3.5', [3, 5, 0, 0]],
  ['20', [2, 0, 0, 0]],
  ['2', [2, 0, 0, 0]],
  ['2.0', [2, 0, 0, 0]],
]);

/** Longer than any real framework name; checked first so no pattern ever runs on hostile input. */
export const MAX_TARGET_FRAMEWORK_LENGTH = 256;

function analyse(text: string): Result<ParsedTargetFramework> {
  if (text.length > MAX_TARGET_FRAMEWORK_LENGTH) {
    return { ok: false, problem: `a target framework of ${text.length} characters is longer than the ${MAX_TARGET_FRAMEWORK_LENGTH} allowed` };
  }
  // NuspecReader reads a missing or empty targetFramework as AnyFramework, not as Parse("").
  const parsed = text === '' ? ok(special(ANY)) : parse(text);
  if (!parsed.ok) return parsed;
  const framework = parsed.value;
  if (framework.identifier === UNSUPPORTED) return fail(text, '"Unsupported" is what NuGet calls a framework it cannot parse');
  const shortFolderName = shortFolderNameOf(framework);
  if (!shortFolderName.ok) return fail(text, shortFolderName.problem);
  const result: ParsedTargetFramework = {
    identifier: framework.identifier,
    version: displayVersion(framework.version),
    shortFolderName: shortFolderName.value,
  };
  if (framework.profile !== '') result.profile = framework.profile;
  if (framework.platform !== '') result.platform = framework.platform;
  if (!sameVersion(framework.platformVersion, ZERO)) result.platformVersion = displayVersion(framework.platformVersion);
  return ok(result);
}

/** NuGetFramework.Parse: a comma means a .NET FrameworkName (`.NETFramework,Version=v4.7.2`). */
function parse(text: string): Result<Framework> {
  return text.includes(',') ? parseFrameworkName(text) : parseFolderName(text);
}

/** NuGetFrameworkFactory.ParseFrameworkName. Parts other than Version= and Profile= are ignored, as there. */
function parseFrameworkName(text: string): Result<Framework> {
  const parts = text
    .split(',')
    .filter((part) => part.length > 0)
    .map((part) => part.trim());
  const name = parts[0];
  if (name === undefined) return fail(text, 'it has no framework identifier');
  const specialFramework = parseSpecial(name);
  if (specialFramework) return ok(specialFramework);

  const identifier = IDENTIFIER_BY_NAME.get(fold(name));
  if (identifier === undefined) return fail(text, `"${name}" is not a framework identifier NuGet knows`);

  let version = ZERO;
  const versionValue = uniqueKeyedPart(parts, 'version=');
  if (versionValue !== undefined) {
    const digits = versionValue.replace(/^v+/, '');
    const parsedVersion = parseDotNetVersion(digits.includes('.') ? digits : `${digits}.0`);
    if (parsedVersion === undefined) return fail(text, `"${versionValue}" is not a valid framework version`);
    version = parsedVersion;
  }
  const profile = uniqueKeyedPart(parts, 'profile=') ?? '';
  if (sameName(identifier, PORTABLE) && profile.includes('-')) {
    return fail(text, `the frameworks of portable profile "${profile}" cannot have profiles of their own`);
  }
  // From .NET 5 on, profiles do not exist; NuGet drops one rather than failing.
  if (isNet5Era(identifier, version)) return ok(framework(identifier, version));
  return ok(framework(identifier, version, profile));
}

/** The value of the one part starting with `key` (case-insensitively); none when missing or repeated. */
function uniqueKeyedPart(parts: readonly string[], key: string): string | undefined {
  const matching = parts.filter((part) => fold(part).startsWith(key));
  // `Split('=')[1]`: the text between the first and any second '='.
  return matching.length === 1 ? matching[0]?.split('=')[1] : undefined;
}

// NuGetFrameworkFactory.RawParse: letters and dots, then digits and dots, then an optional
// `-profile`. Greedy matching gives the same split as NuGet's character scan.
const FOLDER_NAME = /^([A-Za-z.]+)([0-9.]*)(?:-([A-Za-z0-9.+-]+))?$/;

/** NuGetFrameworkFactory.ParseFolder: short names such as `net472`, `net8.0-windows`, `portable-net45+win8`. */
function parseFolderName(rawText: string): Result<Framework> {
  const text = rawText.includes('%') ? unescapeUri(rawText) : rawText;
  // Problems quote rawText, not the unescaped text: the framework as written in the nuspec ("%25",
  // not "%"), as every other problem does.
  const specialFramework = parseSpecial(text);
  if (specialFramework) return ok(specialFramework);
  // NuGet's table of common frameworks agrees with the general rules below except here.
  if (fold(text) === 'dotnet') return ok(framework(NET_PLATFORM, [5, 0, 0, 0]));

  const match = FOLDER_NAME.exec(text);
  if (!match) {
    const deprecated = DEPRECATED_NET_VERSIONS.get(text);
    if (deprecated) return ok(framework(NET_FRAMEWORK, deprecated));
    return fail(rawText, 'it is neither a short folder name such as "net8.0" nor a long name such as ".NETFramework,Version=v4.7.2"');
  }
  const [, name = '', versionText, profileText = ''] = match;

  let identifier = IDENTIFIER_BY_NAME.get(fold(name));
  if (identifier === undefined) return fail(rawText, `"${name}" is not a framework identifier NuGet knows`);

  let version = ZERO;
  if (versionText) {
    const parsedVersion = parseFolderVersion(versionText);
    if (parsedVersion === undefined) return fail(rawText, `"${versionText}" is not a valid framework version`);
    version = parsedVersion;
  }

  // `net5.0` and later are .NET (Core), and what follows the hyphen is an OS platform, not a profile.
  if (version[0] >= 5 && (sameName(identifier, NET_FRAMEWORK) || sameName(identifier, NET_CORE_APP))) {
    identifier = NET_CORE_APP;
    const platformMatch = /^[A-Za-z.]*/.exec(profileText)?.[0] ?? '';
    if (platformMatch === '') return ok(framework(identifier, version, '', profileText));
    const platformVersionText = profileText.slice(platformMatch.length);
    if (platformVersionText === '') return ok(framework(identifier, version, '', platformMatch));
    const platformVersion = parseDotNetVersion(platformVersionText.includes('.') ? platformVersionText : `${platformVersionText}.0`);
    if (platformVersion === undefined) return fail(rawText, `"${platformVersionText}" is not a valid platform version`);
    return ok(framework(identifier, version, '', platformMatch, platformVersion));
  }

  if (sameName(identifier, PORTABLE)) {
    const profile = normalisePortableProfile(profileText);
    if (!profile.ok) return fail(rawText, profile.problem);
    return ok(framework(identifier, version, profile.value));
  }

  return ok(framework(identifier, version, profileFromShortName(profileText)));
}

function parseSpecial(text: string): Framework | undefined {
  const name = [ANY, AGNOSTIC, UNSUPPORTED].find((candidate) => sameName(candidate, text));
  return name === undefined ? undefined : special(name);
}

/**
 * The profile NuGet records for `portable-<profileText>`: `ProfileN` for a known profile number,
 * or for a list of frameworks that is exactly some profile's; otherwise the list as written.
 */
function normalisePortableProfile(profileText: string): Result<string> {
  const profileNumber = portableProfileNumber(profileText);
  if (profileNumber !== undefined) {
    return PORTABLE_PROFILES.has(profileNumber)
      ? ok(`Profile${profileNumber}`)
      : { ok: false, problem: `"${profileText}" is not a known portable profile` };
  }
  const members = parsePortableMembers(profileText);
  if (!members.ok) return members;
  const matched = matchPortableProfile(members.value);
  return ok(matched === undefined ? profileText : `Profile${matched}`);
}

function portableProfileNumber(profile: string): number | undefined {
  const match = /^profile(\d+)$/i.exec(profile);
  return match ? Number(match[1]) : undefined;
}

/** FrameworkNameProvider.TryGetPortableFrameworks for a `+`-separated list of frameworks. */
function parsePortableMembers(list: string): Result<Framework[]> {
  const names = list.split('+').filter((name) => name.length > 0);
  if (names.length === 0) return { ok: false, problem: 'a portable framework must list the frameworks it supports' };
  const members: Framework[] = [];
  for (const name of names) {
    const member = parse(name);
    if (!member.ok || member.value.identifier === UNSUPPORTED) {
      return { ok: false, problem: `the portable profile lists "${name}", which is not a framework NuGet can parse` };
    }
    if (member.value.profile !== '') {
      return { ok: false, problem: `the portable profile lists "${name}", but frameworks within a portable profile cannot have profiles` };
    }
    members.push(member.value);
  }
  return ok(members);
}

/**
 * FrameworkNameProvider.TryGetPortableProfile: the profile whose required frameworks are exactly
 * `members`, up to equivalent names and ignoring Mono/Xamarin frameworks the profile allows.
 */
function matchPortableProfile(members: readonly Framework[]): number | undefined {
  const canonical = new Map<string, Framework>();
  for (const member of members) {
    const shortName = shortFolderNameOf(member);
    if (!shortName.ok) return undefined;
    const key = PORTABLE_EQUIVALENT.get(shortName.value) ?? shortName.value;
    if (!canonical.has(key)) canonical.set(key, member);
  }
  for (const [profileNumber, { required, mono }] of PORTABLE_PROFILES) {
    const reduced = [...canonical].filter(([, member]) => !(mono && PORTABLE_OPTIONAL_IDENTIFIERS.has(fold(member.identifier))));
    if (reduced.length === required.length && reduced.every(([key]) => required.includes(key))) return profileNumber;
  }
  return undefined;
}

/** FrameworkNameProvider.TryGetProfile: short profile name → profile, case-normalised. */
function profileFromShortName(shortName: string): string {
  const mapping =
    PROFILE_SHORT_NAMES.find(([short]) => sameName(short, shortName)) ??
    PROFILE_SHORT_NAMES.find(([, profile]) => sameName(profile, shortName));
  return mapping ? mapping[1] : shortName;
}

/** FrameworkNameProvider.TryGetShortProfile: profile → short profile name, as written when unmapped. */
function shortNameOfProfile(profile: string): string {
  const mapping =
    PROFILE_SHORT_NAMES.find(([, long]) => sameName(long, profile)) ??
    PROFILE_SHORT_NAMES.find(([short]) => sameName(short, profile));
  return mapping ? mapping[0] : profile;
}

/** NuGetFramework.GetShortFolderName. */
function shortFolderNameOf(framework: Framework): Result<string> {
  const { identifier, version, profile, platform, platformVersion } = framework;
  if (identifier === ANY || identifier === AGNOSTIC) return ok(fold(identifier));
  // ShortNameReplacements: `dotnet` is written for .NETPlatform 5.0, which it parses to.
  const isDotNet50 = sameName(identifier, NET_PLATFORM) && sameVersion(version, [5, 0, 0, 0]) && profile === '';
  const net5Era = isNet5Era(identifier, version);
  let name = SHORT_NAME_BY_IDENTIFIER.get(fold(net5Era ? NET_FRAMEWORK : identifier)) ?? identifier;
  if (!isDotNet50) name += versionString(identifier, version);

  if (sameName(identifier, PORTABLE) && version[0] < 5) {
    const members = portableMemberShortNames(profile);
    if (!members.ok) return members;
    name += `-${members.value.join('+')}`;
  } else if (net5Era) {
    if (platform !== '') {
      name += `-${platform}`;
      if (!sameVersion(platformVersion, ZERO)) name += versionString(identifier, platformVersion);
    }
  } else if (profile !== '') {
    name += `-${shortNameOfProfile(profile)}`;
  }
  return ok(name.toLowerCase());
}

/** The frameworks a portable framework's short folder name lists: required ones only, sorted. */
function portableMemberShortNames(profile: string): Result<string[]> {
  if (profile === '') return { ok: false, problem: 'a portable framework needs a profile naming the frameworks it supports' };
  const profileNumber = portableProfileNumber(profile);
  if (profileNumber !== undefined) {
    const known = PORTABLE_PROFILES.get(profileNumber);
    if (!known) return { ok: false, problem: `"${profile}" is not a known portable profile` };
    return ok([...known.required].sort());
  }
  const members = parsePortableMembers(profile);
  if (!members.ok) return members;
  const names = new Set<string>();
  for (const member of members.value) {
    const shortName = shortFolderNameOf(member);
    if (!shortName.ok) return shortName;
    names.add(shortName.value);
  }
  return ok([...names].sort());
}

/**
 * FrameworkNameProvider.GetVersionString: the version as it appears in a short folder name.
 * Trailing zero parts are dropped, but not below major.minor except for legacy single-digit
 * frameworks; parts are run together (`472`) unless the framework uses dots or a part exceeds 9.
 */
function versionString(identifier: string, version: Version): string {
  if (sameVersion(version, ZERO)) return '';
  const [major, minor, build, revision] = version;
  let partCount = revision !== 0 ? 4 : build !== 0 ? 3 : minor !== 0 ? 2 : 1;
  if (partCount === 1 && !SINGLE_DIGIT_VERSION_IDENTIFIERS.has(fold(identifier))) partCount = 2;
  const dotted = DECIMAL_POINT_IDENTIFIERS.has(fold(identifier)) || version.some((part) => part > 9);
  if (dotted && partCount === 1) partCount = 2;
  return [major, minor, build, revision].slice(0, partCount).join(dotted ? '.' : '');
}

/** FrameworkNameProvider.TryGetVersion: `472` means 4.7.2 (first four digits), `4.7.2` is dotted. */
function parseFolderVersion(text: string): Version | undefined {
  if (text.includes('.')) return parseDotNetVersion(text);
  const digits = text.length < 2 ? `${text}0` : text;
  return parseDotNetVersion([...digits.slice(0, 4)].join('.'));
}

/** System.Version.TryParse: two to four non-negative 32-bit integers separated by dots. */
function parseDotNetVersion(text: string): Version | undefined {
  const parts = text.split('.');
  if (parts.length < 2 || parts.length > 4) return undefined;
  const numbers: number[] = [];
  for (const part of parts) {
    if (!/^\d+$/.test(part)) return undefined;
    const value = Number(part);
    if (value > 2_147_483_647) return undefined;
    numbers.push(value);
  }
  const [major = 0, minor = 0, build = 0, revision = 0] = numbers;
  return [major, minor, build, revision];
}

/** NuGetFramework's display form: major.minor, then build and revision only when needed. */
function displayVersion(version: Version): string {
  const [major, minor, build, revision] = version;
  let text = `${major}.${minor}`;
  if (build > 0 || revision > 0) text += `.${build}`;
  if (revision > 0) text += `.${revision}`;
  return text;
}

/** Uri.UnescapeDataString, which leaves malformed escapes alone rather than failing. */
function unescapeUri(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function isNet5Era(identifier: string, version: Version): boolean {
  return version[0] >= 5 && sameName(identifier, NET_CORE_APP);
}

function framework(identifier: string, version: Version, profile = '', platform = '', platformVersion = ZERO): Framework {
  return { identifier, version, profile, platform, platformVersion };
}

function special(identifier: string): Framework {
  return framework(identifier, ZERO);
}

function sameName(a: string, b: string): boolean {
  return fold(a) === fold(b);
}

function sameVersion(a: Version, b: Version): boolean {
  return a.every((part, index) => part === b[index]);
}

function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

function fail(text: string, reason: string): { ok: false; problem: string } {
  return { ok: false, problem: `The target framework "${text}" is not one NuGet can parse: ${reason}.` };
}
