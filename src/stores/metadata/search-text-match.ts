/**
 * Builds the FTS5 MATCH expression that narrows a search to candidate versions through the trigram index
 * (`search_text` over `search_documents`, migration 3). The index only narrows: every term is still checked with instr() on the
 * version's own columns, so the expression may match more than the terms (detail=column has no
 * positions, so a term is looked up as its trigrams), never less.
 * https://www.sqlite.org/fts5.html#the_experimental_trigram_tokenizer
 */
import type { SearchTerm } from '../../app/ports.ts';

/** The `search_text` column a scoped term searches; unscoped terms search them all. */
const FIELD_COLUMN: Partial<Record<Exclude<SearchTerm['field'], undefined>, string>> = {
  id: 'id_lower',
  title: 'title_lower',
  description: 'description_lower',
  summary: 'summary_lower',
  authors: 'authors_lower',
  tags: 'tags_lower',
};

/** Enough to make a term selective; more only adds posting lists to intersect. */
const MAX_TRIGRAMS_PER_TERM = 8;

/** The trigrams to look a value up by: all of them for a short value, else some spread over its length. */
export function lookupTrigrams(value: string): string[] {
  const characters = [...value];
  const all = [...new Set(characters.slice(0, -2).map((_, index) => characters.slice(index, index + 3).join('')))];
  if (all.length <= MAX_TRIGRAMS_PER_TERM) return all;
  const step = (all.length - 1) / (MAX_TRIGRAMS_PER_TERM - 1);
  return [...new Set(Array.from({ length: MAX_TRIGRAMS_PER_TERM }, (_, index) => all[Math.round(index * step)] as string))];
}

function quoted(token: string): string {
  return `"${token.replaceAll('"', '""')}"`;
}

/**
 * The MATCH expression for the terms the index can serve (three characters or more, in a text field),
 * or undefined when none can: the caller then scans.
 */
export function searchTextMatch(terms: readonly SearchTerm[]): string | undefined {
  const parts: string[] = [];
  for (const term of terms) {
    const column = term.field === undefined ? undefined : FIELD_COLUMN[term.field];
    if (term.field !== undefined && column === undefined) continue; // packageid, version, owners: not text
    const trigrams = lookupTrigrams(term.value);
    if (trigrams.length === 0) continue;
    const lookup = `(${trigrams.map(quoted).join(' AND ')})`;
    parts.push(column === undefined ? `{id_lower title_lower description_lower summary_lower authors_lower tags_lower} : ${lookup}` : `{${column}} : ${lookup}`);
  }
  return parts.length === 0 ? undefined : parts.join(' AND ');
}
