import { describe, expect, it } from 'vitest';
import { createBm25Encoder, termId, VectorsValidationError } from '../../src/index.js';

const bm25 = createBm25Encoder();
/** The id of a word's term (its stem). */
const idOf = (word: string) => termId(bm25.tokenize(word)[0]!);

describe('BM25 sparse encoder', () => {
  it('tokenizes: lower-case, Unicode words, stop words out, light stemming', () => {
    expect(bm25.tokenize('What is recursion?')).toEqual(['recursion']);
    expect(bm25.tokenize('Can you explain Recursion with an example?')).toEqual(['recursion', 'exampl']);
    expect(bm25.tokenize('Élodie’s café, naïve Straße 42')).toEqual(['élodi', 'café', 'naïv', 'straß', '42']);
    expect(bm25.tokenize('日本語 テキスト')).toEqual(['日本語', 'テキスト']);
    expect(bm25.tokenize('the of and ?!')).toEqual([]);
  });

  it('folds inflections of one word onto one term, and keeps distinct words apart', () => {
    const stems = (words: string) => words.split(' ').map((w) => bm25.tokenize(w)[0]);
    for (const group of [
      'make makes making',
      'run runs running',
      'story stories',
      'call calls called calling',
    ]) {
      expect(new Set(stems(group)).size, group).toBe(1);
    }
    expect(new Set(stems('recursion recursive recur')).size).toBe(3);
    expect(stems('class focus basis')).toEqual(['class', 'focus', 'basis']);
  });

  it('gives stable 32-bit term ids (the same in every process)', () => {
    // FNV-1a then the murmur3 finalizer, values pinned so a change of hash is a visible break.
    expect(termId('recursion')).toBe(termId('recursion'));
    for (const t of ['recursion', 'dragon', '', 'é']) {
      const id = termId(t);
      expect(Number.isInteger(id) && id >= 0 && id <= 0xffff_ffff).toBe(true);
    }
    expect([termId('recursion'), termId('dragon'), termId('')]).toEqual([1131783725, 575616048, 2872998923]);
  });

  it('encodes a query as the presence of its distinct terms, indices sorted', () => {
    const q = bm25.encodeQuery('Dragons, dragons and the dragon of the pass');
    const ids = [idOf('dragon'), idOf('pass')].sort((a, b) => a - b);
    expect(q).toEqual({ indices: ids, values: [1, 1] });
    expect(bm25.encodeQuery('what is it?')).toEqual({ indices: [], values: [] });
  });

  it('encodes a document with BM25 term-frequency saturation and length normalization', () => {
    const k1 = 1.2;
    const b = 0.75;
    const avg = 8;
    const enc = createBm25Encoder({ k1, b, avgDocLength: avg });
    const doc = enc.encodeDocument('dragon dragon dragon cave');
    const weight = (tf: number, len: number) => (tf * (k1 + 1)) / (tf + k1 * (1 - b + (b * len) / avg));
    const byId = new Map(doc.indices.map((id, i) => [id, doc.values[i]!]));
    expect(byId.get(idOf('dragon'))).toBeCloseTo(weight(3, 4), 12);
    expect(byId.get(idOf('cave'))).toBeCloseTo(weight(1, 4), 12);
    expect(doc.indices).toEqual([...doc.indices].sort((x, y) => x - y));
    // Saturation: the third occurrence adds less than the second; a longer text weighs a word less.
    expect(weight(3, 4) - weight(2, 4)).toBeLessThan(weight(2, 4) - weight(1, 4));
    const long = enc.encodeDocument('cave lake forest mountain river valley hill meadow plain desert');
    expect(long.values[long.indices.indexOf(idOf('cave'))]).toBeLessThan(byId.get(idOf('cave'))!);
  });

  it('rejects settings out of range with the field and the rule', () => {
    expect(() => createBm25Encoder({ b: 1.5 })).toThrow(VectorsValidationError);
    expect(() => createBm25Encoder({ k1: Number.NaN })).toThrow(/k1/);
    expect(() => createBm25Encoder({ avgDocLength: 0 })).toThrow(/avgDocLength/);
    expect(() => createBm25Encoder().encodeDocument('a text', 0)).toThrow(/avgDocLength/);
    expect(() => createBm25Encoder().encodeDocument('a text', Number.NaN)).toThrow(/avgDocLength/);
  });
});
