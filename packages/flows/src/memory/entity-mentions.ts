// Finds the graph's entity names inside a query, with no model: the query is normalized as entity
// names are (`normalizeEntityName`: case, accents, punctuation and spacing ignored) and cut into
// words; from left to right, the longest name that starts at a word and ends at a word is taken,
// and the scan resumes after it (leftmost-longest, no overlaps, never inside a word). Names made
// only of stop words ("the", "who") are not indexed: they say nothing about the query. A mention
// is `named` when the query writes one of its words capitalized or as a number, the first word of
// the query aside (capitalized by the sentence): the usual sign of a proper noun or a date; null
// when the query capitalizes no word but the first (typed all lower case: its case says nothing).
import { normalizeEntityName } from '@monsteros/relational';

/** A name found in the query, with the values (graph nodes) indexed under it. */
interface EntityMention<T> {
  /** The normalized name as it appears in the query. */
  name: string;
  /** Word offset of the match in the normalized query. */
  word: number;
  values: T[];
  /**
   * Whether the query writes a word of it capitalized or as a number (its first word aside): a
   * proper noun or a date ("Brand" in "the author of Brand"), not a common noun ("country").
   * Null when the query capitalizes no word but its first: its case then tells nothing.
   */
  named: boolean | null;
}

/** A dictionary of normalized entity names, built once per graph version. */
export interface EntityDictionary<T> {
  /** Distinct names indexed. */
  readonly size: number;
  find(query: string): EntityMention<T>[];
  /**
   * This dictionary with more (name, value) pairs, for the next version of a graph: the index is
   * shared (appended to; this dictionary keeps seeing only its own pairs), so it costs the new
   * names only. Extending an older dictionary again copies the index first.
   */
  extend(entries: Iterable<readonly [string, T]>): EntityDictionary<T>;
}

/**
 * The index shared by a dictionary and its extensions: per name its values with their sequence
 * numbers (the order pairs were added); a dictionary sees the pairs numbered below its bound.
 */
interface NameIndex<T> {
  byName: Map<string, { values: T[]; seq: number[] }>;
  /** Longest name in words over every pair added (an over-estimate for older dictionaries). */
  longest: number;
  /** Pairs added. */
  added: number;
  /** Distinct names after each dictionary's pairs: by bound. */
  names: number;
}

/** A word that starts with a capital letter or a digit; one that starts with a capital letter. */
const CAPITALIZED = /^[\p{Lu}\p{Lt}\p{N}]/u;
const UPPER = /^[\p{Lu}\p{Lt}]/u;

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
  const index: NameIndex<T> = { byName: new Map(), longest: 0, added: 0, names: 0 };
  addEntries(index, entries);
  return view(index, index.added, index.names);
}

/** Adds the pairs to the index, numbered from `index.added`. */
function addEntries<T>(index: NameIndex<T>, entries: Iterable<readonly [string, T]>): void {
  for (const [name, value] of entries) {
    const key = normalizeEntityName(name);
    if (key.length === 0) continue;
    const words = key.split(' ');
    if (words.length > MAX_WORDS || words.every((w) => STOP_WORDS.has(w))) continue;
    index.longest = Math.max(index.longest, words.length);
    const entry = index.byName.get(key);
    if (entry) {
      entry.values.push(value);
      entry.seq.push(index.added++);
    } else {
      index.byName.set(key, { values: [value], seq: [index.added++] });
      index.names++;
    }
  }
}

/** The dictionary of the index's pairs numbered below `bound`. */
function view<T>(index: NameIndex<T>, bound: number, size: number): EntityDictionary<T> {
  const { byName } = index;
  /** The values of `name` this dictionary holds, or undefined. */
  const lookup = (name: string): T[] | undefined => {
    const entry = byName.get(name);
    if (!entry) return undefined;
    let m = entry.seq.length;
    while (m > 0 && entry.seq[m - 1]! >= bound) m--;
    if (m === 0) return undefined;
    return m === entry.values.length ? entry.values : entry.values.slice(0, m);
  };
  const longest = index.longest;
  return {
    size,
    extend(entries) {
      let shared = index;
      if (index.added !== bound) {
        // An older dictionary: its own pairs into a fresh index, in their order.
        shared = { byName: new Map(), longest: 0, added: 0, names: 0 };
        const own: Array<readonly [string, T, number]> = [];
        for (const [key, entry] of byName)
          entry.seq.forEach((seq, i) => {
            if (seq < bound) own.push([key, entry.values[i]!, seq]);
          });
        addEntries(
          shared,
          own.sort((a, b) => a[2] - b[2]).map(([key, value]) => [key, value] as const),
        );
      }
      addEntries(shared, entries);
      return view(shared, shared.added, shared.names);
    },
    find(query) {
      // Word by word: the names' normalization, without its 200-character cut of the whole text;
      // beside each word whether the query writes it capitalized or as a number.
      const words: string[] = [];
      const cased: boolean[] = [];
      const upper: boolean[] = [];
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
          upper.push(aligned && UPPER.test(surface[j]!));
          words.push(word);
        });
      }
      // A query that capitalizes no word but its first was typed without case.
      const usesCase = words.some((_, i) => i > 0 && upper[i]);
      const found: EntityMention<T>[] = [];
      for (let i = 0; i < words.length; ) {
        let matched = 0;
        for (let length = Math.min(longest, words.length - i); length > 0; length--) {
          const name = length === 1 ? words[i]! : words.slice(i, i + length).join(' ');
          const values = lookup(name);
          if (values) {
            const named = usesCase ? cased.slice(i, i + length).some(Boolean) : null;
            found.push({ name, word: i, values, named });
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
