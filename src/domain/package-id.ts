/**
 * Package ids: which ones Pallet accepts, and the lowercase form that is both the identity key
 * and the URL segment (`/v3-flatcontainer/{lower-id}/...`).
 */

export const MAX_PACKAGE_ID_LENGTH = 100;

// nuget.org's rule for new ids. NuGet.Packaging's own regex uses .NET's Unicode `\w`; nuget.org
// narrowed it to ASCII, which is what makes the ASCII-only lowercasing below safe.
const ID_PATTERN = /^[A-Za-z0-9_]+([.-][A-Za-z0-9_]+)*$/;

// What `dotnet pack` / `nuget pack` leave behind when a nuspec token was never replaced.
const UNREPLACED_ID_TOKEN = '$id$';

/** Undefined when `id` is acceptable, otherwise a sentence saying which rule it breaks. */
export function packageIdProblem(id: string): string | undefined {
  if (id.length === 0) {
    return 'The package id is empty.';
  }
  if (id === UNREPLACED_ID_TOKEN) {
    return `The package id is the unreplaced token "${UNREPLACED_ID_TOKEN}"; set <id> in the nuspec or pass the id to pack.`;
  }
  if (id.length > MAX_PACKAGE_ID_LENGTH) {
    return `The package id "${id}" is ${id.length} characters long; the limit is ${MAX_PACKAGE_ID_LENGTH}.`;
  }
  if (!ID_PATTERN.test(id)) {
    return (
      `The package id "${id}" is not valid: use only ASCII letters, digits and underscores, ` +
      'in parts separated by single dots or hyphens, without a dot or hyphen at either end.'
    );
  }
  return undefined;
}

const HAS_UPPER_ASCII = /[A-Z]/;

/**
 * The identity key and URL form of an id. Only ASCII letters are lowered: NuGet uses .NET's
 * `ToLowerInvariant`, whose mapping differs from JavaScript's `toLowerCase` for some non-ASCII
 * characters (`İ` becomes `i̇` in JS, for one), so a full Unicode lowering could disagree with
 * NuGet clients about the URL. Valid ids are ASCII, where both agree.
 */
export function lowerPackageId(id: string): string {
  return HAS_UPPER_ASCII.test(id) ? id.replace(/[A-Z]+/g, (letters) => letters.toLowerCase()) : id;
}
