/**
 * What a request presents as a credential, in the three forms NuGet clients send: the `X-NuGet-ApiKey`
 * header (push, delete), `Authorization: Basic` with the key as the password (NuGet.config's
 * `packageSourceCredentials`, for reads of private feeds), and `Authorization: Bearer` (the management API
 * and CI). The header wins when both are sent, as it is what `dotnet nuget push -k` adds to a source that
 * also has credentials.
 * https://learn.microsoft.com/nuget/reference/nuget-config-file#packagesourcecredentials
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { PresentedCredential } from '../app/accounts/authenticate.ts';

const BASIC = /^basic[ \t]+([A-Za-z0-9+/=]+)[ \t]*$/i;
const BEARER = /^bearer[ \t]+([\x21-\x7e]+)[ \t]*$/i;

/** The credential, or undefined when nothing is presented; a malformed Authorization header presents an empty secret (invalid). */
export function presentedCredential(headers: IncomingHttpHeaders): PresentedCredential | undefined {
  const header = headers['x-nuget-apikey'];
  const key = Array.isArray(header) ? header[0] : header;
  if (key !== undefined && key !== '') return { secret: key, via: 'api-key-header' };
  const authorization = headers.authorization;
  if (authorization === undefined || authorization === '') return undefined;
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
