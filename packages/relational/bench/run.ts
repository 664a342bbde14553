// `pnpm --filter @monsteros/relational bench`: each hot query through our API, the same SQL
// through raw `pg` prepared statements, and the equivalent Prisma Client call, on seeded
// volumes, at concurrency 1 and 16, in one run against one PostgreSQL. Target: ours within
// 1.15x of raw pg at p50. Each figure is the best of BENCH_ROUNDS (default 5) rounds.
import { type BenchRow, measure, report, type Stats } from '@monsteros/bench-kit';
import { createTestDatabase } from '@monsteros/schema/testing';
import pg from 'pg';
import { createRelational } from '../src/index.js';
import { STATEMENTS } from '../src/statements.js';
import { DEFAULT_VOLUMES, loadVolumes } from '../test/fixtures/volumes.js';

const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 3_000);
const CONCURRENCY = [1, 16];
const POOL_SIZE = 16;

const db = await createTestDatabase({ label: 'relational_bench' });
const loader = new pg.Client({ connectionString: db.url });
await loader.connect();
const started = Date.now();
const sample = await loadVolumes(loader);
await loader.end();
console.log(`loaded ${JSON.stringify(DEFAULT_VOLUMES)} in ${((Date.now() - started) / 1000).toFixed(1)} s`);

const relational = createRelational({
  databaseUrl: db.url,
  poolSize: POOL_SIZE,
  applicationName: 'bench-ours',
});
const raw = new pg.Pool({ connectionString: db.url, max: POOL_SIZE, application_name: 'bench-raw' });
// pool.end() resolves before its connections close; dropping the database then terminates them.
raw.on('error', () => {});
const prisma = relational.prisma;
const name = (i: number) => sample.characters[i % sample.characters.length]!;
const user = (i: number) => sample.userIds[i % sample.userIds.length]!;
const configKey = (i: number) => `feature.flag.${1 + (i % DEFAULT_VOLUMES.config)}`;

interface Case {
  name: string;
  ours: (i: number) => Promise<unknown>;
  raw: (i: number) => Promise<unknown>;
  prisma: (i: number) => Promise<unknown>;
  prismaNote?: string;
}

const cases: Case[] = [
  {
    name: 'getCharacterByName',
    ours: (i) => relational.characters.getByName(name(i)),
    raw: (i) => raw.query({ ...STATEMENTS.getCharacterByName, values: [name(i)] }),
    prisma: (i) =>
      prisma.characterAgent.findFirst({
        where: { name: name(i), current_state: { path: ['status'], equals: 'active' } },
      }),
  },
  {
    name: 'getUserActiveQuests',
    ours: (i) => relational.quests.getUserActiveQuests(user(i)),
    raw: (i) => raw.query({ ...STATEMENTS.getUserActiveQuests, values: [user(i)] }),
    prisma: (i) =>
      prisma.userQuestProgress.findMany({
        where: { user_id: user(i), completed_at: null },
        include: { quest: true },
        orderBy: [{ started_at: 'desc' }, { quest_id: 'asc' }],
      }),
  },
  {
    name: 'updateCharacterMetrics',
    ours: (i) => relational.characters.updateMetrics(name(i), { bench_calls: i }),
    raw: (i) =>
      raw.query({
        ...STATEMENTS.updateCharacterMetrics,
        values: [name(i), JSON.stringify({ bench_calls: i })],
      }),
    // Prisma Client has no JSONB merge: an atomic merge needs raw SQL through Prisma.
    prisma: (i) =>
      prisma.$queryRaw`update character_agents set performance_metrics = performance_metrics || ${JSON.stringify({ bench_calls: i })}::jsonb, updated_at = now() where name = ${name(i)} returning id, name, performance_metrics`,
    prismaNote: 'prisma via $queryRaw (no JSONB merge in the client API)',
  },
  {
    name: 'getConfig',
    ours: (i) => relational.config.get(configKey(i)),
    raw: (i) => raw.query({ ...STATEMENTS.getConfig, values: [configKey(i)] }),
    prisma: (i) => prisma.systemConfig.findUnique({ where: { key: configKey(i) } }),
  },
];

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

/** Best of ROUNDS by p50, the paths interleaved in each round so that none always runs warmer. */
async function compare(c: Case, concurrency: number): Promise<[Stats, Stats, Stats]> {
  const best: (Stats | undefined)[] = [undefined, undefined, undefined];
  const paths = [c.raw, c.ours, c.prisma];
  for (let round = 0; round < ROUNDS; round++) {
    for (let k = 0; k < paths.length; k++) {
      const stats = await measure(paths[k]!, { iterations: ITERATIONS, concurrency });
      if (!best[k] || stats.p50 < best[k]!.p50) best[k] = stats;
    }
  }
  return best as [Stats, Stats, Stats];
}

const rows: BenchRow[] = [];
try {
  // Open every pool's connections before anything is timed.
  for (const c of cases) {
    await Promise.all(
      [c.raw, c.ours, c.prisma].map((fn) => measure(fn, { iterations: 200, concurrency: POOL_SIZE })),
    );
  }
  for (const c of cases) {
    for (const concurrency of CONCURRENCY) {
      const [rawStats, oursStats, prismaStats] = await compare(c, concurrency);
      rows.push({ case: c.name, path: 'raw pg (prepared)', stats: rawStats });
      rows.push({
        case: c.name,
        path: 'ours',
        stats: oursStats,
        baseline: rawStats,
        note: oursStats.p50 / rawStats.p50 <= 1.15 ? 'within 1.15x target' : 'OVER 1.15x target',
      });
      rows.push({ case: c.name, path: 'prisma', stats: prismaStats, baseline: rawStats, note: c.prismaNote });
    }
  }
  report('relational', rows, {
    volumes: DEFAULT_VOLUMES,
    poolSize: POOL_SIZE,
    iterations: ITERATIONS,
    rounds: ROUNDS,
  });
} finally {
  await raw.end();
  await relational.close();
  await db.drop();
}
