/** Whether an If-None-Match header names this strong ETag (or `*`), per RFC 9110 §13.1.2. */
export function ifNoneMatchHits(header: string | undefined, etag: string): boolean {
  return header !== undefined && header.split(',').some((tag) => tag.trim() === etag || tag.trim() === '*');
}
