/**
 * One search or autocomplete query, answered as the finished JSON body: the worker thread runs the query
 * and builds the document, so the thread that serves restores only writes the string out.
 */
import type { SearchFilters, SearchIndex, SearchRequest } from '../app/ports.ts';
import { FeedUrls } from '../protocol/nuget/feed-urls.ts';
import { buildAutocompleteResponse, buildSearchResponse } from '../protocol/nuget/search-response.ts';

export type AutocompleteRequest = SearchFilters & { readonly prefix: string; readonly skip: number; readonly take: number };

export type SearchTask =
  | { readonly kind: 'search'; readonly base: string; readonly request: SearchRequest }
  | { readonly kind: 'autocomplete'; readonly request: AutocompleteRequest };

export async function answerSearchTask(index: SearchIndex, task: SearchTask): Promise<string> {
  if (task.kind === 'search') {
    const result = await index.search(task.request);
    return JSON.stringify(buildSearchResponse(new FeedUrls(task.base), result, task.request.includeSemVer2));
  }
  const result = await index.autocompleteIds(task.request);
  return JSON.stringify(buildAutocompleteResponse(result.totalHits, result.ids));
}
