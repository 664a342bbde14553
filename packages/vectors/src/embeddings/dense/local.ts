import { VectorsValidationError } from '../../errors.js';
import { fnv1a, mix } from '../hash.js';
import type { EmbeddingProvider } from '../provider.js';
import { ENGLISH_STOP_WORDS } from '../sparse/stop-words.js';
import { type ConceptLexicon, wordNetLexicon } from './wordnet.js';

/** Options of the built-in local embedder. */
export interface LocalEmbedderOptions {
  /** Size of the vectors (any size from 1 to 65,536). */
  dims: number;
  /** Lengths of the character n-grams taken from each word (with boundary marks). Default [3, 4]. */
  charNgrams?: readonly number[];
  /** Weight of a word, of a pair of adjacent words, of one character n-gram and of a word's concepts. Default 1, 0.5, 0.25, 1. */
  weights?: { word?: number; bigram?: number; char?: number; concept?: number };
  /**
   * Concepts hashed beside each word and adjacent pair (synsets and hypernyms), so synonyms share
   * features; `false` leaves them out (the v2 behaviour).
   * @default WordNet 3.1 (`wordNetLexicon()`), when its files can be read
   */
  concepts?: ConceptLexicon | false;
  /**
   * Words left out (lower-case); `false` keeps every word (the v1 behaviour, where "what is"
   * outweighed the topic of a short question).
   * @default the English stop words of the BM25 encoder
   */
  stopWords?: ReadonlySet<string> | false;
}

const TOKEN = /[\p{L}\p{N}]+/gu;

/**
 * The default embedder: deterministic feature hashing of the content words (English stop words
 * left out), adjacent word pairs, character n-grams and (with `concepts`, by default) the WordNet
 * concepts of nouns into `dims` signed buckets, L2-normalized. It is **lexical, not semantic** —
 * beyond what WordNet links ("puppy" under "dog", "dirt" with "soil"), different words share
 * nothing — but it needs no model and no network, gives the same vector for the same text on
 * every machine, and texts that share words or word pieces ("recursion", "recursive") score high.
 * Use it for tests, laptops and CI; use a real model (`createOpenAIEmbeddings`, `EMBEDDINGS_URL`)
 * for semantic recall.
 * @example
 * const embedder = createLocalEmbedder({ dims: 384 });
 * const [v] = await embedder.embed(['the dragon guards the northern pass']);
 */
export function createLocalEmbedder(options: LocalEmbedderOptions): EmbeddingProvider {
  const { dims } = options;
  if (!Number.isInteger(dims) || dims < 1 || dims > 65_536)
    throw new VectorsValidationError('dims', 'must be an integer from 1 to 65536');
  const grams = options.charNgrams ?? [3, 4];
  for (const n of grams)
    if (!Number.isInteger(n) || n < 1)
      throw new VectorsValidationError('charNgrams', 'must be positive integers');
  const wWord = options.weights?.word ?? 1;
  const wBigram = options.weights?.bigram ?? 0.5;
  const wChar = options.weights?.char ?? 0.25;
  const wConcept = options.weights?.concept ?? 1;
  const stopWords = options.stopWords ?? ENGLISH_STOP_WORDS;
  const lexicon = options.concepts === false ? null : (options.concepts ?? wordNetLexicon());

  const embedOne = (text: string): Float32Array => {
    const acc = new Float64Array(dims);
    const add = (feature: string, seed: number, weight: number) => {
      const h = fnv1a(feature, seed);
      const sign = mix(h) & 1 ? -1 : 1;
      acc[h % dims]! += sign * weight;
    };
    const normalized = text.normalize('NFKC').toLowerCase();
    const words = normalized.match(TOKEN) ?? [];
    // Function words ("what is", "can you") would outweigh the topic of a short question: they
    // are left out, unless the text has nothing else.
    const content = stopWords === false ? words : words.filter((w) => !stopWords.has(w));
    let tokens = content.length > 0 ? content : words;
    // Text without letters or digits ("?!") still gets a vector of its own characters.
    if (tokens.length === 0) tokens = [normalized.trim() || normalized];
    for (let i = 0; i < tokens.length; i++) {
      const word = tokens[i]!;
      add(word, 1, wWord);
      if (i > 0) add(`${tokens[i - 1]} ${word}`, 2, wBigram);
      const marked = `<${word}>`;
      for (const n of grams)
        for (let j = 0; j + n <= marked.length; j++) add(marked.slice(j, j + n), 3 + n, wChar);
      if (lexicon) {
        for (const [concept, weight] of lexicon.concepts(word)) add(concept, 20, wConcept * weight);
        // A collocation ("shooting star") is a concept of its own.
        if (i > 0)
          for (const [concept, weight] of lexicon.concepts(`${tokens[i - 1]}_${word}`))
            add(concept, 20, wConcept * weight);
      }
    }
    let norm = 0;
    for (let i = 0; i < dims; i++) norm += acc[i]! * acc[i]!;
    const out = new Float32Array(dims);
    if (norm === 0) {
      // Every feature cancelled out (possible at tiny sizes): one deterministic bucket instead of a zero vector.
      out[fnv1a(normalized, 99) % dims] = 1;
      return out;
    }
    const inv = 1 / Math.sqrt(norm);
    for (let i = 0; i < dims; i++) out[i] = acc[i]! * inv;
    return out;
  };

  return {
    id: `${stopWords === false ? 'local-hash-v1' : lexicon ? `local-hash-v3+${lexicon.id}` : 'local-hash-v2'}/${dims}`,
    dims,
    embed: async (texts) => texts.map(embedOne),
  };
}
