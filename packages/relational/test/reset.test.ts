// reset(): empties our data tables and nothing else.
import { createTestDatabase, type TestDatabase } from '@monsteros/schema/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRelational, type Relational } from '../src/index.js';

let db: TestDatabase;
let relational: Relational;

beforeAll(async () => {
  db = await createTestDatabase({ label: 'relational_reset' });
  relational = createRelational({ databaseUrl: db.url, poolSize: 3 });
});
afterAll(async () => {
  await relational?.close();
  await db?.drop();
});

const count = async (table: string) =>
  Number((await relational.pool.query(`select count(*) as n from ${table}`)).rows[0].n);

describe('reset', () => {
  it('empties every MonsterOS data table, keeps the configuration, and leaves a foreign table alone', async () => {
    await relational.characters.create({
      name: 'sage',
      display_name: 'Sage',
      role: 'mentor',
      backend_system: 'claude',
    });
    const user = await relational.users.create({ username: 'ada' });
    await relational.transaction(async (tx) => {
      await tx.interactions.record({
        character: 'sage',
        userId: user.id,
        message: 'hi',
        response: 'hello',
        responseTimeMs: 5,
      });
      await tx.outbox.append([{ aggregate_type: 'test', aggregate_id: 'a', event_type: 't', payload: {} }]);
    });
    await relational.config.set('monsteros.environment', 'development', 0);
    await relational.pool.query('create table not_ours (id int primary key)');
    await relational.pool.query('insert into not_ours values (1), (2)');

    const emptied = await relational.reset();

    expect(emptied).toContain('character_interactions');
    expect(emptied).toEqual([...relational.dataTables]);
    expect(emptied).not.toContain('system_config');
    for (const table of ['character_agents', 'user_profiles', 'character_interactions', 'outbox'])
      expect(await count(table)).toBe(0);
    for (const table of emptied) expect(await count(table)).toBe(0);
    expect((await relational.config.get('monsteros.environment'))?.value).toBe('development');
    expect(await count('not_ours')).toBe(2);
  });
});
