// The built-in lexical embedder and the embedding cache: pure code. The OpenAI-compatible provider
// (against a small HTTP server) is in ../embeddings.test.ts.
import { describe, expect, it } from 'vitest';
import { wordNetLexicon } from '../../src/embeddings/dense/wordnet.js';
import { createLocalEmbedder, type EmbeddingProvider, withEmbeddingCache } from '../../src/index.js';

const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i]!, 0);
const norm = (a: Float32Array) => Math.sqrt(dot(a, a));

describe('local embedder', () => {
  it('is deterministic, of any size, and L2-normalized', async () => {
    for (const dims of [1, 7, 384, 1024]) {
      const embedder = createLocalEmbedder({ dims });
      const [a] = await embedder.embed(['The dragon guards the northern pass']);
      const [b] = await createLocalEmbedder({ dims }).embed(['The dragon guards the northern pass']);
      expect(a).toHaveLength(dims);
      expect(Array.from(a!)).toEqual(Array.from(b!));
      expect(norm(a!)).toBeCloseTo(1, 6);
    }
  });

  it('is lexical: texts sharing words score higher than texts sharing none', async () => {
    const embedder = createLocalEmbedder({ dims: 384 });
    const [q, near, far] = await embedder.embed([
      'where does the dragon sleep',
      'the dragon sleeps in the cave',
      'quarterly tax forms are due',
    ]);
    expect(dot(q!, near!)).toBeGreaterThan(dot(q!, far!));
    const [same] = await embedder.embed(['WHERE does the Dragon sleep?']);
    expect(dot(q!, same!)).toBeCloseTo(1, 6);
  });

  it('lets the topic, not the question words, decide (stop words left out; v1 kept them)', async () => {
    const texts = [
      'What is recursion?',
      'Can you explain recursion with an example?',
      'What is the best way to cook pasta?',
    ];
    const [q, topic, cooking] = await createLocalEmbedder({ dims: 384 }).embed(texts);
    expect(dot(q!, topic!)).toBeGreaterThan(dot(q!, cooking!));
    // The v1 behaviour, kept behind `stopWords: false`, ranked the cooking question first.
    const [q1, topic1, cooking1] = await createLocalEmbedder({ dims: 384, stopWords: false }).embed(texts);
    expect(dot(q1!, cooking1!)).toBeGreaterThan(dot(q1!, topic1!));
    // A text of stop words only still gets a vector from them.
    const [only] = await createLocalEmbedder({ dims: 8 }).embed(['what is it']);
    expect(norm(only!)).toBeCloseTo(1, 6);
  });

  it('makes nouns WordNet relates (one synset, hyponym and hypernym) close, which words alone cannot', async () => {
    const lexicon = wordNetLexicon();
    expect(lexicon).not.toBeNull();
    // One synset (car, automobile), a hyponym and its hypernym (puppy → dog), a plural (morphy).
    const pairs = [
      ['the automobile would not start', 'my car would not start'],
      ['a puppy in the yard', 'a dog in the yard'],
    ];
    const withConcepts = createLocalEmbedder({ dims: 1024 });
    const wordsOnly = createLocalEmbedder({ dims: 1024, concepts: false });
    expect(withConcepts.id).toBe('local-hash-v3+wordnet-3.1-nouns/2/2/1024');
    expect(wordsOnly.id).toBe('local-hash-v2/1024');
    for (const [a, b] of pairs) {
      const [x, y] = await withConcepts.embed([a!, b!]);
      const [x2, y2] = await wordsOnly.embed([a!, b!]);
      expect(dot(x!, y!), `${a} ~ ${b}`).toBeGreaterThan(dot(x2!, y2!) + 0.1);
    }
    const concepts = (term: string) => new Map(lexicon!.concepts(term));
    const car = concepts('car');
    expect(concepts('cars')).toEqual(car);
    // The first sense of "car" and of "automobile" is one synset, weighing 1 in each.
    expect([...concepts('automobile')].some(([c, w]) => w === 1 && car.get(c) === 1)).toBe(true);
    // A dog is a puppy's hypernym: the puppy's concepts hold the dog's first sense at half weight.
    const dog = [...concepts('dog')].find(([, w]) => w === 1)![0];
    expect(concepts('puppy').get(dog)).toBe(0.5);
    expect(lexicon!.concepts('zxqv')).toEqual([]);
    expect(lexicon!.concepts('ドラゴン')).toEqual([]);
  });

  it('gives text without letters or digits a vector of its own', async () => {
    const [v] = await createLocalEmbedder({ dims: 16 }).embed(['?!']);
    expect(norm(v!)).toBeCloseTo(1, 6);
  });
});

/** A provider that records every batch it is asked for. */
function recording(dims: number): EmbeddingProvider & { batches: string[][] } {
  const batches: string[][] = [];
  const inner = createLocalEmbedder({ dims });
  return {
    id: 'recording',
    dims,
    batches,
    embed: async (texts) => {
      batches.push([...texts]);
      return inner.embed(texts);
    },
  };
}

describe('embedding cache', () => {
  it('embeds repeated texts once and evicts the least recently used', async () => {
    const provider = recording(8);
    const cached = withEmbeddingCache(provider, { maxEntries: 2 });
    await cached.embed(['a', 'b', 'a']);
    await cached.embed(['a']); // a is now the most recently used
    await cached.embed(['c']); // evicts b
    await cached.embed(['a', 'b']);
    expect(provider.batches).toEqual([['a', 'b'], ['c'], ['b']]);
    expect(cached.cacheStats()).toEqual({ hits: 3, misses: 4, size: 2, maxEntries: 2 });
  });

  it('shares an embedding in flight between concurrent calls and does not cache failures', async () => {
    let calls = 0;
    let fail = true;
    const provider: EmbeddingProvider = {
      id: 'flaky',
      dims: 2,
      embed: async (texts) => {
        calls++;
        await Promise.resolve();
        if (fail) throw new Error('boom');
        return texts.map(() => Float32Array.of(1, 0));
      },
    };
    const cached = withEmbeddingCache(provider);
    const results = await Promise.allSettled([cached.embed(['x']), cached.embed(['x'])]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(calls).toBe(1);
    fail = false;
    const [v] = await cached.embed(['x']);
    expect(Array.from(v!)).toEqual([1, 0]);
    expect(calls).toBe(2);
  });
});
