// Index narrowing must never change a result: the same data in a collection with keyword / integer /
// bool / uuid payload indexes and in one without any, queried with random filters, must answer
// identically, and both must agree with a brute-force predicate written here from Qdrant's rules.
import { seededRandom as random } from '@monsteros/bench-kit';
import { describe, expect, it } from 'vitest';
import { Collection } from '../../src/engine/collection.js';
import { SlotList } from '../../src/engine/payload-index.js';
import { LocalQdrant } from '../../src/index.js';
import { expectSameAnswers, Gen, INDEXES, type Json, randomWrite, seed } from '../support/filter-model.js';

describe('filtered search, scroll and count through payload indexes', () => {
  it('answers exactly as without indexes and as a brute-force predicate, through random writes', async () => {
    const g = new Gen(random(7));
    const engine = await LocalQdrant.open(':memory:');
    const names = ['indexed', 'plain'];
    const model = await seed(engine, names, g, 400);
    // Indexes created on existing data (built from the points) …
    for (const [field, type] of INDEXES.slice(0, 3))
      await engine.createPayloadIndex('indexed', { field_name: field, field_schema: type as 'keyword' });
    await expectSameAnswers(engine, 'indexed', 'plain', model, g, 40);
    // … and before later writes (maintained by every write).
    for (const [field, type] of INDEXES.slice(3))
      await engine.createPayloadIndex('indexed', { field_name: field, field_schema: type as 'keyword' });
    for (let round = 0; round < 30; round++) {
      await randomWrite(engine, names, model, g);
      await expectSameAnswers(engine, 'indexed', 'plain', model, g, 4);
    }
    // A dropped index and a re-typed one fall back to the scan.
    await engine.deletePayloadIndex('indexed', 'tag');
    await engine.createPayloadIndex('indexed', { field_name: 'n', field_schema: 'float' });
    await expectSameAnswers(engine, 'indexed', 'plain', model, g, 20);
    await engine.close();
  });
});

describe('index candidates', () => {
  const points = (payloads: Json[]) =>
    payloads.map((payload, i) => ({ id: i + 1, vectors: { '': Float32Array.of(1, 0) }, payload }));

  it('narrows to the points carrying the value, array elements included, and follows writes', () => {
    const col = new Collection('c', { vectors: { size: 2, distance: 'Dot' } });
    const payloads = Array.from({ length: 20 }, (_, i) => ({ who: i % 10 === 0 ? ['a', 'z'] : `n${i}` }));
    col.upsert(points(payloads), 1);
    col.createIndex('who', { data_type: 'keyword' });
    const a = { must: [{ key: 'who', match: { value: 'a' } }] };
    expect(Array.from(col.candidateSlots([a]) ?? [])).toEqual([0, 10]);
    col.setPayload([11], { who: 'b' }, undefined, 2);
    expect(Array.from(col.candidateSlots([a]) ?? [])).toEqual([0]);
    col.delete([1]);
    expect(Array.from(col.candidateSlots([a]) ?? [])).toEqual([]);
    const any = { must: [{ key: 'who', match: { any: ['z', 'b', 'n3'] } }] };
    expect(Array.from(col.candidateSlots([any]) ?? [])).toEqual([3, 10]);
  });

  it('scans everything when the filter is not indexed or matches too large a share', () => {
    const col = new Collection('c', { vectors: { size: 2, distance: 'Dot' } });
    col.upsert(points(Array.from({ length: 20 }, (_, i) => ({ half: i % 2 === 0, n: i }))), 1);
    col.createIndex('half', { data_type: 'bool' });
    col.createIndex('n', { data_type: 'float' });
    expect(col.candidateSlots([{ must: [{ key: 'half', match: { value: true } }] }])).toBeNull();
    expect(col.candidateSlots([{ must: [{ key: 'n', match: { value: 3 } }] }])).toBeNull();
    expect(col.candidateSlots([{ must_not: [{ key: 'half', match: { value: true } }] }])).toBeNull();
  });

  it('keeps slot lists sorted through out-of-order inserts and removals', () => {
    const list = new SlotList();
    const g = new Gen(random(3));
    const model = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const slot = g.int(300);
      if (g.chance(0.6)) {
        list.add(slot);
        model.add(slot);
      } else {
        list.remove(slot);
        model.delete(slot);
      }
    }
    expect(Array.from(list.view())).toEqual([...model].sort((x, y) => x - y));
  });
});
