/**
 * What a request presents as a credential, in the three forms NuGet clients send: the `X-NuGet-ApiKey`
 * header (push, delete), `Authorization: Basic` with the key as the password (NuGet.config's
 * `packageSourceCredentials`, for reads of private feeds), and `Authorization: Bearer` (the management API
 * and CI), and the web pages' session cookie. The header wins when both are sent, as it is what `dotnet nuget push -k` adds to a source that
 * also has credentials.
 * https://learn.microsoft.com/nuget/reference/nuget-config-file#packagesourcecredentials
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { PresentedCredential } from '../app/accounts/authenticate.ts';

const BASIC = /^basic[ \t]+([A-Za-z0-9+/=]+)[ \t]*$/i;
const BEARER = /^bearer[ \t]+([\x21-\x7e]+)[ \t]*$/i;

/** The session cookie's name: `__Host-` (Secure, host-only, path /) when the pages are served over https. */
export function sessionCookieName(https: boolean): string {
  return https ? '__Host-pallet_session' : 'pallet_session';
}

/** The value of cookie `name` in a Cookie header, or undefined. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const equals = part.indexOf('=');
    if (equals > 0 && part.slice(0, equals).trim() === name) return part.slice(equals + 1).trim();
  }
  return undefined;
}

/**
 * The credential, or undefined when nothing is presented; a malformed Authorization header presents an
 * empty secret (invalid). A session cookie comes last: a client sending a key means the key.
 */
export function presentedCredential(headers: IncomingHttpHeaders): PresentedCredential | undefined {
  const header = headers['x-nuget-apikey'];
  const key = Array.isArray(header) ? header[0] : header;
  if (key !== undefined && key !== '') return { secret: key, via: 'api-key-header' };
  const authorization = headers.authorization;
  if (authorization === undefined || authorization === '') {
    const session = cookieValue(headers.cookie, sessionCookieName(true)) ?? cookieValue(headers.cookie, sessionCookieName(false));
    return session === undefined ? undefined : { secret: session, via: 'session-cookie' };
  }
  const basic = BASIC.exec(authorization);
  if (basic) {
    const decoded = Buffer.from(basic[1] as string, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    // The user name is the client's label for the source; the password is what identifies the caller.
    return { secret: colon < 0 ? '' : decoded.slice(colon + 1), via: 'basic' };
  }
  const bearer = BEARER.exec(authorization);
  if (bearer) return { secret: bearer[1] as string, via: 'bearer' };
  return { secret: '', via: /^basic\b/i.test(authorization) ? 'basic' : 'bearer' };
}
