/**
 * Builds .nupkg files in memory, laid out the way `dotnet pack` writes them:
 *
 *   _rels/.rels
 *   <id>.nuspec
 *   lib/net10.0/<id>.dll
 *   package/services/metadata/core-properties/<hash>.psmdcp
 *   [Content_Types].xml
 *
 * plus a readme, icon, license file and any extra files asked for. Every part
 * can be overridden so validation tests can build broken packages too.
 */
import { createHash } from 'node:crypto';
import { writeZip, type ZipEntry } from './zip-writer.ts';

export const NUSPEC_NAMESPACE_2013_05 = 'http://schemas.microsoft.com/packaging/2013/05/nuspec.xsd';

export interface NupkgDependency {
  id: string;
  /** Version range as written in the nuspec, e.g. `1.0.0` or `[1.0.0, 2.0.0)`. Omitted when undefined. */
  range?: string;
  /** `exclude` attribute (dotnet pack writes `Build,Analyzers`). Omitted when undefined. */
  exclude?: string;
  /** `include` attribute. Omitted when undefined. */
  include?: string;
}

export interface NupkgDependencyGroup {
  /** e.g. `net10.0`; omitted to produce a framework-agnostic `<group>`. */
  targetFramework?: string;
  dependencies: NupkgDependency[];
}

export interface NupkgFile {
  name: string;
  data: Buffer | string;
}

export interface NupkgOptions {
  id: string;
  version: string;
  /** Default 'Pallet Tests'. */
  authors?: string;
  /** Default `Test package <id>.` */
  description?: string;
  title?: string;
  /** Space separated string, or an array joined with spaces. */
  tags?: string | string[];
  summary?: string;
  projectUrl?: string;
  owners?: string;
  releaseNotes?: string;
  copyright?: string;
  requireLicenseAcceptance?: boolean;
  dependencyGroups?: NupkgDependencyGroup[];
  packageTypes?: { name: string; version?: string }[];
  /** Adds `<readme>path</readme>` and the file. */
  readme?: { path: string; content: string };
  /** Adds `<icon>path</icon>` and the file. */
  icon?: { path: string; bytes: Buffer };
  /**
   * `expression`: `<license type="expression">value</license>` (+ licenses.nuget.org licenseUrl, as dotnet pack does).
   * `file`: `<license type="file">value</license>` and, when fileContent is given, the file at path `value`.
   */
  license?: { type: 'expression' | 'file'; value: string; fileContent?: string };
  /** Extra entries appended to the archive (any name, duplicates allowed). */
  extraFiles?: NupkgFile[];
  /** Replaces the generated nuspec text entirely. */
  nuspecXml?: string;
  /** Name of the nuspec entry; default `<id>.nuspec`. */
  nuspecName?: string;
  /** Raw XML inserted at the end of `<metadata>`. */
  extraMetadataXml?: string;
  /** Raw XML inserted after `<metadata>` (e.g. a `<files>` element). */
  extraPackageXml?: string;
  /** Include `lib/net10.0/<id>.dll`; default true. */
  includeLib?: boolean;
  /** Bytes of the dll; default a small fake PE-ish blob. */
  libBytes?: Buffer;
  /** Target framework folder for the dll; default `net10.0`. */
  libFramework?: string;
  /** Include `_rels/.rels`, `[Content_Types].xml` and the psmdcp part; default true. */
  includeOpcParts?: boolean;
  /** Prefix the generated or given nuspec with a UTF-8 byte order mark, as dotnet pack does; default false. */
  nuspecBom?: boolean;
  /** Compression for every entry; default 'deflate'. */
  method?: 'deflate' | 'store';
}

/** Escapes text for use in XML character data and double-quoted attributes. */
export function escapeXml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

function element(name: string, value: string | undefined, indent = '    '): string {
  return value === undefined ? '' : `${indent}<${name}>${escapeXml(value)}</${name}>\n`;
}

function attributes(attrs: Record<string, string | undefined>): string {
  return Object.entries(attrs)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([key, value]) => ` ${key}="${escapeXml(value)}"`)
    .join('');
}

/** The nuspec text that buildNupkg writes for these options (ignores options.nuspecXml). */
export function nuspecXml(options: NupkgOptions): string {
  const tags = Array.isArray(options.tags) ? options.tags.join(' ') : options.tags;
  let metadata = '';
  metadata += element('id', options.id);
  metadata += element('version', options.version);
  metadata += element('title', options.title);
  metadata += element('authors', options.authors ?? 'Pallet Tests');
  metadata += element('owners', options.owners);
  if (options.requireLicenseAcceptance !== undefined) {
    metadata += element('requireLicenseAcceptance', String(options.requireLicenseAcceptance));
  }
  if (options.license) {
    metadata += `    <license${attributes({ type: options.license.type })}>${escapeXml(options.license.value)}</license>\n`;
    metadata += element(
      'licenseUrl',
      options.license.type === 'expression'
        ? `https://licenses.nuget.org/${options.license.value}`
        : 'https://aka.ms/deprecateLicenseUrl',
    );
  }
  metadata += element('icon', options.icon?.path);
  metadata += element('readme', options.readme?.path);
  metadata += element('projectUrl', options.projectUrl);
  metadata += element('description', options.description ?? `Test package ${options.id}.`);
  metadata += element('summary', options.summary);
  metadata += element('releaseNotes', options.releaseNotes);
  metadata += element('copyright', options.copyright);
  metadata += element('tags', tags);
  if (options.packageTypes && options.packageTypes.length > 0) {
    metadata += '    <packageTypes>\n';
    for (const type of options.packageTypes) {
      metadata += `      <packageType${attributes({ name: type.name, version: type.version })} />\n`;
    }
    metadata += '    </packageTypes>\n';
  }
  if (options.dependencyGroups && options.dependencyGroups.length > 0) {
    metadata += '    <dependencies>\n';
    for (const group of options.dependencyGroups) {
      const groupAttrs = attributes({ targetFramework: group.targetFramework });
      if (group.dependencies.length === 0) {
        metadata += `      <group${groupAttrs} />\n`;
        continue;
      }
      metadata += `      <group${groupAttrs}>\n`;
      for (const dep of group.dependencies) {
        metadata += `        <dependency${attributes({ id: dep.id, version: dep.range, include: dep.include, exclude: dep.exclude })} />\n`;
      }
      metadata += '      </group>\n';
    }
    metadata += '    </dependencies>\n';
  }
  if (options.extraMetadataXml) metadata += `    ${options.extraMetadataXml}\n`;

  return (
    '<?xml version="1.0" encoding="utf-8"?>\n' +
    `<package xmlns="${NUSPEC_NAMESPACE_2013_05}">\n` +
    '  <metadata>\n' +
    metadata +
    '  </metadata>\n' +
    (options.extraPackageXml ? `  ${options.extraPackageXml}\n` : '') +
    '</package>\n'
  );
}

function extensionOf(name: string): string | undefined {
  const base = name.slice(name.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  return dot >= 0 && dot < base.length - 1 ? base.slice(dot + 1) : undefined;
}

function contentTypesXml(names: string[]): string {
  const known: Record<string, string> = {
    rels: 'application/vnd.openxmlformats-package.relationships+xml',
    psmdcp: 'application/vnd.openxmlformats-package.core-properties+xml',
  };
  const seen = new Set<string>();
  let defaults = '';
  for (const name of names) {
    const ext = extensionOf(name);
    if (ext === undefined || seen.has(ext.toLowerCase())) continue;
    seen.add(ext.toLowerCase());
    defaults += `<Default Extension="${escapeXml(ext)}" ContentType="${known[ext.toLowerCase()] ?? 'application/octet'}" />`;
  }
  return (
    '<?xml version="1.0" encoding="utf-8"?>' +
    `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">${defaults}</Types>`
  );
}

function relsXml(nuspecName: string, corePropertiesName: string, id: string): string {
  const relId = (s: string) => 'R' + createHash('sha256').update(s).digest('hex').slice(0, 16).toUpperCase();
  return (
    '<?xml version="1.0" encoding="utf-8"?>' +
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
    `<Relationship Type="http://schemas.microsoft.com/packaging/2010/07/manifest" Target="/${escapeXml(nuspecName)}" Id="${relId(id + 'nuspec')}" />` +
    `<Relationship Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="/${escapeXml(corePropertiesName)}" Id="${relId(id + 'core')}" />` +
    '</Relationships>'
  );
}

function corePropertiesXml(options: NupkgOptions): string {
  const tags = Array.isArray(options.tags) ? options.tags.join(' ') : options.tags;
  return (
    '<?xml version="1.0" encoding="utf-8"?>' +
    '<coreProperties xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" ' +
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ' +
    'xmlns="http://schemas.openxmlformats.org/package/2006/metadata/core-properties">' +
    `<dc:creator>${escapeXml(options.authors ?? 'Pallet Tests')}</dc:creator>` +
    `<dc:description>${escapeXml(options.description ?? `Test package ${options.id}.`)}</dc:description>` +
    `<dc:identifier>${escapeXml(options.id)}</dc:identifier>` +
    `<version>${escapeXml(options.version)}</version>` +
    `<keywords>${escapeXml(tags ?? '')}</keywords>` +
    '<lastModifiedBy>Pallet test nupkg-builder</lastModifiedBy>' +
    '</coreProperties>'
  );
}

/** Builds the bytes of a .nupkg. */
export function buildNupkg(options: NupkgOptions): Buffer {
  const files: NupkgFile[] = [];
  const nuspecName = options.nuspecName ?? `${options.id}.nuspec`;
  const nuspecText = options.nuspecXml ?? nuspecXml(options);
  files.push({ name: nuspecName, data: options.nuspecBom ? '\uFEFF' + nuspecText : nuspecText });
  if (options.includeLib ?? true) {
    const framework = options.libFramework ?? 'net10.0';
    files.push({
      name: `lib/${framework}/${options.id}.dll`,
      data: options.libBytes ?? Buffer.concat([Buffer.from('MZ'), Buffer.from(`fake assembly ${options.id} ${options.version}`)]),
    });
  }
  if (options.readme) files.push({ name: options.readme.path, data: options.readme.content });
  if (options.icon) files.push({ name: options.icon.path, data: options.icon.bytes });
  if (options.license?.type === 'file' && options.license.fileContent !== undefined) {
    files.push({ name: options.license.value, data: options.license.fileContent });
  }
  files.push(...(options.extraFiles ?? []));

  const entries: ZipEntry[] = [];
  const withMethod = (file: NupkgFile): ZipEntry =>
    options.method ? { name: file.name, data: file.data, method: options.method } : { name: file.name, data: file.data };
  if (options.includeOpcParts ?? true) {
    const hash = createHash('sha256').update(`${options.id}/${options.version}`).digest('hex').slice(0, 32);
    const corePropertiesName = `package/services/metadata/core-properties/${hash}.psmdcp`;
    entries.push(withMethod({ name: '_rels/.rels', data: relsXml(nuspecName, corePropertiesName, options.id) }));
    entries.push(...files.map(withMethod));
    entries.push(withMethod({ name: corePropertiesName, data: corePropertiesXml(options) }));
    const allNames = [...files.map((f) => f.name), '_rels/.rels', corePropertiesName];
    entries.push(withMethod({ name: '[Content_Types].xml', data: contentTypesXml(allNames) }));
  } else {
    entries.push(...files.map(withMethod));
  }
  return writeZip(entries);
}
