// `pnpm --filter @monsteros/monitor redis:settings [--apply]`: the Redis maxmemory and eviction policy
// the report's tuning rules give for the data this Redis holds now (DBSIZE, INFO memory, a sample
// of keys' MEMORY USAGE and TTLs), printed, and with --apply set with CONFIG SET. `pnpm services up`
// runs it with --apply on a local Redis. Opens only Redis (REDIS_URL).
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createCache, type RedisClient } from '@monsteros/cache';
import { loadConfig } from '@monsteros/flows';
import { sampleKeys } from './collect/redis.js';
import { computeTuning, type RedisTuningInput, type TuningAdvice } from './tuning.js';

const USAGE = `usage: pnpm --filter @monsteros/monitor redis:settings [--apply]
  prints the maxmemory and maxmemory-policy the tuning rules give for this Redis (REDIS_URL)
  --apply   sets those that differ (CONFIG SET), as pnpm services up does
`;

const field = (info: string, name: string) => new RegExp(`^${name}:(.*)$`, 'm').exec(info)?.[1]?.trim();

/** What the Redis tuning rule reads, from a standalone server. */
export async function readRedisTuningInput(client: RedisClient): Promise<RedisTuningInput> {
  const info = await client.info('memory');
  const [keys, sample] = await Promise.all([client.dbsize(), sampleKeys(client)]);
  const max = Number(field(info, 'maxmemory') ?? 0);
  const system = Number(field(info, 'total_system_memory') ?? 0);
  return {
    usedBytes: Number(field(info, 'used_memory') ?? 0),
    startupBytes: Number(field(info, 'used_memory_startup') ?? 0),
    systemMemoryBytes: system > 0 ? system : null,
    maxmemoryBytes: max > 0 ? max : null,
    policy: field(info, 'maxmemory_policy') ?? '',
    keys,
    sample,
  };
}

/**
 * The Redis advice for `client`, applied (CONFIG SET) where it asks for a change when `apply`.
 * @example
 * const advice = await redisSettings(cache.redis, { apply: true });
 * // [{ setting: 'maxmemory', recommended: '256mb', … }, { setting: 'maxmemory-policy', recommended: 'volatile-lfu', … }]
 */
export async function redisSettings(
  client: RedisClient,
  options: { apply: boolean },
): Promise<Array<TuningAdvice & { applied: boolean }>> {
  const advice = computeTuning({ redis: await readRedisTuningInput(client) });
  const out: Array<TuningAdvice & { applied: boolean }> = [];
  for (const a of advice) {
    const applied = options.apply && a.change;
    if (applied) await client.config('SET', a.setting, a.recommended);
    out.push({ ...a, applied });
  }
  return out;
}

/** Runs the command; returns the exit code. */
export async function runRedisSettings(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  io: { out: (text: string) => void; err: (text: string) => void } = {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
  },
): Promise<number> {
  const unknown = argv.filter((a) => a !== '--apply' && a !== '-h' && a !== '--help');
  if (unknown.length) {
    io.err(`redis:settings: ${unknown[0]} is not an option\n${USAGE}`);
    return 2;
  }
  if (argv.includes('-h') || argv.includes('--help')) {
    io.out(USAGE);
    return 0;
  }
  const config = loadConfig(env);
  const cache = createCache({ redis: config.redisUrl, prefix: config.keyPrefix });
  try {
    if (cache.redis.isCluster) {
      io.err('redis:settings: a cluster is configured node by node; this sets standalone servers only\n');
      return 2;
    }
    for (const a of await redisSettings(cache.redis, { apply: argv.includes('--apply') }))
      io.out(
        `redis ${a.setting}: ${a.current} → ${a.recommended} ${a.applied ? '(applied)' : a.change ? `(run: ${a.command})` : '(already right)'}\n    ${a.rule}\n`,
      );
    return 0;
  } catch (error) {
    io.err(`redis:settings: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    await cache.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exitCode = await runRedisSettings(process.argv.slice(2));
}
