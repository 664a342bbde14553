// The Qdrant line of a report run beside an app: searches come from the shared metrics, the
// collections from the app's published figures, which expire after the app exits.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { withSharedSearch } from '../../src/collect/qdrant.js';
import type { SharedFigures } from '../../src/collect/shared-metrics.js';
import { statusLines } from '../../src/report/status.js';
import type { MonitorSnapshot, QdrantReading, Reading } from '../../src/types.js';

const FIXTURE: MonitorSnapshot = JSON.parse(
  readFileSync(new URL('../fixtures/snapshot.json', import.meta.url), 'utf8'),
);
const search = [{ name: 'character_memories', count: 40, p50Ms: 2, p99Ms: 9, meanMs: 3 }];
const figures = { reading: null, flows: null, search } as unknown as SharedFigures;
const qdrantLine = (qdrant: Reading<QdrantReading>) =>
  statusLines({ ...FIXTURE, qdrant }, []).find((l) => l.store === 'qdrant')!;

describe('the Qdrant reading with shared searches', () => {
  it('says the collections were not read, rather than 0 collections, when no app published them', () => {
    const reason = 'QDRANT_URL is unset (embedded local mode): pass --local-vectors when no app runs';
    const reading = withSharedSearch({ status: 'not-configured', reason }, figures);
    expect(reading).toMatchObject({ status: 'ok', collections: [], collectionsAbsent: reason, search });
    const line = qdrantLine(reading);
    expect(line.summary).toBe('collections not read, search avg 3.00 ms');
    expect(line.figures).toContainEqual({ label: 'collections', value: reason });
  });

  it('counts the collections it read', () => {
    if (FIXTURE.qdrant.status !== 'ok') throw new Error('fixture');
    const own: Reading<QdrantReading> = { ...FIXTURE.qdrant, searchSource: 'process' };
    const reading = withSharedSearch(own, figures);
    if (reading.status !== 'ok') throw new Error('reading');
    expect(reading.collectionsAbsent).toBeUndefined();
    expect(reading.collections).toEqual(FIXTURE.qdrant.collections);
    expect(qdrantLine(reading).summary).toMatch(
      new RegExp(`^${FIXTURE.qdrant.collections.length} collections, `),
    );
  });
});
