/**
 * The restore path's hottest reads, answered before the framework sees them: a GET or HEAD without a body
 * of a flat-container version list, a registration index or a registration page. Both are stored documents
 * (document-responder.ts), so the answer is the one the routes give (routes/package-content.ts and
 * routes/registration.ts); the equivalence is tested over real sockets. Anything else, including a
 * document that does not exist (its 404 is the route's), goes on to Fastify. Fastify's routing and hooks
 * cost about a third of such a read, which matters for the reads restore makes most.
 * https://learn.microsoft.com/nuget/api/package-base-address-resource#enumerate-package-versions
 * https://learn.microsoft.com/nuget/api/registration-base-url-resource#registration-index
 * https://learn.microsoft.com/nuget/api/registration-base-url-resource#registration-page
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { lowerPackageId } from '../domain/package-id.ts';
import { REGISTRATION_HIVES, type RegistrationHive } from '../protocol/nuget/feed-urls.ts';
import { VERSION_LIST_DOCUMENT, registrationIndexDocument, registrationPageDocument } from '../protocol/nuget/read-documents.ts';
import type { DocumentRequest, DocumentResponder } from './document-responder.ts';
import type { UrlContext } from './request-context.ts';
import type { FeedUrls } from '../protocol/nuget/feed-urls.ts';

const HIVE_BY_PATH = new Map<string, RegistrationHive>(Object.entries(REGISTRATION_HIVES).map(([hive, settings]) => [settings.path, hive as RegistrationHive]));

/** `/v3/{resource}/{id}/index.json`, the id without percent-encoding (such ids take the framework's path). */
const DOCUMENT_PATH = /^\/v3\/([a-z0-9-]+)\/([^/%?]+)\/index\.json(?:\?|$)/;
/** `/v3/{hive}/{id}/page/{lower}/{upper}.json`, likewise. */
const PAGE_PATH = /^\/v3\/([a-z0-9-]+)\/([^/%?]+)\/page\/([^/%?]+)\/([^/%?]+)\.json(?:\?|$)/;

function documentOf(url: string): DocumentRequest | undefined {
  const page = PAGE_PATH.exec(url);
  if (page) {
    const [, resource = '', id = '', lower = '', upper = ''] = page;
    const hive = HIVE_BY_PATH.get(resource);
    if (hive === undefined) return undefined;
    return { idLower: lowerPackageId(id), name: registrationPageDocument(hive, lower.toLowerCase(), upper.toLowerCase()), gzip: REGISTRATION_HIVES[hive].gzip };
  }
  const match = DOCUMENT_PATH.exec(url);
  if (!match) return undefined;
  const [, resource = '', id = ''] = match;
  if (resource === 'package') return { idLower: lowerPackageId(id), name: VERSION_LIST_DOCUMENT, gzip: false };
  const hive = HIVE_BY_PATH.get(resource);
  return hive === undefined ? undefined : { idLower: lowerPackageId(id), name: registrationIndexDocument(hive), gzip: REGISTRATION_HIVES[hive].gzip };
}

export type FastPath = (request: IncomingMessage, response: ServerResponse) => Promise<boolean>;

/** Resolves true when it answered; false leaves the request, untouched, to the framework. */
export function restoreFastPath(deps: { readonly documents: DocumentResponder; readonly urlsFor: (request: UrlContext) => FeedUrls }): FastPath {
  return async (request, response) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return false;
    // A request with a body is the framework's: it drains bodies it did not read (server.ts).
    if (request.headers['transfer-encoding'] !== undefined || (request.headers['content-length'] ?? '0') !== '0') return false;
    const document = documentOf(request.url ?? '');
    if (!document) return false;
    const answer = await deps.documents.answer(request.headers, deps.urlsFor({ headers: request.headers, protocol: 'http' }), document);
    if (!answer) return false;
    const headers = answer.body === undefined ? answer.headers : { ...answer.headers, 'content-length': String(answer.body.length) };
    response.writeHead(answer.status, headers);
    response.end(request.method === 'HEAD' ? undefined : answer.body);
    return true;
  };
}
