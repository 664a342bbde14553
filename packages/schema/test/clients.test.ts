import { PrismaPg } from '@prisma/adapter-pg';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, PrismaClient } from '../src/index.js';
import { createTestDatabase, type TestDatabase } from '../src/testing/index.js';

let db: TestDatabase;
let pool: pg.Pool;
let prisma: PrismaClient;
let kysely: Kysely<Database>;
let connects = 0;

beforeAll(async () => {
  db = await createTestDatabase({ label: 'clients' });
  pool = new pg.Pool({ connectionString: db.url, max: 4 });
  pool.on('connect', () => {
    connects++;
  });
  prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
});
afterAll(async () => {
  await prisma?.$disconnect();
  await pool?.end();
  await db?.drop();
});

describe('Prisma Client and Kysely on one pg pool', () => {
  it('reads through Kysely what Prisma wrote, and through Prisma what Kysely wrote', async () => {
    const sage = await prisma.characterAgent.create({
      data: {
        name: 'sage',
        display_name: 'Sage',
        role: 'mentor',
        backend_system: 'claude',
        capabilities: ['socratic'],
      },
    });
    const viaKysely = await kysely
      .selectFrom('character_agents')
      .selectAll()
      .where('name', '=', 'sage')
      .executeTakeFirstOrThrow();
    expect(viaKysely.id).toBe(sage.id);
    expect(viaKysely.current_state).toEqual({ status: 'active' });
    expect(viaKysely.capabilities).toEqual(['socratic']);

    await kysely
      .updateTable('character_agents')
      .set({ performance_metrics: sql`performance_metrics || ${JSON.stringify({ avg_ms: 120 })}::jsonb` })
      .where('id', '=', sage.id)
      .execute();
    const viaPrisma = await prisma.characterAgent.findUniqueOrThrow({ where: { id: sage.id } });
    expect(viaPrisma.performance_metrics).toEqual({ avg_ms: 120 });
    // the database trigger keeps updated_at for writes that bypass Prisma's @updatedAt
    expect(viaPrisma.updated_at.getTime()).toBeGreaterThanOrEqual(sage.updated_at.getTime());

    const user = await kysely
      .insertInto('user_profiles')
      .values({ username: 'ada' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const found = await prisma.userProfile.findUniqueOrThrow({ where: { username: 'ada' } });
    expect(found.id).toBe(user.id);
    expect(connects).toBeLessThanOrEqual(4);
  });

  it('commits a Prisma transaction that Kysely then sees, and rolls back one that failed', async () => {
    await prisma.$transaction(async (tx) => {
      await tx.systemConfig.create({ data: { key: 'feature.memory', value: { enabled: true } } });
    });
    await expect(
      prisma.$transaction(async (tx) => {
        await tx.systemConfig.create({ data: { key: 'feature.rolled_back', value: 1 } });
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    const keys = await kysely.selectFrom('system_config').select('key').orderBy('key').execute();
    expect(keys.map((k) => k.key)).toEqual(['feature.memory']);
  });

  it('enforces the schema rules in the database itself (CHECK, unique, foreign keys)', async () => {
    const user = await prisma.userProfile.create({ data: { username: 'grace' } });
    const quest = await prisma.questDefinition.create({
      data: { quest_name: 'Loops', category: 'basics', difficulty: 2 },
    });
    await expect(
      kysely
        .insertInto('user_quest_progress')
        .values({ user_id: user.id, quest_id: quest.id, progress_percentage: '101' })
        .execute(),
    ).rejects.toMatchObject({ code: '23514', constraint: 'user_quest_progress_percentage_range' });
    await expect(
      kysely
        .insertInto('user_quest_progress')
        .values({ user_id: user.id, quest_id: quest.id, progress_percentage: '50', completed_at: new Date() })
        .execute(),
    ).rejects.toMatchObject({ code: '23514', constraint: 'user_quest_progress_completed_at_full' });
    await expect(
      prisma.questDefinition.create({ data: { quest_name: 'Bad', category: 'x', difficulty: 11 } }),
    ).rejects.toThrow();
    await expect(
      kysely
        .insertInto('character_agents')
        .values({ name: 'Not Valid!', display_name: 'x', role: 'x', backend_system: 'x' })
        .execute(),
    ).rejects.toMatchObject({ constraint: 'character_agents_name_format' });
    // a quest someone has progress in cannot be deleted; the user's progress goes with the user
    await prisma.userQuestProgress.create({ data: { user_id: user.id, quest_id: quest.id } });
    await expect(prisma.questDefinition.delete({ where: { id: quest.id } })).rejects.toThrow();
    await prisma.userProfile.delete({ where: { id: user.id } });
    expect(await prisma.userQuestProgress.count({ where: { quest_id: quest.id } })).toBe(0);
  });
});
