import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTargetFramework, targetFrameworkProblem, type ParsedTargetFramework } from './target-framework.ts';

// Expected values are what NuGet.Frameworks gives for NuGetFramework.Parse(text) and GetShortFolderName().
const accepted: ReadonlyArray<readonly [text: string, expected: ParsedTargetFramework]> = [
  // Short folder names, as `dotnet pack` writes them and as people write nuspecs by hand.
  ['net8.0', { identifier: '.NETCoreApp', version: '8.0', shortFolderName: 'net8.0' }],
  ['net10.0', { identifier: '.NETCoreApp', version: '10.0', shortFolderName: 'net10.0' }],
  ['net5.0', { identifier: '.NETCoreApp', version: '5.0', shortFolderName: 'net5.0' }],
  ['net8.0-windows', { identifier: '.NETCoreApp', version: '8.0', platform: 'windows', shortFolderName: 'net8.0-windows' }],
  [
    'net8.0-windows10.0.19041.0',
    {
      identifier: '.NETCoreApp',
      version: '8.0',
      platform: 'windows',
      platformVersion: '10.0.19041',
      shortFolderName: 'net8.0-windows10.0.19041',
    },
  ],
  [
    'net6.0-android31.0',
    { identifier: '.NETCoreApp', version: '6.0', platform: 'android', platformVersion: '31.0', shortFolderName: 'net6.0-android31.0' },
  ],
  ['netstandard2.0', { identifier: '.NETStandard', version: '2.0', shortFolderName: 'netstandard2.0' }],
  ['netstandard1.6', { identifier: '.NETStandard', version: '1.6', shortFolderName: 'netstandard1.6' }],
  ['netcoreapp3.1', { identifier: '.NETCoreApp', version: '3.1', shortFolderName: 'netcoreapp3.1' }],
  ['net472', { identifier: '.NETFramework', version: '4.7.2', shortFolderName: 'net472' }],
  ['net48', { identifier: '.NETFramework', version: '4.8', shortFolderName: 'net48' }],
  ['net45', { identifier: '.NETFramework', version: '4.5', shortFolderName: 'net45' }],
  ['net4', { identifier: '.NETFramework', version: '4.0', shortFolderName: 'net40' }],
  ['net40-client', { identifier: '.NETFramework', version: '4.0', profile: 'Client', shortFolderName: 'net40-client' }],
  ['NET45-Full', { identifier: '.NETFramework', version: '4.5', shortFolderName: 'net45' }],
  ['uap10.0', { identifier: 'UAP', version: '10.0', shortFolderName: 'uap10.0' }],
  ['win8', { identifier: 'Windows', version: '8.0', shortFolderName: 'win8' }],
  ['wp8', { identifier: 'WindowsPhone', version: '8.0', shortFolderName: 'wp8' }],
  ['sl5', { identifier: 'Silverlight', version: '5.0', shortFolderName: 'sl5' }],
  ['monoandroid10', { identifier: 'MonoAndroid', version: '1.0', shortFolderName: 'monoandroid10' }],
  ['xamarinios10', { identifier: 'Xamarin.iOS', version: '1.0', shortFolderName: 'xamarinios10' }],
  ['tizen40', { identifier: 'Tizen', version: '4.0', shortFolderName: 'tizen40' }],
  ['netcore50', { identifier: '.NETCore', version: '5.0', shortFolderName: 'netcore50' }],
  ['dotnet5.4', { identifier: '.NETPlatform', version: '5.4', shortFolderName: 'dotnet54' }],
  // Portable class libraries: a list of frameworks that is exactly a known profile becomes that profile.
  [
    'portable-net45+win8+wpa81',
    { identifier: '.NETPortable', version: '0.0', profile: 'Profile111', shortFolderName: 'portable-net45+win8+wpa81' },
  ],
  [
    'portable-net45+win8+wpa81+monoandroid10+xamarinios10',
    { identifier: '.NETPortable', version: '0.0', profile: 'Profile111', shortFolderName: 'portable-net45+win8+wpa81' },
  ],
  [
    'portable-net45+netcore45',
    { identifier: '.NETPortable', version: '0.0', profile: 'Profile7', shortFolderName: 'portable-net45+win8' },
  ],
  ['portable-Profile7', { identifier: '.NETPortable', version: '0.0', profile: 'Profile7', shortFolderName: 'portable-net45+win8' }],
  [
    'portable-net40+sl4+win8+wp71',
    { identifier: '.NETPortable', version: '0.0', profile: 'net40+sl4+win8+wp71', shortFolderName: 'portable-net40+sl4+win8+wp71' },
  ],
  // Long forms.
  ['.NETFramework4.6.1', { identifier: '.NETFramework', version: '4.6.1', shortFolderName: 'net461' }],
  ['.NETFramework,Version=v4.7.2', { identifier: '.NETFramework', version: '4.7.2', shortFolderName: 'net472' }],
  [
    'NETFramework, Version=v4.0, Profile=Client',
    { identifier: '.NETFramework', version: '4.0', profile: 'Client', shortFolderName: 'net40-client' },
  ],
  ['.NETStandard2.0', { identifier: '.NETStandard', version: '2.0', shortFolderName: 'netstandard2.0' }],
  ['.NETStandard,Version=v2.0', { identifier: '.NETStandard', version: '2.0', shortFolderName: 'netstandard2.0' }],
  ['.NETCoreApp3.1', { identifier: '.NETCoreApp', version: '3.1', shortFolderName: 'netcoreapp3.1' }],
  ['.NETCoreApp,Version=v8.0', { identifier: '.NETCoreApp', version: '8.0', shortFolderName: 'net8.0' }],
  [
    '.NETPortable,Version=v0.0,Profile=Profile259',
    { identifier: '.NETPortable', version: '0.0', profile: 'Profile259', shortFolderName: 'portable-net45+win8+wp8+wpa81' },
  ],
  // Special names.
  ['native', { identifier: 'native', version: '0.0', shortFolderName: 'native' }],
  ['any', { identifier: 'Any', version: '0.0', shortFolderName: 'any' }],
  ['', { identifier: 'Any', version: '0.0', shortFolderName: 'any' }],
  ['dotnet', { identifier: '.NETPlatform', version: '5.0', shortFolderName: 'dotnet' }],
  // NuGet 1.x wrote bare .NET Framework versions.
  ['4.5', { identifier: '.NETFramework', version: '4.5', shortFolderName: 'net45' }],
];

const rejected: ReadonlyArray<readonly [text: string, reason: RegExp]> = [
  ['foo', /"foo" is not a framework identifier/],
  ['Foo,Version=v1.0', /"Foo" is not a framework identifier/],
  ['net8.0.0.0.0', /"8\.0\.0\.0\.0" is not a valid framework version/],
  ['.NETFramework,Version=v4.x', /"v4\.x" is not a valid framework version/],
  ['net8.0-windows10.x', /"10\.x" is not a valid platform version/],
  ['netstandard9x', /neither a short folder name/],
  ['!!', /neither a short folder name/],
  [' net8.0', /neither a short folder name/],
  ['net8.0-', /neither a short folder name/],
  [',', /no framework identifier/],
  ['unsupported', /"Unsupported"/],
  ['portable', /must list the frameworks/],
  ['portable-Profile9999', /"Profile9999" is not a known portable profile/],
  ['portable-net45+foo', /lists "foo"/],
  ['.NETPortable,Version=v0.0', /needs a profile/],
  ['.NETPortable,Version=v0.0,Profile=net45-client+win8', /cannot have profiles/],
];

for (const [text, expected] of accepted) {
  test(`accepts ${JSON.stringify(text)}`, () => {
    assert.equal(targetFrameworkProblem(text), undefined);
    assert.deepEqual(parseTargetFramework(text), expected);
  });
}

for (const [text, reason] of rejected) {
  test(`rejects ${JSON.stringify(text)}`, () => {
    const problem = targetFrameworkProblem(text);
    assert.match(problem ?? '', reason);
    assert.ok(problem?.includes(JSON.stringify(text)), 'the problem names the framework as written');
    assert.equal(parseTargetFramework(text), undefined);
  });
}

test('the short folder name of a parsed framework parses to the same framework', () => {
  for (const [text] of accepted) {
    const parsed = parseTargetFramework(text);
    assert.ok(parsed);
    const reparsed = parseTargetFramework(parsed.shortFolderName);
    assert.equal(reparsed?.shortFolderName, parsed.shortFolderName, text);
  }
});

test('refuses an over-long framework name before any pattern runs on it', () => {
  const hostile = `net${'.'.repeat(50_000)}x`;
  assert.match(targetFrameworkProblem(hostile) ?? '', /longer than the 256 allowed/);
  assert.equal(parseTargetFramework(hostile), undefined);
});
