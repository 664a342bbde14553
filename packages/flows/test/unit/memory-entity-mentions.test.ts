// The dictionary matcher that links a query to the graph's entity names without a model.
import { describe, expect, it } from 'vitest';
import { createEntityDictionary } from '../../src/memory/entity-mentions.js';

const dictionary = createEntityDictionary<number>([
  ['New York', 1],
  ['New York City', 2],
  ['York', 3],
  ['City Hall', 4],
  ['Ada', 5],
  ['ADA', 6],
  ['The', 7],
  ['Who Is', 8],
  ['Émile Zola', 9],
]);

describe('entity dictionary', () => {
  it('takes the longest name at each word and resumes after it (no overlaps)', () => {
    const found = dictionary.find('Was New York City Hall built before 1900?');
    expect(found.map((m) => m.name)).toEqual(['new york city']);
    expect(found[0]!.values).toEqual([2]);
  });

  it('matches whole words only, never inside a word', () => {
    expect(dictionary.find('Yorkshire and Adam')).toEqual([]);
    expect(dictionary.find('Yorkshire and York').map((m) => m.values)).toEqual([[3]]);
  });

  it('ignores case, accents and punctuation as entity names do, and keeps every value of a name', () => {
    const found = dictionary.find('Did emile-zola meet ada?');
    expect(found.map((m) => [m.name, m.values])).toEqual([
      ['emile zola', [9]],
      ['ada', [5, 6]],
    ]);
  });

  it('never indexes names made only of stop words', () => {
    expect(dictionary.size).toBe(6);
    expect(dictionary.find('Who is the mayor?')).toEqual([]);
  });

  it('flags the mentions the query writes capitalized or as a number, its first word aside', () => {
    const found = createEntityDictionary<number>([
      ['Ada', 1],
      ['city hall', 2],
      ['1900', 3],
      ['York', 4],
    ]).find('York asked whether ada saw City hall in 1900 or the city hall, Ada?');
    expect(found.map((m) => [m.name, m.named])).toEqual([
      ['york', false],
      ['ada', false],
      ['city hall', true],
      ['1900', true],
      ['city hall', false],
      ['ada', true],
    ]);
  });

  it('says nothing of named mentions in a query that capitalizes no word but its first', () => {
    const found = dictionary.find('Did ada see york in 1900?');
    expect(found.map((m) => [m.name, m.named])).toEqual([
      ['ada', null],
      ['york', null],
    ]);
  });

  it('finds nothing in a query without words', () => {
    expect(dictionary.find('?!  ')).toEqual([]);
  });

  it('extends to more names without changing what the dictionary it came from finds', () => {
    const base = createEntityDictionary<number>([
      ['New York', 1],
      ['Ada', 5],
    ]);
    const next = base.extend([
      ['New York City', 2],
      ['ADA', 6],
      ['Grace Hopper', 7],
    ]);
    const query = 'Did Ada see New York City with Grace Hopper?';
    expect(next.find(query).map((m) => [m.name, m.values])).toEqual([
      ['ada', [5, 6]],
      ['new york city', [2]],
      ['grace hopper', [7]],
    ]);
    expect(next.size).toBe(4);
    expect(base.find(query).map((m) => [m.name, m.values])).toEqual([
      ['ada', [5]],
      ['new york', [1]],
    ]);
    expect(base.size).toBe(2);
    // Extending the older one again: a branch of its own, the first extension unchanged.
    const other = base.extend([['Hopper', 8]]);
    expect(other.find(query).map((m) => [m.name, m.values])).toEqual([
      ['ada', [5]],
      ['new york', [1]],
      ['hopper', [8]],
    ]);
    expect(next.find('Hopper').map((m) => m.values)).toEqual([]);
    expect(
      next
        .extend([['Hopper', 9]])
        .find('Grace Hopper and Hopper')
        .map((m) => m.values),
    ).toEqual([[7], [9]]);
  });
});
