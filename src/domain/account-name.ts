/**
 * Names of accounts (users and organizations share one namespace, as on nuget.org): shown as package
 * owners, typed on the command line, and matched without regard to case. nuget.org allows letters, digits,
 * `.`, `-` and `_`, starting with a letter or digit, and at most 64 characters.
 * https://learn.microsoft.com/nuget/nuget-org/individual-accounts
 */

export const MAX_ACCOUNT_NAME_LENGTH = 64;

const ACCOUNT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export const ACCOUNT_NAME_RULE = `letters, digits, '.', '-' and '_', starting with a letter or a digit, at most ${MAX_ACCOUNT_NAME_LENGTH} characters`;

/** Undefined when the name is acceptable, otherwise a sentence saying what is wrong. */
export function accountNameProblem(name: string): string | undefined {
  if (name.length === 0) return `An account name is needed: ${ACCOUNT_NAME_RULE}.`;
  if (name.length > MAX_ACCOUNT_NAME_LENGTH) return `The account name '${name.slice(0, 80)}…' is too long: ${ACCOUNT_NAME_RULE}.`;
  if (!ACCOUNT_NAME.test(name)) return `The account name '${name}' is not valid: use ${ACCOUNT_NAME_RULE}.`;
  return undefined;
}

/** The key an account is found by: ASCII letters lowered (names are ASCII). */
export function lowerAccountName(name: string): string {
  return name.toLowerCase();
}

/**
 * An account name made from what an identity provider says of a new user (a preferred username, an email's
 * local part, a display name): accents dropped, other characters outside the rule turned into '-', at most
 * 56 characters (room for a '-NNNN' suffix when the name is taken). Undefined when nothing usable is left.
 */
export function accountNameFrom(text: string): string | undefined {
  const folded = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, 56)
    .replace(/[._-]+$/, '');
  return folded.length === 0 ? undefined : folded;
}
