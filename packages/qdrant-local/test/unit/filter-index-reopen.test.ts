// Payload indexes rebuilt when a data directory is reopened after a simulated crash; the
// in-memory index tests are in filter-index.test.ts.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seededRandom as random } from '@monsteros/bench-kit';
import { afterEach, describe, it } from 'vitest';
import { LocalQdrant } from '../../src/index.js';
import { simulateCrash } from '../support/data-dirs.js';
import { expectSameAnswers, Gen, INDEXES, randomWrite, seed } from '../support/filter-model.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

describe('filtered search, scroll and count through payload indexes', () => {
  it('rebuilds the indexes from the snapshot and from the log when a directory is reopened', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mos-filter-index-'));
    dirs.push(dir);
    const g = new Gen(random(11));
    const first = await LocalQdrant.open(dir, { compactAfterBytes: Number.MAX_SAFE_INTEGER });
    const names = ['indexed', 'plain'];
    const model = await seed(first, names, g, 300);
    for (const [field, type] of INDEXES)
      await first.createPayloadIndex('indexed', { field_name: field, field_schema: type as 'keyword' });
    for (let round = 0; round < 15; round++) await randomWrite(first, names, model, g);

    // Still open and never compacted: a second engine replays everything from the log.
    await simulateCrash(dir);
    const replayed = await LocalQdrant.open(dir);
    await expectSameAnswers(replayed, 'indexed', 'plain', model, g, 30);
    await first.close();
    await replayed.close();

    const reopened = await LocalQdrant.open(dir);
    for (let round = 0; round < 10; round++) await randomWrite(reopened, names, model, g);
    await expectSameAnswers(reopened, 'indexed', 'plain', model, g, 30);
    await reopened.close();
  });
});
