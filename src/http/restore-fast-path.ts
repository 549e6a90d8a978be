/**
 * The restore path's hottest reads, answered before the framework sees them: a GET or HEAD without a body
 * of a flat-container version list, a registration index or a registration page (stored documents,
 * document-responder.ts), and a GET of a `.nupkg` kept in memory (package-download-answers.ts). The answer
 * is the one the routes give (routes/package-content.ts and routes/registration.ts); the equivalence is
 * tested over real sockets. A read answered since the last commit is written before this returns, with no
 * lookup and no promise. Anything else, including what does not exist (its 404 is the route's), goes on to
 * Fastify, whose routing and hooks cost about a third of such a read.
 * https://learn.microsoft.com/nuget/api/package-base-address-resource#enumerate-package-versions
 * https://learn.microsoft.com/nuget/api/package-base-address-resource#download-package-content-nupkg
 * https://learn.microsoft.com/nuget/api/registration-base-url-resource#registration-index
 * https://learn.microsoft.com/nuget/api/registration-base-url-resource#registration-page
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { lowerPackageId } from '../domain/package-id.ts';
import { REGISTRATION_HIVES, type RegistrationHive } from '../protocol/nuget/feed-urls.ts';
import { VERSION_LIST_DOCUMENT, registrationIndexDocument, registrationPageDocument } from '../protocol/nuget/read-documents.ts';
import type { DocumentAnswer, DocumentRequest, DocumentResponder } from './document-responder.ts';
import type { DownloadAnswer, PackageDownloadAnswers } from './package-download-answers.ts';
import type { UrlContext } from './request-context.ts';
import type { FeedUrls } from '../protocol/nuget/feed-urls.ts';
import { DEFAULT_FEED_ID } from '../domain/feed.ts';

const HIVE_BY_PATH = new Map<string, RegistrationHive>(Object.entries(REGISTRATION_HIVES).map(([hive, settings]) => [settings.path, hive as RegistrationHive]));

/** The paths matched below are the site root's, where the gallery is served. */
const feedId = DEFAULT_FEED_ID;

/** `/v3/{resource}/{id}/index.json`, the id without percent-encoding (such ids take the framework's path). */
const DOCUMENT_PATH = /^\/v3\/([a-z0-9-]+)\/([^/%?]+)\/index\.json(?:\?|$)/;
/** `/v3/{hive}/{id}/page/{lower}/{upper}.json`, likewise. */
const PAGE_PATH = /^\/v3\/([a-z0-9-]+)\/([^/%?]+)\/page\/([^/%?]+)\/([^/%?]+)\.json(?:\?|$)/;

/** `/v3/package/{id}/{version}/{file}.nupkg`, without a query or percent-encoding. */
const DOWNLOAD_PATH = /^\/v3\/package\/([^/%?]+)\/([^/%?]+)\/([^/%?]+\.nupkg)$/;

function documentOf(url: string): DocumentRequest | undefined {
  const page = url.includes('/page/') ? PAGE_PATH.exec(url) : null;
  if (page) {
    const [, resource = '', id = '', lower = '', upper = ''] = page;
    const hive = HIVE_BY_PATH.get(resource);
    if (hive === undefined) return undefined;
    return { feedId, idLower: lowerPackageId(id), name: registrationPageDocument(hive, lower.toLowerCase(), upper.toLowerCase()), gzip: REGISTRATION_HIVES[hive].gzip };
  }
  const match = DOCUMENT_PATH.exec(url);
  if (!match) return undefined;
  const [, resource = '', id = ''] = match;
  if (resource === 'package') return { feedId, idLower: lowerPackageId(id), name: VERSION_LIST_DOCUMENT, gzip: false };
  const hive = HIVE_BY_PATH.get(resource);
  return hive === undefined ? undefined : { feedId, idLower: lowerPackageId(id), name: registrationIndexDocument(hive), gzip: REGISTRATION_HIVES[hive].gzip };
}

/**
 * True when it answered, false to leave the request, untouched, to the framework; a promise of either when
 * the answer needs the store (answered from memory, a read is written before this returns).
 */
export type FastPath = (request: IncomingMessage, response: ServerResponse) => boolean | Promise<boolean>;

export interface FastPathDependencies {
  readonly documents: DocumentResponder;
  /** Undefined when downloads are not sent from memory (a proxy sends them, or the package cache is off). */
  readonly downloads: PackageDownloadAnswers | undefined;
  readonly urlsFor: (request: UrlContext) => FeedUrls;
}

export function restoreFastPath(deps: FastPathDependencies): FastPath {
  const send = (request: IncomingMessage, response: ServerResponse, answer: DocumentAnswer): true => {
    response.writeHead(answer.status, answer.rawHeaders as string[]);
    response.end(request.method === 'HEAD' ? undefined : answer.body);
    return true;
  };
  const download = (response: ServerResponse, answer: DownloadAnswer): true => {
    answer.counted();
    response.writeHead(200, answer.rawHeaders as string[]);
    response.end(answer.body);
    return true;
  };
  return (request, response) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return false;
    // A request with a body is the framework's: it drains bodies it did not read (server.ts).
    if (request.headers['transfer-encoding'] !== undefined || (request.headers['content-length'] ?? '0') !== '0') return false;
    const url = request.url ?? '';
    if (url.endsWith('.nupkg')) {
      // A HEAD costs a stat and a conditional GET a comparison: the route's, as they are rare.
      const files = deps.downloads !== undefined && request.method === 'GET' && request.headers['if-none-match'] === undefined ? DOWNLOAD_PATH.exec(url) : null;
      if (!files || !deps.downloads) return false;
      const [, id = '', version = '', file = ''] = files;
      const remembered = deps.downloads.fromMemory(feedId, id, version, file);
      if (remembered) return download(response, remembered);
      return deps.downloads.answer(feedId, id, version, file).then((answer) => answer !== undefined && download(response, answer));
    }
    const document = documentOf(url);
    if (!document) return false;
    const urls = deps.urlsFor({ headers: request.headers, protocol: 'http' });
    const remembered = deps.documents.answerFromMemory(request.headers, urls, document);
    if (remembered) return send(request, response, remembered);
    return deps.documents.answer(request.headers, urls, document).then((answer) => answer !== undefined && send(request, response, answer));
  };
}
