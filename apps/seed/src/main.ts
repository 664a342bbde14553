// `pnpm seed [--size small|default|large] [--seed N] [--reset [--yes]] [--force]`
import { createInterface } from 'node:readline/promises';
import { ConfigError } from '@monsteros/flows';
import { DEFAULT_SEED, parseSeedOptions, SeedOptionError } from './options.js';
import { createProgress, table } from './progress.js';
import { runSeed, SeedError } from './seed.js';

const HELP = `usage: pnpm seed [--size small|default|large] [--seed N] [--reset [--yes]] [--force]

Fills PostgreSQL, Redis, the vector store and DuckDB with deterministic MonsterOS dev data.
  --size    small (seconds, for tests) | default | large (benchmarks)      [default]
  --seed    the dataset's seed: the same seed gives the same data           [${DEFAULT_SEED}]
  --reset   wipe our data in every store first (asks unless --yes)
  --force   seed a database that is not marked as development
Stores come from DATABASE_URL, REDIS_URL, QDRANT_URL (unset: the embedded local store in
MONSTEROS_LOCAL_VECTORS_PATH, default .data/vectors), DUCKDB_PATH, MONSTEROS_KEY_PREFIX.
`;

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(HELP);
    return 0;
  }
  let options: ReturnType<typeof parseSeedOptions>;
  try {
    options = parseSeedOptions(argv);
  } catch (error) {
    if (error instanceof SeedOptionError) {
      process.stderr.write(`seed: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  const confirm = async (question: string) => {
    if (!process.stdin.isTTY) return false;
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    try {
      return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
    } finally {
      rl.close();
    }
  };
  process.stderr.write(`seeding MonsterOS (size ${options.size}, seed ${options.seed})\n`);
  try {
    const summary = await runSeed({ ...options, confirm, progress: createProgress(process.stderr) });
    process.stdout.write(
      `\n${table(
        ['store', 'what', 'count'],
        summary.rows.map((r) => [r.store, r.what, r.count.toLocaleString('en-US')]),
      )}\n\nseeded in ${summary.seconds.toFixed(1)} s\n`,
    );
    return 0;
  } catch (error) {
    // Both are raised before the first write: a bad environment variable, or a failed check.
    if (error instanceof SeedError || error instanceof ConfigError) {
      process.stderr.write(`\nseed: ${error.message}\nnothing was written.\n`);
      return 1;
    }
    process.stderr.write(
      `\nseed failed: ${error instanceof Error ? error.message : String(error)}\nre-running completes it (every write is idempotent).\n`,
    );
    return 1;
  }
}

process.exit(await main());
