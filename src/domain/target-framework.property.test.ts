// Property-based tests of target framework names (fast-check): parsing never throws (problems are
// returned, not thrown), targetFrameworkProblem and parseTargetFramework agree, the short folder
// name of a generated valid framework parses back to itself, and nothing past
// MAX_TARGET_FRAMEWORK_LENGTH is looked at.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MAX_TARGET_FRAMEWORK_LENGTH, parseTargetFramework, targetFrameworkProblem, type ParsedTargetFramework } from './target-framework.ts';
import { bestOfThreeMs } from '../../test/support/timing.ts';

const RUNS = { numRuns: 300 };

/** Upper- or lower-case each ASCII letter: NuGet compares framework names ignoring case. */
const anyCase = (text: string): fc.Arbitrary<string> =>
  fc.array(fc.boolean(), { minLength: text.length, maxLength: text.length }).map((flips) =>
    [...text].map((c, i) => (flips[i] ? c.toUpperCase() : c)).join(''),
  );

const SHORT_NAMES = [
  'netcoreapp', 'netstandardapp', 'netstandard', 'dotnet', 'net', 'netmf', 'sl', 'wp', 'wpa', 'win', 'aspnet',
  'aspnetcore', 'native', 'monoandroid', 'monotouch', 'monomac', 'xamarinios', 'xamarinmac', 'xamarinpsthree',
  'xamarinpsfour', 'xamarinpsvita', 'xamarinwatchos', 'xamarintvos', 'xamarinxboxthreesixty', 'xamarinxboxone', 'dnx',
  'dnxcore', 'netcore', 'winrt', 'uap', 'tizen', 'netnano',
  // Long identifiers and synonyms work as folder names too.
  '.NETFramework', 'NETFramework', '.NETStandard', '.NETCoreApp', 'Silverlight', 'WindowsPhone', 'Windows', 'Xamarin.iOS', 'NETCore',
];

const versionPart = fc.oneof({ weight: 5, arbitrary: fc.integer({ min: 0, max: 9 }) }, { weight: 1, arbitrary: fc.integer({ min: 10, max: 40_000 }) });

/** A folder-name version: run-together digits ('472') or dotted parts ('4.7.2'). */
const folderVersion = fc.oneof(
  fc.constant(''),
  fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 1, maxLength: 4 }).map((digits) => digits.join('')),
  fc.array(versionPart, { minLength: 2, maxLength: 4 }).map((parts) => parts.join('.')),
);

const profileSuffix = fc.oneof(
  { weight: 3, arbitrary: fc.constant('') },
  { weight: 2, arbitrary: fc.constantFrom('Client', 'client', 'Full', 'CF', 'WP', 'WP71', 'CompactFramework', 'WindowsPhone71').chain(anyCase).map((p) => `-${p}`) },
  // Letters then digits: for .NET 5+ the suffix is a platform and its version (`-abc19` is abc 19.0).
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.string({ unit: fc.constantFrom(...'abcXYZ'), minLength: 1, maxLength: 6 }), fc.string({ unit: fc.constantFrom(...'019'), maxLength: 3 }))
      .map(([letters, digits]) => `-${letters}${digits}`),
  },
);

const simpleFolderName = fc
  .tuple(fc.constantFrom(...SHORT_NAMES).chain(anyCase), folderVersion, profileSuffix)
  .map(([name, version, profile]) => `${name}${version}${profile}`)
  // NuGet's quirk: .NETPlatform without a version (`dotnet-full`) writes as `dotnet`, which means
  // .NETPlatform 5.0; tested on its own below.
  .filter((text) => !/^dotnet[0.]*(-full)?$/i.test(text));

/** .NET 5+: `net8.0`, `net8.0-windows`, `net8.0-windows10.0.19041.0`, `netcoreapp5.0-android31`. */
const net5Name = fc
  .tuple(
    fc.constantFrom('net', 'netcoreapp', 'NET', '.NETCoreApp'),
    fc.integer({ min: 5, max: 12 }),
    fc.integer({ min: 0, max: 3 }),
    fc.option(fc.constantFrom('windows', 'Windows', 'android', 'ios', 'macos', 'browser', 'tvos')),
    fc.option(fc.oneof(fc.array(versionPart, { minLength: 1, maxLength: 4 }).map((parts) => parts.join('.')))),
  )
  .map(([name, major, minor, platform, platformVersion]) => {
    let text = `${name}${major}.${minor}`;
    if (platform !== null) text += `-${platform}${platformVersion ?? ''}`;
    return text;
  });

const PORTABLE_MEMBERS = ['net40', 'net403', 'net45', 'net451', 'sl4', 'sl5', 'win8', 'win81', 'wp7', 'wp75', 'wp8', 'wp81', 'wpa81', 'netcore45', 'netcore451', 'win', 'wp', 'wpa', 'monoandroid10', 'monotouch10', 'xamarinios10', 'xamarinmac20', 'net5.0', 'net8.0-windows', '4.5', 'dotnet', 'native', 'any', 'uap10.0', 'netstandard1.0', 'NET45'];
const KNOWN_PROFILES = [2, 3, 4, 5, 6, 7, 14, 18, 19, 23, 24, 31, 32, 36, 37, 41, 42, 44, 46, 47, 49, 78, 84, 88, 92, 95, 96, 102, 104, 111, 136, 143, 147, 151, 154, 157, 158, 225, 240, 255, 259, 328, 336, 344];

const portableName = fc.oneof(
  fc.constantFrom(...KNOWN_PROFILES).chain((n) => anyCase(`portable-Profile${n}`)),
  fc.array(fc.constantFrom(...PORTABLE_MEMBERS), { minLength: 1, maxLength: 5 }).chain((members) => anyCase(`portable-${members.join('+')}`)),
);

const specialName = fc.constantFrom('any', 'Any', 'AGNOSTIC', 'native', 'dotnet', 'DotNet', '', '4.5', '40', '4', '35', '3.5', '20', '2', '2.0', '45', '4.0');

/** Folder names whose short folder name NuGet (and this port) parses back to itself. */
const folderName = fc.oneof(simpleFolderName, net5Name, portableName, specialName);

const LONG_IDENTIFIERS = [
  '.NETFramework', 'NETFramework', '.NETStandard', '.NETCoreApp', 'Silverlight', 'WindowsPhone', 'WindowsPhoneApp', 'Windows',
  'MonoAndroid', 'Xamarin.iOS', 'Xamarin.PlayStation3', 'UAP', 'Tizen', '.NETnanoFramework', 'ASP.NET', 'DNXCore', '.NETCore', 'native',
];

const longPortableName = fc
  .tuple(fc.oneof(fc.constantFrom(...KNOWN_PROFILES).map((n) => `Profile${n}`), fc.array(fc.constantFrom(...PORTABLE_MEMBERS.filter((m) => !m.includes('-'))), { minLength: 1, maxLength: 4 }).map((m) => m.join('+'))), fc.constantFrom('v0.0', 'v4.5', 'v0'))
  .map(([profile, version]) => `.NETPortable,Version=${version},Profile=${profile}`);

const longName = fc
  .tuple(
    fc.constantFrom(...LONG_IDENTIFIERS).chain(anyCase),
    fc.constantFrom('', ' '),
    fc.array(versionPart, { minLength: 1, maxLength: 4 }),
    fc.constantFrom('v', 'vv', ''),
    // Not 'Full': NuGet keeps a long name's profile as written, and `net40-full` parses as plain
    // `net40` (the quirk test below).
    fc.option(fc.constantFrom('Client', 'WP71', 'CF', 'Profile7', 'abc1')),
  )
  // NuGet's own quirk: `.NETFramework,Version=v5.0` has the short name `net50`, which parses as
  // `net5.0` (.NETCoreApp). Its short name is still accepted, just not a fixed point; see below.
  .filter(([identifier, , parts]) => !(/^\.?netframework$/i.test(identifier) && (parts[0] ?? 0) >= 5))
  .map(([identifier, space, parts, v, profile]) => {
    let text = `${identifier},${space}Version=${v}${parts.join('.')}`;
    if (profile !== null) text += `,${space}Profile=${profile}`;
    return text;
  });

const validName = fc.oneof(folderName, longName);

function parseOk(text: string): ParsedTargetFramework {
  const parsed = parseTargetFramework(text);
  assert.ok(parsed, `${JSON.stringify(text)}: ${targetFrameworkProblem(text)}`);
  return parsed;
}

const fold = (text: string | undefined): string | undefined => text?.replace(/[A-Z]/g, (c) => c.toLowerCase());

// ---------------------------------------------------------------------------------------------

test('generated valid frameworks are accepted, and their short folder name parses back to itself', () => {
  fc.assert(
    fc.property(validName, (text) => {
      const parsed = parseOk(text);
      assert.equal(targetFrameworkProblem(text), undefined);
      assert.match(parsed.version, /^[0-9]+\.[0-9]+(\.[0-9]+){0,2}$/);
      assert.equal(parsed.shortFolderName, parsed.shortFolderName.toLowerCase());

      const again = parseOk(parsed.shortFolderName);
      assert.equal(again.shortFolderName, parsed.shortFolderName, text);
      assert.equal(again.identifier, parsed.identifier, text);
      assert.equal(again.version, parsed.version, text);
      assert.equal(again.platformVersion, parsed.platformVersion, text);
      assert.equal(fold(again.platform), fold(parsed.platform), text);
      // A folder name's profile survives (a portable list is written sorted and deduplicated); a long
      // name keeps its profile as written ('WP71'), which the short form spells out ('WindowsPhone71').
      if (parsed.identifier !== '.NETPortable' && !text.includes(',')) assert.equal(fold(again.profile), fold(parsed.profile), text);
      assert.deepEqual(parseTargetFramework(again.shortFolderName), again, 'a short folder name is a fixed point');
    }),
    { numRuns: 300 },
  );
});

test('folder names differing only in ASCII case are the same framework', () => {
  // Folder names only: in a long name NuGet trims a lower-case 'v' from the version and nothing
  // else (`TrimStart('v')`), so `Version=V4.0` is refused there as it is here.
  fc.assert(
    fc.property(folderName, (text) => {
      assert.equal(parseTargetFramework(text.toUpperCase())?.shortFolderName, parseOk(text).shortFolderName, text);
      assert.equal(parseTargetFramework(text.toLowerCase())?.shortFolderName, parseOk(text).shortFolderName, text);
    }),
    RUNS,
  );
  assert.match(targetFrameworkProblem('.NETFramework,Version=V4.0') ?? '', /"V4\.0" is not a valid framework version/);
});

test("long names with profile 'Full': NuGet keeps it, and the short name `net40-full` drops it", () => {
  fc.assert(
    fc.property(fc.constantFrom('.NETFramework', 'Silverlight', 'WindowsPhone'), fc.integer({ min: 1, max: 4 }), (identifier, major) => {
      const parsed = parseOk(`${identifier},Version=v${major}.0,Profile=Full`);
      assert.equal(parsed.profile, 'Full');
      assert.match(parsed.shortFolderName, /-full$/);
      const next = parseOk(parsed.shortFolderName);
      assert.equal(next.profile, undefined);
      assert.equal(parseOk(next.shortFolderName).shortFolderName, next.shortFolderName);
    }),
    { numRuns: 20 },
  );
});

test('long .NETPortable names: the short folder name is accepted, and one more step is a fixed point', () => {
  // A long name keeps a member-list profile as written, so its short name lists every member as
  // NuGet's GetShortFolderName does ('portable-net40+win'); parsed as a folder name that list
  // becomes its profile (Profile5, written 'portable-net40+win8').
  fc.assert(
    fc.property(longPortableName, (text) => {
      const next = parseOk(parseOk(text).shortFolderName);
      assert.equal(parseOk(next.shortFolderName).shortFolderName, next.shortFolderName, text);
    }),
    { numRuns: 100 },
  );
  assert.equal(parseOk('.NETPortable,Version=v0.0,Profile=net40+win').shortFolderName, 'portable-net40+win');
  assert.equal(parseOk('portable-net40+win').shortFolderName, 'portable-net40+win8');
});

test("versionless .NETPlatform: NuGet writes it `dotnet`, the name of .NETPlatform 5.0", () => {
  for (const text of ['dotnet-full', 'dotnet0', 'DOTNET0.0-Full', 'dotnet00']) {
    const parsed = parseOk(text);
    assert.deepEqual([parsed.identifier, parsed.version, parsed.shortFolderName], ['.NETPlatform', '0.0', 'dotnet'], text);
    assert.equal(parseOk('dotnet').version, '5.0');
  }
});

test(".NETFramework long names at version 5 and above: NuGet's `net50` quirk still ends in a fixed point", () => {
  fc.assert(
    fc.property(fc.integer({ min: 5, max: 20 }), fc.integer({ min: 0, max: 9 }), (major, minor) => {
      const parsed = parseOk(`.NETFramework,Version=v${major}.${minor}`);
      assert.equal(parsed.identifier, '.NETFramework');
      const next = parseOk(parsed.shortFolderName);
      assert.equal(next.identifier, '.NETCoreApp');
      assert.equal(parseOk(next.shortFolderName).shortFolderName, next.shortFolderName);
    }),
    { numRuns: 50 },
  );
});

// ---------------------------------------------------------------------------------------------

const nearMiss = fc.oneof(
  fc.string({ unit: fc.constantFrom(...'net.0123456789-+,=vV% portablePROFILE'), maxLength: 30 }),
  fc.tuple(validName, fc.nat(), fc.boolean(), fc.constantFrom('', '.', '-', '+', ',', '=', '%', '%2', '%2B', '%C4', '%C4%B0', ' ', 'é', '\u0130', '\u0000', '9', '99999999999', '..')).map(
    ([text, at, replace, inserted]) => {
      const i = at % (text.length + 1);
      return text.slice(0, i) + inserted + text.slice(replace ? i + 1 : i);
    },
  ),
  fc.constantFrom(
    'net', 'net-', '-net', 'net5.0-', 'net5.0--', 'net5.0-windows-', 'portable-', 'portable-+', 'portable-Profile', 'portable-Profile99999999999999999999',
    'portable-portable-net45', 'portable-net45-client+win8', ',Version=v1.0', 'net45,', ',,,', 'Any,', 'Unsupported,Version=v1.0', '%', '%%', '%25',
    'net2147483648.0', 'net2147483647.2147483647', 'net8.0-windows2147483648', 'net8.0-windows.', '.NETPortable,Profile=', '.NETFramework,Version==v4.0',
    '.NETFramework,Version=v4.0,Version=v4.5', '.NETFramework,Profile=Client,Profile=Client', 'NET45-\u0130', '.NETFramework,Version=v4.0,Profile=\u0130',
  ),
);

function assertNeverThrows(text: string): void {
  let problem: string | undefined;
  let parsed: ParsedTargetFramework | undefined;
  try {
    problem = targetFrameworkProblem(text);
    parsed = parseTargetFramework(text);
  } catch (error) {
    assert.fail(`${JSON.stringify(text)} threw ${String(error)}`);
  }
  assert.equal(problem === undefined, parsed !== undefined, JSON.stringify(text));
  if (problem !== undefined && text.length <= MAX_TARGET_FRAMEWORK_LENGTH) {
    assert.ok(problem.includes(`"${text}"`), `the problem names the framework as written: ${JSON.stringify(text)} -> ${problem}`);
  }
  if (parsed !== undefined) {
    assert.ok(text.length <= MAX_TARGET_FRAMEWORK_LENGTH);
    assert.match(parsed.version, /^[0-9]+\.[0-9]+(\.[0-9]+){0,2}$/);
    assert.ok(parsed.shortFolderName.length > 0);
    // The short folder name never throws either, whatever it is.
    targetFrameworkProblem(parsed.shortFolderName);
  }
}

test('no input throws: problems are returned, for ASCII, full Unicode and near-miss strings', () => {
  fc.assert(fc.property(fc.string(), assertNeverThrows), RUNS);
  fc.assert(fc.property(fc.string({ unit: 'binary' }), assertNeverThrows), RUNS);
  fc.assert(fc.property(nearMiss, assertNeverThrows), { numRuns: 500 });
});

test('regression: a problem with a %-escaped name quotes it as written, not unescaped', () => {
  // Found by the property above: parseFolderName quoted the unescaped text ("%25" was reported as "%").
  for (const text of ['%25', 'foo%21', 'net8.0-windows%31x', 'portable-net45%2Bfoo', 'net45%2']) {
    assert.ok(targetFrameworkProblem(text)?.includes(`"${text}"`), `${text}: ${targetFrameworkProblem(text)}`);
  }
  assert.equal(parseTargetFramework('net8.0%2Dwindows')?.shortFolderName, 'net8.0-windows', 'escapes still work');
});

test(`refuses names longer than ${MAX_TARGET_FRAMEWORK_LENGTH} characters before parsing them`, () => {
  fc.assert(
    fc.property(fc.string({ minLength: MAX_TARGET_FRAMEWORK_LENGTH + 1, maxLength: MAX_TARGET_FRAMEWORK_LENGTH + 300 }), (text) => {
      assert.match(targetFrameworkProblem(text) ?? '', new RegExp(`longer than the ${MAX_TARGET_FRAMEWORK_LENGTH} allowed`));
      assert.equal(parseTargetFramework(text), undefined);
    }),
    { numRuns: 50 },
  );
});

test('worst-case names at and far over the cap are parsed quickly (< 250 ms, best of 3)', () => {
  const at = (unit: string, prefix = '', suffix = ''): string => {
    const room = MAX_TARGET_FRAMEWORK_LENGTH - prefix.length - suffix.length;
    return prefix + unit.repeat(Math.ceil(room / unit.length)).slice(0, room) + suffix;
  };
  const hostile = [
    ...['.', '-', '+', ',', '=', '%', '%2', '%25', '9', 'a', 'a.', 'v', ' ', '-.', '.9'].map((unit) => at(unit)),
    at('.', 'net'), at('9', 'net'), at('.', 'net', 'x'), at('9.', 'net'), at('-', 'net8.0'), at('.', 'net8.0-windows'), at('9', 'net8.0-windows'),
    at('net45+', 'portable-'), at('win8+', 'portable-', 'x'), at('portable-'), at('portable-', '', 'net45'), at('%25', 'portable-'),
    at('+', 'portable-'), at('Profile7+', 'portable-'), at('9', 'portable-Profile'),
    at(',', '.NETFramework'), at('v', '.NETFramework,Version='), at('Version=v4.0,', '.NETFramework,'), at('Profile=a+', '.NETPortable,Version=v0.0,Profile='),
    at(',Version=', 'net'), at('=', '.NETFramework,Version'),
    ...['.', 'net45+', ',', '%25', '9'].map((unit) => unit.repeat(200_000)),
  ];
  for (const text of hostile) {
    const best = bestOfThreeMs(() => targetFrameworkProblem(text));
    assert.ok(best < 250, `${JSON.stringify(text.slice(0, 30))}… (${text.length} chars) took ${best.toFixed(1)} ms`);
  }
});

