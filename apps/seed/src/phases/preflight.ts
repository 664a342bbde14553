// Before anything is written: the stores answer, the database is ours and meant for development,
// and a --reset is confirmed.
import type { DataLayer } from '@monsteros/flows';
import { SeedError } from '../errors.js';
import type { SeedRunOptions } from '../seed.js';

export const ENVIRONMENT_KEY = 'monsteros.environment';

/** Checks that the stores answer and the database is ours and meant for development; writes nothing. */
export async function preflight(data: DataLayer, options: SeedRunOptions): Promise<{ marked: boolean }> {
  const [pg, redis] = await Promise.all([data.relational.health(3_000), data.cache.health()]);
  const where = (url: string) => {
    try {
      const u = new URL(url);
      return `${u.hostname}:${u.port || (u.protocol.startsWith('redis') ? 6379 : 5432)}`;
    } catch {
      return 'the configured address';
    }
  };
  if (!pg.ok) {
    throw new SeedError(
      'UNAVAILABLE',
      `PostgreSQL at ${where(data.config.databaseUrl)} is not reachable (${pg.error ?? 'no answer'}): start it with \`./scripts/run dev:setup\` (or \`bash scripts/services up\`), or set DATABASE_URL`,
    );
  }
  if (!redis.ok) {
    throw new SeedError(
      'UNAVAILABLE',
      `Redis at ${where(data.config.redisUrl)} is not reachable (${redis.error ?? redis.status}): start it with \`bash scripts/services up\`, or set REDIS_URL`,
    );
  }
  const { rows } = await data.relational.pool.query<{ ours: boolean }>(
    `select to_regclass('public._prisma_migrations') is not null
        and to_regclass('public.character_agents') is not null as ours`,
  );
  if (!rows[0]?.ours) {
    throw new SeedError(
      'NOT_OURS',
      'this database has no MonsterOS migrations (it is not ours, or not set up): run `pnpm db:deploy` on a MonsterOS database, or point DATABASE_URL at one',
    );
  }
  const marker = await data.relational.config.get<string>(ENVIRONMENT_KEY);
  if (marker && marker.value !== 'development' && !options.force) {
    throw new SeedError(
      'NOT_DEVELOPMENT',
      `this database is marked as ${JSON.stringify(marker.value)}, not development: refusing to seed (--force to override)`,
    );
  }
  if (!marker) {
    const used = await data.relational.pool.query<{ n: string }>(
      'select count(*) as n from character_agents',
    );
    if (Number(used.rows[0]!.n) > 0 && !options.force) {
      throw new SeedError(
        'NOT_DEVELOPMENT',
        `this database holds MonsterOS data but is not marked as development (system_config ${ENVIRONMENT_KEY}): refusing to seed (--force to override)`,
      );
    }
  }
  return { marked: marker !== null };
}

export async function confirmReset(options: SeedRunOptions): Promise<void> {
  if (options.yes) return;
  const ok = options.confirm
    ? await options.confirm('Wipe all MonsterOS data in PostgreSQL, Redis, the vector store and DuckDB?')
    : false;
  if (!ok) {
    throw new SeedError(
      'CONFIRM',
      '--reset wipes every store: confirm at the prompt, or pass --yes (no prompt without a terminal)',
    );
  }
}
