// The DuckDB file and the instance's life cycle, without PostgreSQL or Redis: a corrupt file, close
// and bad options. Ingestion from PostgreSQL and Redis (and a file held by another process) is in
// ../ingest.test.ts.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnalyticsValidationError, CorruptError, createAnalytics } from '../../src/index.js';

let work: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'mos-analytics-file-'));
});

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('the database file', () => {
  it('refuses a corrupt file with a typed error and leaves it as it was', async () => {
    const file = join(work, 'corrupt.duckdb');
    await writeFile(file, Buffer.alloc(8192, 7));
    await expect(createAnalytics({ path: file })).rejects.toBeInstanceOf(CorruptError);
    expect(await readFile(file)).toEqual(Buffer.alloc(8192, 7));
  });

  it('refuses work asked for while it closes, and closes once however often it is called', async () => {
    const analytics = await createAnalytics({ path: ':memory:' });
    const metrics = {
      read: async () => [{ metricType: 'm', agentName: 'a', samples: [{ timestamp: 1, value: 1 }] }],
    };
    const closing = analytics.close();
    await expect(analytics.ingest.metrics(metrics)).rejects.toMatchObject({ code: 'CLOSED' });
    await expect(analytics.exportParquet({ directory: work })).rejects.toMatchObject({ code: 'CLOSED' });
    await Promise.all([closing, analytics.close()]);
  });

  it('rejects work after close and bad options', async () => {
    const analytics = await createAnalytics({ path: ':memory:' });
    await analytics.close();
    await expect(analytics.characterTrends()).rejects.toMatchObject({ code: 'CLOSED' });
    await expect(createAnalytics({ path: ':memory:', threads: 0 })).rejects.toBeInstanceOf(
      AnalyticsValidationError,
    );
    await expect(createAnalytics({ path: ':memory:', batchSize: -5 })).rejects.toMatchObject({
      field: 'options.batchSize',
    });
    await expect(createAnalytics({ path: '' })).rejects.toMatchObject({
      field: 'options.path',
      rule: 'must not be empty',
    });
  });
});
