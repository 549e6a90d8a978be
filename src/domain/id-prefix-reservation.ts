/**
 * nuget.org's package ID prefix reservations: once an owner reserves `Contoso.*`, a new id starting with
 * `Contoso.` is accepted only from them. A reservation is a prefix, written `Contoso.*` as the doc writes it,
 * `Contoso.` as nuget.org stores it, `Contoso-*` or `Contoso-` likewise with a hyphen, or `Contoso*` for one
 * with no separator at its end (nuget.org's prefixes need none: a `NHibernate` prefix covers `NHibernateExtra`);
 * or it is one exact id, written without `*` (`Contoso`). Like ids, reservations ignore case.
 * https://learn.microsoft.com/nuget/nuget-org/id-prefix-reservation
 *
 * Reservations nest: the doc's example is Microsoft holding `Microsoft.*` and delegating `Microsoft.AspNet.*`
 * to the aspnet account. As on nuget.org, an owner of any reservation that covers an id may push it
 * (app/policy.ts), so both may push under `Microsoft.AspNet.`.
 *
 * A reservation is plain data, so it can be stored as it is and posted to a worker thread.
 */
import { MAX_PACKAGE_ID_LENGTH, lowerPackageId, packageIdProblem } from './package-id.ts';

export interface IdPrefixReservation {
  /** As written, for showing back to people. */
  readonly text: string;
  /** `'prefix'` covers every id that starts with `valueLower`; `'id'` covers that one id. */
  readonly kind: 'prefix' | 'id';
  /** The lowercase prefix without the `*` (`contoso.`), or the lowercase id (`contoso`). */
  readonly valueLower: string;
}

const WILDCARD = '*';
const SEPARATORS = '.-';

const EXAMPLES = 'such as "Contoso.*" (every id that starts with "Contoso.") or "Contoso" (that id alone)';

/** The reservation, or an `Error` saying which rule the text breaks. */
export function parseReservedPrefix(text: string): IdPrefixReservation {
  const quoted = JSON.stringify(text);
  if (text.length === 0) {
    throw new Error(`The reserved prefix is empty; write one ${EXAMPLES}.`);
  }
  const wildcardAt = text.indexOf(WILDCARD);
  if (wildcardAt !== -1 && wildcardAt !== text.length - 1) {
    throw new Error(`The reserved prefix ${quoted} has "*" before its end; a reservation is a prefix, not a glob: write one ${EXAMPLES}.`);
  }
  if (text === WILDCARD) {
    throw new Error(`The reserved prefix "*" would reserve every package id; write one ${EXAMPLES}.`);
  }
  const withoutWildcard = wildcardAt === -1 ? text : text.slice(0, -1);
  const last = withoutWildcard[withoutWildcard.length - 1] as string;
  const endsWithSeparator = SEPARATORS.includes(last);
  // What is left once the `*` and one separator before it are taken off must itself be a package id: no id
  // could start with anything else followed by more.
  const idPart = endsWithSeparator ? withoutWildcard.slice(0, -1) : withoutWildcard;
  const idProblem = packageIdProblem(idPart);
  if (idProblem !== undefined) {
    throw new Error(
      `The reserved prefix ${quoted} is not valid: a reservation is a package id, or a prefix written as one ` +
        `followed by ".*", "-*", "*", "." or "-". ${idProblem}`,
    );
  }
  // An id never ends with a separator, so one that starts with `Contoso.` has a character after it.
  if (endsWithSeparator && withoutWildcard.length >= MAX_PACKAGE_ID_LENGTH) {
    throw new Error(
      `The reserved prefix ${quoted} can never cover a package id: an id starting with it would be longer than the limit of ${MAX_PACKAGE_ID_LENGTH} characters.`,
    );
  }
  const isPrefix = wildcardAt !== -1 || endsWithSeparator;
  return { text, kind: isPrefix ? 'prefix' : 'id', valueLower: lowerPackageId(withoutWildcard) };
}

/** Whether the reservation covers the package whose id, lowered by `lowerPackageId`, is `idLower`. */
export function reservationCovers(reservation: IdPrefixReservation, idLower: string): boolean {
  return reservation.kind === 'prefix' ? idLower.startsWith(reservation.valueLower) : idLower === reservation.valueLower;
}
