/** A browser's cookie jar over `inject`, as far as the account pages need one. */
import assert from 'node:assert/strict';
import type { InjectResponse, InProcessPallet } from './in-process.ts';

export class Browser {
  private readonly cookies = new Map<string, string>();
  private readonly pallet: InProcessPallet;
  constructor(pallet: InProcessPallet) {
    this.pallet = pallet;
  }

  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  cookie(name: string): string | undefined {
    return this.cookies.get(name);
  }

  setCookie(name: string, value: string): void {
    this.cookies.set(name, value);
  }

  private keep(response: InjectResponse): InjectResponse {
    const setCookie = response.headers['set-cookie'];
    for (const line of Array.isArray(setCookie) ? setCookie : setCookie === undefined ? [] : [setCookie]) {
      const [pair = ''] = line.split(';');
      const equals = pair.indexOf('=');
      const name = pair.slice(0, equals);
      const value = pair.slice(equals + 1);
      if (/Max-Age=0/.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return response;
  }

  async get(url: string): Promise<InjectResponse> {
    return this.keep(await this.pallet.inject({ method: 'GET', url, headers: { cookie: this.header() } }));
  }

  async post(url: string, fields: Record<string, string | string[]>): Promise<InjectResponse> {
    const body = new URLSearchParams();
    for (const [name, value] of Object.entries(fields)) for (const each of Array.isArray(value) ? value : [value]) body.append(name, each);
    return this.keep(
      await this.pallet.inject({ method: 'POST', url, headers: { cookie: this.header(), 'content-type': 'application/x-www-form-urlencoded' }, payload: body.toString() }),
    );
  }

  /** Opens `url` and submits its form to `action` with the page's CSRF token. */
  async submit(url: string, action: string, fields: Record<string, string | string[]>): Promise<InjectResponse> {
    const page = await this.get(url);
    return this.post(action, { _csrf: csrfOf(page.body), ...fields });
  }
}

export function csrfOf(body: string): string {
  const token = /name="_csrf" value="([^"]+)"/.exec(body)?.[1];
  assert.ok(token, 'the page has a form with a CSRF token');
  return token;
}
