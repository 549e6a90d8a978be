/** Signs a user in through the account pages, as a browser would: the session cookie, and the CSRF token its API writes carry. */
import type { InProcessPallet } from './in-process.ts';

function csrfOf(body: string): string {
  const token = /name="_csrf" value="([^"]+)"/.exec(body)?.[1];
  if (token === undefined) throw new Error('the page has no form with a CSRF token');
  return token;
}

export async function signInHeaders(pallet: InProcessPallet, name: string, password: string): Promise<{ cookie: string; 'x-pallet-csrf': string }> {
  const page = await pallet.inject({ method: 'GET', url: '/account/sign-in' });
  const formCookie = String(page.headers['set-cookie']).split(';')[0] as string;
  const signedIn = await pallet.inject({
    method: 'POST',
    url: '/account/sign-in',
    headers: { cookie: formCookie, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ _csrf: csrfOf(page.body), name, password }).toString(),
  });
  if (signedIn.statusCode !== 303) throw new Error(`signing in as ${name} answered ${signedIn.statusCode}`);
  const cookie = String(signedIn.headers['set-cookie']).split(';')[0] as string;
  const account = await pallet.inject({ method: 'GET', url: '/account', headers: { cookie } });
  return { cookie, 'x-pallet-csrf': csrfOf(account.body) };
}

/** Signs in to a running server over HTTP, as a browser would; the headers its management API calls carry. */
export async function signInOverHttp(baseUrl: string, name: string, password: string): Promise<{ cookie: string; 'x-pallet-csrf': string }> {
  const page = await fetch(`${baseUrl}/account/sign-in`);
  const formCookie = (page.headers.getSetCookie()[0] ?? '').split(';')[0] as string;
  const signedIn = await fetch(`${baseUrl}/account/sign-in`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: formCookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: csrfOf(await page.text()), name, password }).toString(),
  });
  if (signedIn.status !== 303) throw new Error(`signing in as ${name} answered ${signedIn.status}`);
  const cookie = (signedIn.headers.getSetCookie().find((line) => line.includes('pallet_session=')) ?? '').split(';')[0] as string;
  const account = await fetch(`${baseUrl}/account`, { headers: { cookie } });
  return { cookie, 'x-pallet-csrf': csrfOf(await account.text()) };
}
