// pnpm --filter @monsteros/cache bench: our paths against raw ioredis in the same run, on the
// same Redis (REDIS_URL, default 127.0.0.1:6379), under a throwaway prefix. Every comparison runs
// in interleaved rounds (the machine is shared) and keeps each path's median round.
// `--smoke`: tiny sizes (the CI smoke test), results to BENCH_RESULTS_DIR.
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { type BenchRow, interleaved, report, smoke } from '@monsteros/bench-kit';
import { Redis } from 'ioredis';
import { pack, unpack } from 'msgpackr';
import { type CachedCharacterResponse, createCache } from '../src/index.js';
import { dropPrefix } from './drop-prefix.js';

const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `bench:${randomBytes(3).toString('hex')}:`;
const cache = createCache({
  redis: url,
  prefix,
  policies: { character_responses: { maxSize: 1_000 }, memory_search_results: { readTracking: 'inline' } },
});
// The same namespace with format 'msgpack' (the previous default), for the decoding comparison.
const msgpackCache = createCache({
  redis: url,
  prefix: `${prefix}mp:`,
  policies: { character_responses: { maxSize: 1_000, format: 'msgpack' } },
});
// The same namespace with a near cache (client-side caching): repeated hits skip the network.
const nearCache = createCache({
  redis: url,
  prefix: `${prefix}near:`,
  policies: { character_responses: { maxSize: 1_000, nearCacheEntries: 1_000 } },
});
const raw = new Redis(url);
const rows: BenchRow[] = [];
/** Iterations, or a tenth of a hundred of them in a smoke run. */
const n = (full: number) => (smoke ? Math.max(10, Math.round(full / 1_000)) : full);
const ROUNDS = smoke ? 1 : 5;

const response = (i: number): CachedCharacterResponse => ({
  character_id: '7f1c0a52-3f0e-4c53-9a57-0e5f1d2f6b11',
  response: `Welcome back, traveller ${i}. Today we continue the quest on closures.`,
  response_time_ms: 180,
  request_hash: 'a3f1c2',
  created_at: new Date(),
});

async function hitPath(): Promise<void> {
  const responses = cache.policies.character_responses;
  const keys = Array.from({ length: 100 }, (_, i) => ({ character: 'sage', hash: `h${i}` }));
  for (const [i, k] of keys.entries()) await responses.set(k, response(i));
  const msgpackResponses = msgpackCache.policies.character_responses;
  for (const [i, k] of keys.entries()) await msgpackResponses.set(k, response(i));
  const nearResponses = nearCache.policies.character_responses;
  for (const [i, k] of keys.entries()) await nearResponses.set(k, response(i));
  const rawKeys = keys.map((k) => `${prefix}raw:${k.hash}`);
  const memory = cache.policies.memory_search_results;
  const memoryKeys = keys.map((k) => ({ queryHash: k.hash }));
  for (const k of memoryKeys) await memory.set(k, { character: 'sage', results: [] });
  // The raw baseline reads the same bytes our entry holds (format 'auto': JSON with its Date).
  for (const [i, k] of keys.entries()) await raw.set(rawKeys[i]!, (await raw.getBuffer(responses.keyOf(k)))!);
  // The decoding references: the same value as msgpack (what format 'msgpack' stores) and as JSON.
  const rawMsgpackKeys = keys.map((k) => `${prefix}rawmp:${k.hash}`);
  const rawJsonKeys = keys.map((k) => `${prefix}rawjson:${k.hash}`);
  for (const [i] of keys.entries()) {
    await raw.set(rawMsgpackKeys[i]!, pack(response(i)));
    await raw.set(rawJsonKeys[i]!, JSON.stringify(response(i)));
  }
  for (const concurrency of [1, 64]) {
    const o = { iterations: n(concurrency === 1 ? 20_000 : 100_000), concurrency };
    const paths: Array<[string, string, (i: number) => Promise<unknown>]> = [
      ['get hit (LRU namespace)', 'raw ioredis GET', (i) => raw.getBuffer(rawKeys[i % 100]!)],
      [
        'get hit (LRU namespace)',
        'raw GET + msgpack unpack',
        async (i) => unpack((await raw.getBuffer(rawMsgpackKeys[i % 100]!))!),
      ],
      [
        'get hit (LRU namespace)',
        'raw GET + JSON.parse',
        async (i) => JSON.parse((await raw.getBuffer(rawJsonKeys[i % 100]!))!.toString()),
      ],
      ['get hit (LRU namespace)', 'policy.get (batched reads)', (i) => responses.get(keys[i % 100]!)],
      [
        'get hit (LRU namespace)',
        'policy.get (near cache, repeated hits)',
        (i) => nearResponses.get(keys[i % 100]!),
      ],
      [
        'get hit (LRU namespace)',
        "policy.get (format 'msgpack')",
        (i) => msgpackResponses.get(keys[i % 100]!),
      ],
      [
        'get hit (LRU namespace)',
        'policy.getOrSet hit',
        (i) => responses.getOrSet(keys[i % 100]!, async () => response(i)),
      ],
      [
        'get hit (LFU namespace)',
        "policy.get (readTracking 'inline')",
        (i) => memory.get(memoryKeys[i % 100]!),
      ],
    ];
    const stats = await interleaved(
      paths.map(([, , fn]) => fn),
      o,
      smoke ? 1 : 3,
    );
    const baseline = stats[0]!;
    for (const [j, [name, path]] of paths.entries()) {
      rows.push({
        case: name,
        path,
        stats: stats[j]!,
        ...(j === 0 ? {} : { baseline }),
        ...(path.startsWith('policy.get (batched') ? { note: 'target >= 0.85x ops' } : {}),
        ...(path.includes('inline') ? { note: 'target >= 0.85x ops' } : {}),
      });
    }
  }
}

async function bulkMetrics(): Promise<void> {
  const agents = Array.from({ length: 100 }, (_, i) => `agent${i}`);
  const updates = (t: number) =>
    agents.map((agent, i) => ({
      agent,
      metrics: { response_time: 100 + i, satisfaction: 4.5 },
      session: { status: 'active' as const },
      timestamp: t,
    }));
  let t = Date.now();
  const [oneByOne, ours] = await interleaved(
    [
      async () => {
        const ts = t++;
        for (const agent of agents) {
          await cache.sessions.agents.update(agent, {
            status: 'active',
            metrics: { response_time: 1, satisfaction: 4.5 },
          });
          await cache.metrics.record('response_time', agent, 1, ts);
          await cache.metrics.record('satisfaction', agent, 4.5, ts);
        }
      },
      () => cache.metrics.updateAgents(updates(t++)),
    ],
    { iterations: n(100) },
    ROUNDS,
  );
  rows.push({
    case: 'bulk metrics, 100 agents x 2 metrics',
    path: 'one by one (300 round trips)',
    stats: oneByOne!,
  });
  rows.push({
    case: 'bulk metrics, 100 agents x 2 metrics',
    path: 'updateAgents (1 pipeline)',
    stats: ours!,
    baseline: oneByOne!,
    note: 'target >= 10x ops',
  });
}

async function writes(): Promise<void> {
  const responses = cache.policies.character_responses;
  await responses.clear();
  const value = response(1);
  // At max size (1,000): each new key evicts one; a rewrite of a held key evicts nothing.
  for (let i = 0; i < 1_000; i++) await responses.set({ character: 'full', hash: `x${i}` }, value);
  const bytes = (await raw.getBuffer(responses.keyOf({ character: 'full', hash: 'x0' })))!;
  let evicting = 0;
  const [rawSet, full, rewrite] = await interleaved(
    [
      (i) => raw.set(`${prefix}rawset:${i % 1_000}`, bytes, 'PX', 300_000),
      () => responses.set({ character: 'full', hash: `y${evicting++}` }, value),
      (i) => responses.set({ character: 'full', hash: `y${evicting - 1 - (i % 500)}` }, value),
    ],
    { iterations: n(5_000) },
    ROUNDS,
  );
  const stats = await cache.stats();
  rows.push({ case: 'set', path: 'raw ioredis SET PX', stats: rawSet! });
  rows.push({
    case: 'set',
    path: 'policy.set at max size (evicts 1)',
    stats: full!,
    baseline: rawSet!,
    note: `target >= 0.7x ops; ${stats.namespaces.character_responses.evictions} evictions, ${stats.namespaces.character_responses.keys} keys held`,
  });
  rows.push({
    case: 'set',
    path: 'policy.set rewrite of a held key',
    stats: rewrite!,
    baseline: rawSet!,
    note: 'target >= 0.7x ops',
  });
}

async function publish(): Promise<void> {
  // Past the max length (1,000) so that trimming runs, with a batch pending in one group.
  const message = { type: 'task', payload: { questId: 'q-1', step: 3 } };
  for (let i = 0; i < 1_200; i++) await cache.streams.publish('bench', message);
  await cache.streams
    .consumer('bench', { group: 'orchestrator', name: 'idle', batchSize: 10, blockMs: 10 })
    .read();
  const fields = () => [
    'type',
    'task',
    'payload',
    JSON.stringify(message.payload),
    'published_at',
    String(Date.now()),
  ];
  const [rawPublish, ours] = await interleaved(
    [
      () => raw.xadd(`${prefix}rawstream`, 'MAXLEN', '~', 1_000, '*', ...fields()),
      () => cache.streams.publish('bench', message),
    ],
    { iterations: n(5_000) },
    ROUNDS,
  );
  rows.push({ case: 'stream publish (trimmed at 1,000)', path: 'raw XADD MAXLEN ~', stats: rawPublish! });
  rows.push({
    case: 'stream publish (trimmed at 1,000)',
    path: 'streams.publish (keeps pending)',
    stats: ours!,
    baseline: rawPublish!,
    note: `target >= 0.75x ops; ${await cache.streams.length('bench')} entries, ${await cache.streams.pendingCount('bench', 'orchestrator')} pending`,
  });
}

try {
  await hitPath();
  await bulkMetrics();
  await writes();
  await publish();
  const info = await raw.info('server');
  report('cache', rows, {
    redis: /redis_version:(\S+)/.exec(info)?.[1],
    node: process.version,
    loadAverage: loadavg(),
  });
} finally {
  await dropPrefix(raw, prefix);
  await cache.close();
  await msgpackCache.close();
  await nearCache.close();
  raw.disconnect();
}
