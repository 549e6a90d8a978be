/**
 * Builds the FTS5 MATCH expression that answers a search from the trigram index (`search_text`, migration
 * 3). With the trigram tokenizer a phrase of three characters or more matches exactly where the text
 * contains it (case-insensitively, and the text and terms are lowercased already), which is what instr()
 * on the columns answered before. The feed's filter variant and the package type are phrases on their own
 * columns (the variant is tested on the document row by page queries, see TextMatch). Terms the index cannot answer (shorter than three characters, `packageid:`, `version:`) are
 * left over for SQL conditions.
 * https://www.sqlite.org/fts5.html#the_experimental_trigram_tokenizer
 */
import type { SearchFilters, SearchTerm } from '../../app/ports.ts';
import { variantPhraseText } from './sqlite-search-documents.ts';
import type { SqlParams } from './sql-params.ts';

/** The `search_text` columns a term searches: a scoped term its field's, an unscoped one all six. */
const FIELD_COLUMNS: Partial<Record<Exclude<SearchTerm['field'], undefined>, string>> = {
  id: 'id_lower',
  title: 'title_lower',
  description: 'description_lower',
  summary: 'summary_lower',
  authors: 'authors_lower',
  tags: 'tags_lower',
};
const ALL_TEXT = 'id_lower title_lower description_lower summary_lower authors_lower tags_lower';

export interface TextMatch {
  /**
   * The MATCH expression of the text terms (and the package type), or undefined when no term can be
   * answered by the index. The variant is not in it: its phrase matches nearly every document, and
   * intersecting that list cost a page query more (4 to 6 ms at 100,000 ids) than testing the variant's bit
   * on the document row the page reads anyway. Counts add it (countingMatch) and never leave the index.
   */
  readonly expression: string | undefined;
  /** The terms the expression does not answer, to be checked in SQL. */
  readonly residual: readonly SearchTerm[];
}

function phrase(text: string): string {
  return `"${text.replaceAll('"', '""')}"`;
}

/** The expression matching documents whose `columns` (space-separated) contain `text`. */
export function columnPhrase(columns: string, text: string): string {
  return `{${columns}} : ${phrase(text)}`;
}

/** The variant these filters select (bit 1: prereleases admitted, bit 2: SemVer 2.0.0), 0 to 3. */
export function variantOf(filters: Pick<SearchFilters, 'includePrerelease' | 'includeSemVer2'>): number {
  return (filters.includePrerelease ? 1 : 0) | (filters.includeSemVer2 ? 2 : 0);
}

/** The documents `e` of the filters' feed and variant, tested on the document row. */
export function feedVariantCondition(filters: SearchFilters, params: SqlParams): string {
  return `e.feed_id = ${params.add(filters.feedId)} AND (e.variants & ${params.add(1 << variantOf(filters))}) != 0`;
}

function packageTypePhrases(filters: SearchFilters): string[] {
  return filters.packageType === undefined ? [] : [columnPhrase('package_types', `|${filters.packageType}|`)];
}

/** The expression that counts the documents of these filters (their feed and variant) matching `match` (or all of them) in the index alone. */
export function countingMatch(match: string | undefined, filters: SearchFilters): string {
  const variant = columnPhrase('variants', variantPhraseText(filters.feedId, variantOf(filters)));
  return match === undefined ? [variant, ...packageTypePhrases(filters)].join(' AND ') : `${match} AND ${variant}`;
}

export function searchTextMatch(terms: readonly SearchTerm[], filters: SearchFilters): TextMatch {
  const phrases: string[] = [];
  const residual: SearchTerm[] = [];
  for (const term of terms) {
    const columns = term.field === undefined ? ALL_TEXT : FIELD_COLUMNS[term.field];
    if (columns === undefined || [...term.value].length < 3) residual.push(term);
    else phrases.push(columnPhrase(columns, term.value));
  }
  return { expression: phrases.length === 0 ? undefined : [...phrases, ...packageTypePhrases(filters)].join(' AND '), residual };
}
