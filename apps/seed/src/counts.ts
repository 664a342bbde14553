// What the seed leaves in each store: the closing table's counts, and a checksum of PostgreSQL
// that a second run must leave unchanged.
import { createHash } from 'node:crypto';
import type { DataLayer } from '@monsteros/flows';

/** One line of the closing table: a store, what was counted in it, and how many. */
export interface SeedSummaryRow {
  store: string;
  what: string;
  count: number;
}

/** Our Redis keys (under the key prefix), a SCAN page at a time. */
async function* ourRedisKeys(data: DataLayer): AsyncGenerator<string[]> {
  // The cache package lists no keys, so this scans its client: fine for a standalone Redis
  // (a Cluster would need a scan per master).
  const redis = data.cache.redis as import('ioredis').Redis;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${data.config.keyPrefix}*`, 'COUNT', 1_000);
    yield keys;
    cursor = next;
  } while (cursor !== '0');
}

/** Counts per store for the closing table (and the idempotency test). */
export async function countStores(data: DataLayer): Promise<SeedSummaryRow[]> {
  const rows: SeedSummaryRow[] = [];
  const pgTables: Array<[string, string]> = [
    ['character agents', 'character_agents'],
    ['users', 'user_profiles'],
    ['quests', 'quest_definitions'],
    ['quest progress', 'user_quest_progress'],
    ['achievements granted', 'user_achievements'],
    ['interactions', 'character_interactions'],
    ['memory passages', 'memory_passages'],
    ['memory entities', 'memory_entities'],
    ['memory triples', 'memory_triples'],
    ['memory operations', 'memory_operations'],
    ['session summaries', 'session_summaries'],
  ];
  for (const [what, table] of pgTables) {
    const { rows: r } = await data.relational.pool.query<{ n: string }>(`select count(*) as n from ${table}`);
    rows.push({ store: 'PostgreSQL', what, count: Number(r[0]!.n) });
  }
  let keys = 0;
  // Cached memory answers (the seed's recalls) and the real-time metrics (one key per metric and
  // minute, so their number depends on the clock) aside: transient, and how many depends on history.
  const transient = [`${data.config.keyPrefix}{cache:memory}`, `${data.config.keyPrefix}rtm:`];
  for await (const found of ourRedisKeys(data))
    keys += found.filter((key) => !transient.some((start) => key.startsWith(start))).length;
  rows.push({ store: 'Redis', what: `keys under ${data.config.keyPrefix}`, count: keys });
  const store = data.vectors.store;
  if (store) {
    for (const name of [
      'character_memories',
      'memory_embeddings',
      'knowledge_graph_vectors',
      'document_vectors',
    ] as const) {
      const { count } = await store.client.count(store.collectionName(name), { exact: true });
      rows.push({ store: 'Qdrant', what: name, count });
    }
  }
  if (data.analytics) {
    const stats = await data.analytics.stats();
    for (const [table, n] of Object.entries(stats.rows))
      rows.push({ store: 'DuckDB', what: table, count: n });
  }
  return rows;
}

/**
 * A checksum of everything seeded in PostgreSQL (every column of every row, in id order): equal
 * after a second run when nothing changed.
 */
export async function postgresChecksum(data: DataLayer): Promise<string> {
  const hash = createHash('sha256');
  // The outbox and the memory operations are logs of what runs did (each run recalls memories).
  for (const table of data.relational.dataTables.filter((t) => t !== 'outbox' && t !== 'memory_operations')) {
    const { rows } = await data.relational.pool.query<{ digest: string | null }>(
      `select md5(string_agg(t::text, '|' order by t::text)) as digest from ${table} t`,
    );
    hash.update(`${table}:${rows[0]!.digest ?? ''};`);
  }
  return hash.digest('hex');
}
