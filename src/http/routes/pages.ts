/**
 * Small server-rendered pages that NuGet clients link to: the home page, package details
 * (PackageDetailsUriTemplate/5.1.0) and report abuse (ReportAbuseUriTemplate/3.0.0).
 * Every value is HTML-escaped; the readme is shown as text, never as HTML.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { RouteDependencies } from '../route-dependencies.ts';
import { readRoute } from '../read-route.ts';
import type { StoredVersion } from '../../app/ports.ts';
import type { FeedUrls } from '../../protocol/nuget/feed-urls.ts';
import { sendNotFound } from '../request-context.ts';
import type { FeedScope } from '../feed-of.ts';

export function registerPageRoutes(server: FastifyInstance, deps: RouteDependencies, feed: FeedScope): void {
  readRoute(server, '/', async (request, reply) => {
    const urls = feed.urlsOf(request);
    return sendPage(reply, 'Pallet', `
      <h1>Pallet</h1>
      <p>A NuGet server. Add it as a package source:</p>
      <pre>dotnet nuget add source ${escape(urls.serviceIndex)} --name pallet</pre>
      <p>Service index: <a href="${escape(urls.serviceIndex)}">${escape(urls.serviceIndex)}</a></p>`);
  });

  readRoute<{ Params: { id: string } }>(server, '/packages/:id', async (request, reply) => {
    const latest = (await deps.reader.listedVersions(feed.idOf(request), request.params.id, { includePrerelease: true, includeSemVer2: true })).at(-1);
    if (!latest) return sendNotFound(reply, `Package '${request.params.id}'`);
    return reply.redirect(feed.urlsOf(request).packageDetails(latest.registrationId, latest.versionNormalized));
  });

  readRoute<{ Params: { id: string; version: string } }>(server, '/packages/:id/:version', async (request, reply) => {
    const version = await deps.reader.version(feed.idOf(request), request.params.id, request.params.version);
    if (!version) return sendNotFound(reply, `Package '${request.params.id}' version '${request.params.version}'`);
    const all = await deps.reader.versions(version.feedId, request.params.id);
    const readme = await deps.reader.readmeText(version);
    return sendPage(reply, `${version.registrationId} ${version.versionFull}`, detailsBody(feed.urlsOf(request), version, all, readme));
  });

  readRoute<{ Params: { id: string; version: string } }>(server, '/packages/:id/:version/report', async (request, reply) => {
    const version = await deps.reader.version(feed.idOf(request), request.params.id, request.params.version);
    if (!version) return sendNotFound(reply, `Package '${request.params.id}' version '${request.params.version}'`);
    return sendPage(reply, `Report ${version.registrationId}`, `
      <h1>Report ${escape(version.registrationId)} ${escape(version.versionFull)}</h1>
      <p>This package is hosted on a private Pallet server. To report a problem with it, contact the
      administrators of this server and name the package id and version above.</p>
      <p><a href="${escape(feed.urlsOf(request).packageDetails(version.registrationId, version.versionNormalized))}">Back to the package</a></p>`);
  });
}

function detailsBody(urls: FeedUrls, version: StoredVersion, all: readonly StoredVersion[], readme: string | undefined): string {
  const { details } = version;
  const rows = all
    .slice()
    .reverse()
    .map(
      (other) => `<li><a href="${escape(urls.packageDetails(other.registrationId, other.versionNormalized))}">${escape(other.versionFull)}</a>` +
        `${other.listed ? '' : ' (unlisted)'} · ${other.downloads} downloads</li>`,
    )
    .join('');
  const dependencies = details.dependencyGroups
    .map(
      (group) => `<li>${escape(group.targetFramework ?? 'Any framework')}: ${
        group.dependencies.length === 0 ? 'no dependencies' : group.dependencies.map((d) => `${escape(d.id)} ${escape(d.range)}`).join(', ')
      }</li>`,
    )
    .join('');
  return `
    <h1>${escape(details.title ?? version.registrationId)} <small>${escape(version.versionFull)}</small></h1>
    ${version.listed ? '' : '<p><strong>This version is unlisted.</strong> It still restores for projects that reference it.</p>'}
    <p>${escape(details.description)}</p>
    <pre>dotnet add package ${escape(version.registrationId)} --version ${escape(version.versionNormalized)}</pre>
    <p>Authors: ${escape(details.authors)}</p>
    ${details.tags.length > 0 ? `<p>Tags: ${details.tags.map(escape).join(', ')}</p>` : ''}
    ${details.projectUrl ? `<p>Project: <a href="${escape(details.projectUrl)}" rel="nofollow noopener">${escape(details.projectUrl)}</a></p>` : ''}
    ${details.licenseExpression ? `<p>License: ${escape(details.licenseExpression)}</p>` : ''}
    <p><a href="${escape(urls.packageContent(version.idLower, version.versionLower))}">Download .nupkg</a></p>
    <h2>Dependencies</h2><ul>${dependencies || '<li>None</li>'}</ul>
    <h2>Versions</h2><ul>${rows}</ul>
    ${readme === undefined ? '' : `<h2>Readme</h2><pre class="readme">${escape(readme)}</pre>`}`;
}

function sendPage(reply: FastifyReply, title: string, body: string): FastifyReply {
  return reply
    .type('text/html; charset=utf-8')
    .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'")
    .send(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}pre{background:#f4f4f4;padding:.75rem;overflow:auto}</style>
</head><body>${body}</body></html>`);
}

function escape(value: string): string {
  return value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
