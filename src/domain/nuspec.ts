/**
 * nuspec XML text → Manifest, or a `ManifestError` listing every field that is wrong.
 * Rules follow nuget.org's upload validation: https://learn.microsoft.com/nuget/reference/nuspec
 */
import parseSpdxExpression from 'spdx-expression-parse';
import { NuGetVersion } from './nuget-version.ts';
import { VersionRange } from './version-range.ts';
import { packageIdProblem, lowerPackageId } from './package-id.ts';
import { parseTargetFramework, targetFrameworkProblem } from './target-framework.ts';
import { parseXml, childElements, XmlLimitError, XmlSyntaxError, type XmlElement } from './xml-tree.ts';
import type { DependencyGroup, License, Manifest, PackageDependency, PackageType } from './manifest.ts';

export class ManifestError extends Error {
  readonly problems: readonly string[];

  constructor(problems: string[]) {
    super(problems.join('; '));
    this.name = 'ManifestError';
    this.problems = problems;
  }
}

/** nuget.org's field length limits. */
const MAX_LENGTH = {
  version: 64,
  title: 256,
  description: 4000,
  summary: 4000,
  tags: 4000,
  authors: 4000,
  copyright: 4000,
  url: 4000,
  releaseNotes: 35000,
  licenseExpression: 500,
} as const;

export function parseNuspec(xmlText: string): Manifest {
  let root: XmlElement;
  try {
    root = parseXml(xmlText);
  } catch (error) {
    if (error instanceof XmlLimitError) throw new ManifestError([`the nuspec is too large or too complex: ${error.message}`]);
    if (error instanceof XmlSyntaxError) throw new ManifestError([`the nuspec is not well-formed XML: ${error.message}`]);
    throw error;
  }
  if (root.name !== 'package') throw new ManifestError([`the nuspec root element must be <package>, not <${root.name}>`]);
  const metadata = root.children.find((child) => child.name === 'metadata');
  if (!metadata) throw new ManifestError(['the nuspec has no <metadata> element']);
  return new ManifestReader(metadata).read();
}

/** Reads <metadata> children in <metadata>'s own namespace, as NuGet's reader does, collecting problems. */
class ManifestReader {
  private readonly metadata: XmlElement;
  private readonly problems: string[] = [];

  constructor(metadata: XmlElement) {
    this.metadata = metadata;
  }

  read(): Manifest {
    const id = this.requiredText('id');
    if (id !== undefined) this.check(packageIdProblem(id));
    const versionText = this.requiredText('version');
    const version = versionText === undefined ? undefined : this.version(versionText);
    const description = this.requiredText('description', MAX_LENGTH.description);
    const authors = this.requiredText('authors', MAX_LENGTH.authors);
    const tagsText = this.optionalText('tags', MAX_LENGTH.tags);

    const manifest = {
      id: id ?? '',
      version: version as NuGetVersion,
      title: this.optionalText('title', MAX_LENGTH.title),
      description: description ?? '',
      summary: this.optionalText('summary', MAX_LENGTH.summary),
      authors: authors ?? '',
      tags: tagsText ? tagsText.split(/[\s,;]+/).filter((tag) => tag.length > 0) : [],
      releaseNotes: this.optionalText('releaseNotes', MAX_LENGTH.releaseNotes),
      copyright: this.optionalText('copyright', MAX_LENGTH.copyright),
      language: this.optionalText('language', 100),
      projectUrl: this.url('projectUrl'),
      iconUrl: this.url('iconUrl'),
      licenseUrl: this.url('licenseUrl'),
      iconPath: this.packagePath('icon'),
      readmePath: this.packagePath('readme'),
      license: this.license(),
      requireLicenseAcceptance: this.flag('requireLicenseAcceptance'),
      developmentDependency: this.flag('developmentDependency'),
      minClientVersion: this.minClientVersion(),
      repository: this.repository(),
      packageTypes: this.packageTypes(),
      dependencyGroups: this.dependencyGroups(),
    } satisfies Manifest;

    this.frameworkReferenceGroups();
    if (this.problems.length > 0) throw new ManifestError(this.problems);
    return manifest;
  }

  private check(problem: string | undefined): void {
    if (problem !== undefined) this.problems.push(problem);
  }

  private elements(name: string, parent: XmlElement = this.metadata): XmlElement[] {
    return childElements(parent, name).filter((element) => element.namespace === this.metadata.namespace);
  }

  private element(name: string, parent: XmlElement = this.metadata): XmlElement | undefined {
    const found = this.elements(name, parent);
    if (found.length > 1) this.problems.push(`<${name}> appears ${found.length} times; it may appear once`);
    return found[0];
  }

  private requiredText(name: string, maxLength?: number): string | undefined {
    const value = this.optionalText(name, maxLength);
    if (value === undefined) this.problems.push(`<${name}> is required`);
    return value;
  }

  private optionalText(name: string, maxLength?: number): string | undefined {
    const value = this.element(name)?.text.trim();
    if (!value) return undefined;
    if (maxLength !== undefined && value.length > maxLength) {
      this.problems.push(`<${name}> is ${value.length} characters long; the limit is ${maxLength}`);
    }
    return value;
  }

  private version(text: string): NuGetVersion | undefined {
    if (text.length > MAX_LENGTH.version) {
      this.problems.push(`<version> is ${text.length} characters long; the limit is ${MAX_LENGTH.version}`);
      return undefined;
    }
    const version = NuGetVersion.tryParse(text);
    if (!version) {
      this.problems.push(`<version> '${text}' is not a valid NuGet version`);
      return undefined;
    }
    if (!version.satisfiesLegacyRule) {
      this.problems.push(
        `<version> '${text}': a single pre-release label must start with a letter (use '1.0.0-rc1' or the SemVer 2.0.0 form '1.0.0-rc.1')`,
      );
    }
    return version;
  }

  private url(name: string): string | undefined {
    const value = this.optionalText(name, MAX_LENGTH.url);
    if (value === undefined) return undefined;
    let url: URL | undefined;
    try {
      url = new URL(value);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      this.problems.push(`<${name}> '${value}' must be an absolute http or https URL`);
      return undefined;
    }
    return value;
  }

  /** A path to a file inside the package, as `<icon>` and `<readme>` name them (backslashes allowed). */
  private packagePath(name: string): string | undefined {
    const value = this.optionalText(name, 260);
    return value === undefined ? undefined : normalizePackagePath(value);
  }

  private flag(name: string): boolean {
    const value = this.optionalText(name);
    if (value === undefined) return false;
    if (/^true$/i.test(value)) return true;
    if (/^false$/i.test(value)) return false;
    this.problems.push(`<${name}> must be true or false, not '${value}'`);
    return false;
  }

  private minClientVersion(): string | undefined {
    const value = this.metadata.attributes.get('minClientVersion')?.trim();
    if (!value) return undefined;
    if (!NuGetVersion.tryParse(value)) {
      this.problems.push(`minClientVersion '${value}' is not a valid version`);
      return undefined;
    }
    return value;
  }

  private license(): License | undefined {
    const element = this.element('license');
    if (!element) return undefined;
    const value = element.text.trim();
    const type = element.attributes.get('type');
    const version = element.attributes.get('version');
    if (version !== undefined && version !== '1.0.0') {
      this.problems.push(`<license version="${version}"> is not supported; the only license version is 1.0.0`);
    }
    if (!value) {
      this.problems.push('<license> is empty');
      return undefined;
    }
    if (type === 'expression') {
      const problem = licenseExpressionProblem(value);
      if (problem) {
        this.problems.push(problem);
        return undefined;
      }
      return { type, expression: value };
    }
    if (type === 'file') {
      const filePath = normalizePackagePath(value);
      if (!/^[^.]*$|\.(txt|md)$/i.test(filePath.split('/').at(-1) ?? '')) {
        this.problems.push(`<license type="file"> '${value}' must be a .txt or .md file, or have no extension`);
      }
      return { type, path: filePath };
    }
    this.problems.push(`<license> type must be 'expression' or 'file', not '${type ?? ''}'`);
    return undefined;
  }

  private repository(): Manifest['repository'] {
    const element = this.element('repository');
    if (!element) return undefined;
    const pick = (name: string) => element.attributes.get(name)?.trim() || undefined;
    return { type: pick('type'), url: pick('url'), branch: pick('branch'), commit: pick('commit') };
  }

  private packageTypes(): PackageType[] {
    const container = this.element('packageTypes');
    if (!container) return [];
    const types: PackageType[] = [];
    for (const element of this.elements('packageType', container)) {
      const name = element.attributes.get('name')?.trim();
      if (!name || packageIdProblem(name) !== undefined) {
        this.problems.push(`<packageType name="${name ?? ''}"> is not a valid package type name`);
        continue;
      }
      const version = element.attributes.get('version')?.trim() || undefined;
      if (version !== undefined && !NuGetVersion.tryParse(version)) {
        this.problems.push(`<packageType name="${name}"> has an invalid version '${version}'`);
      }
      types.push({ name, version });
    }
    return types;
  }

  private dependencyGroups(): DependencyGroup[] {
    const container = this.element('dependencies');
    if (!container) return [];
    const groups = this.elements('group', container);
    const flat = this.elements('dependency', container);
    if (groups.length > 0 && flat.length > 0) {
      this.problems.push('<dependencies> mixes <group> and <dependency> elements; use groups only');
    }
    if (groups.length === 0) return flat.length > 0 ? [{ targetFramework: undefined, dependencies: this.dependencies(flat, 'any framework') }] : [];

    const seenFrameworks = new Set<string>();
    return groups.map((group) => {
      const targetFramework = group.attributes.get('targetFramework')?.trim() || undefined;
      if (targetFramework !== undefined) this.check(prefix(`dependency group`, targetFrameworkProblem(targetFramework)));
      // Compare frameworks, not spellings: `net8.0` and `.NETCoreApp,Version=v8.0` are one group.
      const key = targetFramework === undefined ? '' : (parseTargetFramework(targetFramework)?.shortFolderName ?? targetFramework.toLowerCase());
      if (seenFrameworks.has(key)) this.problems.push(`<dependencies> has two groups for '${targetFramework ?? 'any framework'}'`);
      seenFrameworks.add(key);
      return { targetFramework, dependencies: this.dependencies(this.elements('dependency', group), targetFramework ?? 'any framework') };
    });
  }

  /** Only validated: nuget.org rejects framework-reference groups for frameworks it cannot parse. */
  private frameworkReferenceGroups(): void {
    const container = this.element('frameworkReferences');
    if (!container) return;
    for (const group of this.elements('group', container)) {
      const targetFramework = group.attributes.get('targetFramework')?.trim() ?? '';
      this.check(prefix('framework reference group', targetFrameworkProblem(targetFramework)));
    }
  }

  private dependencies(elements: XmlElement[], groupName: string): PackageDependency[] {
    const seen = new Set<string>();
    const dependencies: PackageDependency[] = [];
    for (const element of elements) {
      const id = element.attributes.get('id')?.trim() ?? '';
      const idProblem = packageIdProblem(id);
      if (idProblem) {
        this.problems.push(`dependency in ${groupName}: ${idProblem}`);
        continue;
      }
      const idLower = lowerPackageId(id);
      if (seen.has(idLower)) this.problems.push(`dependency '${id}' is listed twice for ${groupName}`);
      seen.add(idLower);
      const rangeText = element.attributes.get('version') ?? '';
      const range = this.range(id, rangeText);
      if (range) dependencies.push({ id, range });
    }
    return dependencies;
  }

  private range(id: string, text: string): VersionRange | undefined {
    let range: VersionRange;
    try {
      range = VersionRange.parse(text);
    } catch (error) {
      this.problems.push(`dependency '${id}' version '${text}': ${(error as Error).message}`);
      return undefined;
    }
    if (range.hasMetadataBound) {
      this.problems.push(`dependency '${id}' version '${text}' must not carry build metadata`);
    }
    for (const bound of [range.minVersion, range.maxVersion]) {
      if (bound && !bound.satisfiesLegacyRule) {
        this.problems.push(`dependency '${id}' version '${text}': a single pre-release label must start with a letter`);
      }
    }
    return range;
  }
}

function prefix(context: string, problem: string | undefined): string | undefined {
  return problem === undefined ? undefined : `${context}: ${problem}`;
}

/** nuspec paths may use backslashes; zip entry names use forward slashes. */
export function normalizePackagePath(value: string): string {
  return value.replace(/\\/g, '/').replace(/^\.\//, '');
}

/**
 * NuGet license expressions are SPDX expressions; `UNLICENSED` is NuGet's own addition.
 * https://learn.microsoft.com/nuget/reference/nuspec#license
 */
function licenseExpressionProblem(expression: string): string | undefined {
  if (expression.length > MAX_LENGTH.licenseExpression) {
    return `<license> expression is ${expression.length} characters long; the limit is ${MAX_LENGTH.licenseExpression}`;
  }
  if (expression === 'UNLICENSED') return undefined;
  try {
    parseSpdxExpression(expression);
    return undefined;
  } catch {
    return `<license> '${expression}' is not a valid SPDX license expression (example: MIT OR Apache-2.0)`;
  }
}
