// Finds the graph's entity names inside a query, with no model: the query is normalized as entity
// names are (`normalizeEntityName`: case, accents, punctuation and spacing ignored) and cut into
// words; from left to right, the longest name that starts at a word and ends at a word is taken,
// and the scan resumes after it (leftmost-longest, no overlaps, never inside a word). Names made
// only of stop words ("the", "who") are not indexed: they say nothing about the query. A mention
// is `named` when the query writes one of its words capitalized or as a number, the first word of
// the query aside (capitalized by the sentence): the usual sign of a proper noun or a date.
import { normalizeEntityName } from '@monsteros/relational';

/** A name found in the query, with the values (graph nodes) indexed under it. */
export interface EntityMention<T> {
  /** The normalized name as it appears in the query. */
  name: string;
  /** Word offset of the match in the normalized query. */
  word: number;
  values: T[];
  /**
   * Whether the query writes a word of it capitalized or as a number (its first word aside): a
   * proper noun or a date ("Brand" in "the author of Brand"), not a common noun ("country").
   */
  named: boolean;
}

/** A dictionary of normalized entity names, built once per graph version. */
export interface EntityDictionary<T> {
  /** Distinct names indexed. */
  readonly size: number;
  find(query: string): EntityMention<T>[];
}

/** A word that starts with a capital letter or a digit. */
const CAPITALIZED = /^[\p{Lu}\p{Lt}\p{N}]/u;

/** Longest name indexed, in words: a longer one can never be a mention worth the scan. */
const MAX_WORDS = 16;

// Function words of English questions; a name made only of these is never a mention.
const STOP_WORDS = new Set(
  (
    'a an and are as at be been but by can did do does for from had has have he her his how i if in into is it ' +
    'its me my no not of on or our she so than that the their them then there these they this those to was we ' +
    'were what when where which while who whom whose why will with you your'
  ).split(' '),
);

/**
 * Builds the dictionary from (name, value) pairs; several values may share a normalized name.
 * @example
 * const dictionary = createEntityDictionary([['Alice', 0], ['Crystal Engine', 1]]);
 * dictionary.find('Who built the Crystal Engine?'); // [{ name: 'crystal engine', word: 3, values: [1], named: true }]
 */
export function createEntityDictionary<T>(entries: Iterable<readonly [string, T]>): EntityDictionary<T> {
  const byName = new Map<string, T[]>();
  let longest = 0;
  for (const [name, value] of entries) {
    const key = normalizeEntityName(name);
    if (key.length === 0) continue;
    const words = key.split(' ');
    if (words.length > MAX_WORDS || words.every((w) => STOP_WORDS.has(w))) continue;
    longest = Math.max(longest, words.length);
    const values = byName.get(key);
    if (values) values.push(value);
    else byName.set(key, [value]);
  }
  return {
    size: byName.size,
    find(query) {
      // Word by word: the names' normalization, without its 200-character cut of the whole text;
      // beside each word whether the query writes it capitalized or as a number.
      const words: string[] = [];
      const cased: boolean[] = [];
      for (const token of query.split(/\s+/)) {
        const parts = normalizeEntityName(token)
          .split(' ')
          .filter((word) => word.length > 0);
        const surface = token
          .normalize('NFKD')
          .replace(/\p{M}/gu, '')
          .replace(/[^\p{L}\p{N}]+/gu, ' ')
          .trim()
          .split(' ')
          .filter((word) => word.length > 0);
        // Case folding that changed the word count (rare letters): read as not capitalized.
        const aligned = surface.length === parts.length;
        parts.forEach((word, j) => {
          cased.push(words.length > 0 && aligned && CAPITALIZED.test(surface[j]!));
          words.push(word);
        });
      }
      const found: EntityMention<T>[] = [];
      for (let i = 0; i < words.length; ) {
        let matched = 0;
        for (let length = Math.min(longest, words.length - i); length > 0; length--) {
          const name = length === 1 ? words[i]! : words.slice(i, i + length).join(' ');
          const values = byName.get(name);
          if (values) {
            found.push({ name, word: i, values, named: cased.slice(i, i + length).some(Boolean) });
            matched = length;
            break;
          }
        }
        i += matched || 1;
      }
      return found;
    },
  };
}
