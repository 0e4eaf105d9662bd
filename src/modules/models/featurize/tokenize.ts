/**
 * The featurizer's tokenizer, Unicode-aware and locale-independent:
 *
 * 1. the text is NFKC-normalised (full-width forms, ligatures and compatibility
 *    characters fold to their plain forms: `ﬁ` → `fi`, `Ａ１` → `A1`);
 * 2. it is lower-cased with `String.prototype.toLowerCase` (Unicode default case
 *    mapping, no locale) unless `lowercase` is false;
 * 3. tokens are, left to right:
 *    - a **word**: a maximal run of letters, combining marks and digits
 *      (`\p{L}\p{M}\p{N}`), where an apostrophe (`'` or `’`) between two such
 *      characters stays inside the word (`don't`, `l’homme`);
 *    - each **ideograph or kana** (Han, Hiragana, Katakana) on its own, since
 *      those scripts do not separate words with spaces (word bigrams then act as
 *      character bigrams there, as in Lucene's CJK handling);
 *    - each **symbol** (`\p{S}`: currency signs, math and other symbols, emoji)
 *      on its own: `$`, `€`, `+`, `😀`.
 *    Everything else (spaces, punctuation, control characters) separates tokens.
 */
const IDEO = '\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}';
const WORD_CHAR = `(?:(?![${IDEO}])[\\p{L}\\p{M}\\p{N}])`;
const TOKEN_SOURCE = `[${IDEO}]|\\p{S}|${WORD_CHAR}+(?:['’]${WORD_CHAR}+)*`;

/** The token pattern (global, Unicode); exported so its source can be documented and tested. */
export const TOKEN_PATTERN = new RegExp(TOKEN_SOURCE, 'gu');

export interface TokenizeOptions {
  /** Lower-case before splitting (default true). */
  lowercase?: boolean;
}

export function normalizeText(text: string, lowercase = true): string {
  const n = text.normalize('NFKC');
  return lowercase ? n.toLowerCase() : n;
}

export function tokenize(text: string, opts: TokenizeOptions = {}): string[] {
  const s = normalizeText(text, opts.lowercase ?? true);
  const re = new RegExp(TOKEN_PATTERN.source, 'gu');
  return s.match(re) ?? [];
}
