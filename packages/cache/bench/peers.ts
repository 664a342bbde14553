// pnpm --filter @monsteros/cache bench (second part): ours beside the libraries a user would pick
// instead, in the same run on the same Redis with the same data and serialization (JSON):
// bentocache (L1 memory + L2 Redis, and L2 only) and @epic-web/cachified (ioredis adapter).
// Rows: get hit and set at c=1 and c=64 (interleaved rounds, median round, raw ioredis as the
// baseline), and getOrSet misses: 100 concurrent callers on one key in one process, then 50 + 50
// in two processes started at the same wall-clock time, counting loader calls (stampede protection). `--smoke`: tiny sizes.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { type BenchRow, interleaved, report, smoke, summarize } from '@monsteros/bench-kit';
import { Redis } from 'ioredis';
import type { CachedCharacterResponse } from '../src/index.js';
import { contenders, LOADER_MS, TTL_MS } from './contenders.js';
import { dropPrefix } from './drop-prefix.js';

const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `bench:peers:${randomBytes(3).toString('hex')}:`;
const built = contenders(url, prefix);
const raw = new Redis(url);
const rows: BenchRow[] = [];
const n = (full: number) => (smoke ? Math.max(10, Math.round(full / 1_000)) : full);
const ROUNDS = smoke ? 1 : 3;
const STAMPEDE_ROUNDS = smoke ? 1 : 10;

const response = (i: number): CachedCharacterResponse => ({
  character_id: '7f1c0a52-3f0e-4c53-9a57-0e5f1d2f6b11',
  response: `Welcome back, traveller ${i}. Today we continue the quest on closures.`,
  response_time_ms: 180,
  request_hash: 'a3f1c2',
  created_at: new Date(),
});
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const keys = Array.from({ length: 100 }, (_, i) => `h${i}`);

async function hits(): Promise<void> {
  for (const [i, key] of keys.entries()) {
    await raw.set(`${prefix}raw:${key}`, JSON.stringify(response(i)), 'PX', TTL_MS);
    for (const c of built.all) await c.set(key, response(i));
  }
  // cachified writes its cache after returning the fresh value: wait (bounded) until it landed.
  for (const [i, key] of keys.entries()) {
    for (let tries = 0; (await raw.exists(`${prefix}cf:${key}`)) === 0; tries++) {
      if (tries > 100) throw new Error(`cachified never stored ${key} (${i})`);
      await sleep(10);
    }
  }
  for (const concurrency of [1, 64]) {
    const stats = await interleaved(
      [
        async (i: number) => JSON.parse((await raw.get(`${prefix}raw:${keys[i % 100]}`))!),
        ...built.all.map((c) => (i: number) => c.get(keys[i % 100]!)),
      ],
      { iterations: n(concurrency === 1 ? 10_000 : 50_000), concurrency },
      ROUNDS,
    );
    push('get hit', 'raw ioredis GET + JSON.parse', stats);
  }
}

async function sets(): Promise<void> {
  const value = response(7);
  for (const concurrency of [1, 64]) {
    const stats = await interleaved(
      [
        (i: number) => raw.set(`${prefix}raw:s${i % 1_000}`, JSON.stringify(value), 'PX', TTL_MS),
        ...built.all.map((c) => (i: number) => c.set(`s${i % 1_000}`, value)),
      ],
      { iterations: n(concurrency === 1 ? 5_000 : 20_000), concurrency },
      ROUNDS,
    );
    push('set', 'raw ioredis SET PX + JSON.stringify', stats);
  }
}

function push(name: string, baselinePath: string, stats: Array<import('@monsteros/bench-kit').Stats>): void {
  const baseline = stats[0]!;
  rows.push({ case: name, path: baselinePath, stats: baseline });
  for (const [j, c] of built.all.entries()) {
    rows.push({ case: name, path: c.name, stats: stats[j + 1]!, baseline });
  }
}

/** The second process: one getOrSet round at a time, started at the same wall-clock time as ours. */
async function startWorker() {
  const worker = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(new URL('./stampede-worker.ts', import.meta.url)), url, prefix],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: worker.stdout! })[Symbol.asyncIterator]();
  const next = async () => {
    const line = await lines.next();
    if (line.done) throw new Error('the stampede worker exited');
    return line.value;
  };
  if ((await next()) !== 'ready') throw new Error('the stampede worker did not start');
  return {
    async round(contender: string, key: string, at: number, callers: number): Promise<number> {
      worker.stdin!.write(`${JSON.stringify({ contender, key, at, callers })}\n`);
      return (JSON.parse(await next()) as { loads: number }).loads;
    },
    close() {
      worker.stdin!.end('exit\n');
    },
  };
}

async function stampede(processes: 1 | 2): Promise<void> {
  const worker = processes === 2 ? await startWorker() : undefined;
  const value = response(3);
  try {
    for (const [index, c] of built.all.entries()) {
      const durations: number[] = [];
      let loads = 0;
      for (let round = 0; round < STAMPEDE_ROUNDS; round++) {
        const key = `miss:${processes}:${round}:${index}`;
        let local = 0;
        const loader = async () => {
          local++;
          await sleep(LOADER_MS);
          return value;
        };
        const at = Date.now() + 150;
        const remote = worker?.round(c.name, key, at, 50);
        await sleep(at - Date.now());
        const started = performance.now();
        await Promise.all(Array.from({ length: processes === 2 ? 50 : 100 }, () => c.getOrSet(key, loader)));
        durations.push(performance.now() - started);
        loads += local + ((await remote) ?? 0);
      }
      rows.push({
        case: `getOrSet miss, 100 callers on one key, ${processes} process${processes === 2 ? 'es' : ''}`,
        path: c.name,
        stats: summarize(durations, { concurrency: 100 }),
        note: `${(loads / STAMPEDE_ROUNDS).toFixed(1)} loader calls per 100 misses (loader ${LOADER_MS} ms)`,
      });
    }
  } finally {
    worker?.close();
  }
}

try {
  await hits();
  await sets();
  await stampede(1);
  await stampede(2);
  report('cache-peers', rows, { node: process.version, loadAverage: loadavg() });
} finally {
  await built.close();
  await dropPrefix(raw, prefix);
  raw.disconnect();
}
