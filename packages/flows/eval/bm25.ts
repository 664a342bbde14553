// The reference ranking of the eval: Okapi BM25 (k1 1.2, b 0.75) over lower-cased word tokens of
// the whole passage (title + text), exactly as the dataset README's reference figures are computed.
// Kept here, independent of the memory, so the baseline never moves with the code it measures.

const tokenize = (text: string) => text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];

/** A BM25 index over fixed documents; `rank` returns document indices, best first. */
export function createBm25Index(documents: string[], k1 = 1.2, b = 0.75) {
  const frequencies = documents.map((d) => {
    const tf = new Map<string, number>();
    for (const token of tokenize(d)) tf.set(token, (tf.get(token) ?? 0) + 1);
    return tf;
  });
  const lengths = documents.map((d) => tokenize(d).length);
  const average = lengths.reduce((a, b) => a + b, 0) / Math.max(1, documents.length);
  const df = new Map<string, number>();
  for (const tf of frequencies) for (const token of tf.keys()) df.set(token, (df.get(token) ?? 0) + 1);
  const n = documents.length;
  const idf = (token: string) => {
    const d = df.get(token) ?? 0;
    return Math.log(1 + (n - d + 0.5) / (d + 0.5));
  };
  return {
    rank(query: string, topK: number): number[] {
      const terms = [...new Set(tokenize(query))];
      const scores = frequencies.map((tf, i) => {
        let score = 0;
        for (const term of terms) {
          const f = tf.get(term);
          if (!f) continue;
          score += (idf(term) * f * (k1 + 1)) / (f + k1 * (1 - b + (b * lengths[i]!) / average));
        }
        return score;
      });
      return scores
        .map((score, i) => ({ score, i }))
        .filter((s) => s.score > 0)
        .sort((a, c) => c.score - a.score || a.i - c.i)
        .slice(0, topK)
        .map((s) => s.i);
    },
  };
}
