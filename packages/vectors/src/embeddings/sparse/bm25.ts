import { VectorsValidationError } from '../../errors.js';
import { fnv1a, mix } from '../hash.js';
import { lightStem } from './stem.js';
import { ENGLISH_STOP_WORDS } from './stop-words.js';

/** A sparse vector as Qdrant takes it: strictly increasing `indices` (u32) and one value per index. */
export interface SparseVector {
  indices: number[];
  values: number[];
}

/** Options of the BM25 sparse encoder. */
export interface Bm25EncoderOptions {
  /**
   * Term-frequency saturation: how much a second, third… occurrence of a word still adds.
   * @default 1.2
   */
  k1?: number;
  /**
   * Length normalization, from 0 (none) to 1 (full): long texts' words weigh less.
   * @default 0.75
   */
  b?: number;
  /**
   * Average document length in terms (after stop words), the reference of `b`. MonsterOS memories
   * are one or two sentences (`pnpm --filter @monsteros/vectors eval` measures about 8 terms).
   * @default 8
   */
  avgDocLength?: number;
  /**
   * Words never indexed; lower-case, compared before stemming.
   * @default the built-in English list
   */
  stopWords?: ReadonlySet<string>;
  /**
   * Whether words are reduced to their stem (plurals, -ing, -ed, -ly).
   * @default true
   */
  stem?: boolean;
}

/** Encodes texts into BM25 sparse vectors for a collection whose sparse vector has `modifier: "idf"`. */
export interface Bm25Encoder {
  /** The terms of a text, in order, as they are hashed (lower-cased, stop words out, stemmed). */
  tokenize(text: string): string[];
  /**
   * A stored text: each term weighted by BM25's saturated, length-normalized term frequency.
   * `avgDocLength` (default the encoder's) is the average length of the texts it is ranked
   * against: a collection's or one kind of point's (passages, facts, names).
   */
  encodeDocument(text: string, avgDocLength?: number): SparseVector;
  /** A query: each distinct term with weight 1 (the collection's IDF weighs them at search time). */
  encodeQuery(text: string): SparseVector;
}

const WORD = /[\p{L}\p{N}]+/gu;

/** A term's stable id: 32-bit FNV-1a over its UTF-16 code units, then the murmur3 finalizer. */
export function termId(term: string): number {
  return mix(fnv1a(term, 0));
}

function positive(field: string, value: number | undefined, fallback: number, max = Infinity): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0 || value > max)
    throw new VectorsValidationError(field, `must be a finite number from 0 to ${max}`);
  return value;
}

/** Sums the weights of terms whose ids collide, then sorts by id. */
function toSparse(weights: Map<number, number>): SparseVector {
  const indices = [...weights.keys()].sort((x, y) => x - y);
  return { indices, values: indices.map((i) => weights.get(i)!) };
}

/**
 * The BM25 sparse encoder: exact words, weighted the way BM25 weighs them, for the sparse vector
 * beside each dense one. Term ids are 32-bit hashes of the stemmed words, so they are the same in
 * every process and after restarts, and no vocabulary is stored. IDF is not in the vectors: the
 * collection's sparse vector is declared with `modifier: "idf"` and Qdrant (or the local mode)
 * computes it from the collection at search time, so documents never need re-encoding as the
 * collection grows.
 * @example
 * const bm25 = createBm25Encoder();
 * bm25.tokenize('What is recursion?'); // ['recursion']
 * bm25.encodeQuery('What is recursion?'); // { indices: [termId('recursion')], values: [1] }
 */
export function createBm25Encoder(options: Bm25EncoderOptions = {}): Bm25Encoder {
  const k1 = positive('k1', options.k1, 1.2, 100);
  const b = positive('b', options.b, 0.75, 1);
  const avgDocLength = positive('avgDocLength', options.avgDocLength, 8);
  if (avgDocLength === 0) throw new VectorsValidationError('avgDocLength', 'must be greater than 0');
  const stopWords = options.stopWords ?? ENGLISH_STOP_WORDS;
  const stem = options.stem ?? true;

  const tokenize = (text: string): string[] => {
    const words = text.normalize('NFKC').toLowerCase().match(WORD) ?? [];
    const terms: string[] = [];
    for (const word of words) {
      if (stopWords.has(word)) continue;
      terms.push(stem ? lightStem(word) : word);
    }
    return terms;
  };

  const encodeDocument = (text: string, avgLength = avgDocLength): SparseVector => {
    if (avgLength !== avgDocLength && !(Number.isFinite(avgLength) && avgLength > 0))
      throw new VectorsValidationError('avgDocLength', 'must be a finite number greater than 0');
    const terms = tokenize(text);
    const tf = new Map<number, number>();
    for (const term of terms) {
      const id = termId(term);
      tf.set(id, (tf.get(id) ?? 0) + 1);
    }
    const norm = k1 * (1 - b + (b * terms.length) / avgLength);
    const weights = new Map<number, number>();
    for (const [id, f] of tf) weights.set(id, (f * (k1 + 1)) / (f + norm));
    return toSparse(weights);
  };

  const encodeQuery = (text: string): SparseVector => {
    const weights = new Map<number, number>();
    for (const term of tokenize(text)) weights.set(termId(term), 1);
    return toSparse(weights);
  };

  return { tokenize, encodeDocument, encodeQuery };
}
