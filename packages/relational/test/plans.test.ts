// The hot queries must use indexes at realistic volumes, not scan the big tables. The data is
// generated server-side (generate_series) so loading ~400k rows takes seconds.
import { createTestDatabase, type TestDatabase } from '@monsteros/schema/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STATEMENTS } from '../src/statements.js';

const BIG_TABLES = [
  'character_agents',
  'user_profiles',
  'user_quest_progress',
  'character_interactions',
  'outbox',
  'system_config',
];
const VOLUMES = {
  characters: 2_000,
  users: 30_000,
  quests: 200,
  progressPerUser: 2,
  interactions: 300_000,
  outbox: 50_000,
  config: 5_000,
};

let db: TestDatabase;
let client: pg.Client;
let sample: { userId: string; character: string; interactionKey: string };

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)];
}

async function explain(text: string, values: unknown[], mode: 'custom' | 'generic'): Promise<PlanNode[]> {
  // Named prepared statements switch to a generic plan after five runs: check both plans.
  await client.query(
    `set plan_cache_mode = ${mode === 'generic' ? 'force_generic_plan' : 'force_custom_plan'}`,
  );
  await client.query('deallocate all');
  await client.query(`prepare hot as ${text}`);
  const literal = values
    .map((v) => (v === null ? 'null' : `'${String(v).replaceAll("'", "''")}'`))
    .join(', ');
  const { rows } = await client.query(
    `explain (format json) execute hot${values.length ? `(${literal})` : ''}`,
  );
  return nodes((rows[0]['QUERY PLAN'] as Array<{ Plan: PlanNode }>)[0]!.Plan);
}

beforeAll(async () => {
  db = await createTestDatabase({ label: 'relational_plans' });
  client = new pg.Client({ connectionString: db.url });
  await client.connect();
  const v = VOLUMES;
  await client.query(`
    insert into character_agents (name, display_name, role, backend_system, current_state)
    select 'c' || lpad(i::text, 5, '0'), 'Character ' || i, (array['mentor','guide','coach'])[1 + i % 3], 'claude',
           jsonb_build_object('status', case when i % 10 = 0 then 'inactive' else 'active' end)
      from generate_series(1, ${v.characters}) i;
    insert into user_profiles (username) select 'user_' || i from generate_series(1, ${v.users}) i;
    insert into quest_definitions (quest_name, category, difficulty)
    select 'quest ' || i, 'cat' || (i % 12), 1 + i % 10 from generate_series(1, ${v.quests}) i;
    insert into user_quest_progress (user_id, quest_id, progress_percentage, current_chapter, started_at, completed_at)
    select u.id, q.id,
           case when (u.rn + k) % 3 = 0 then 100 else ((u.rn * 7 + k) % 99) end, 1,
           now() - ((u.rn + k) % 30) * interval '1 day',
           case when (u.rn + k) % 3 = 0 then now() end
      from (select id, row_number() over (order by id) as rn from user_profiles) u
      cross join generate_series(1, ${v.progressPerUser}) k
      join (select id, row_number() over (order by id) as qn from quest_definitions) q
        on q.qn = 1 + ((u.rn * 13 + k * 31) % ${v.quests});
    insert into character_interactions (character_id, user_id, message, response, response_time_ms, success, idempotency_key, created_at)
    select c.id, u.id, 'message ' || i, 'response ' || i, 50 + i % 900, i % 7 <> 0, 'key-' || i,
           now() - (i % 43200) * interval '1 minute'
      from generate_series(1, ${v.interactions}) i
      join (select id, row_number() over (order by id) as n from character_agents) c on c.n = 1 + i % ${v.characters}
      join (select id, row_number() over (order by id) as n from user_profiles) u on u.n = 1 + (i::bigint * 7919) % ${v.users};
    insert into outbox (aggregate_type, aggregate_id, event_type, payload, processed_at)
    select 'interaction', 'agg-' || (i % 5000), 'interaction.recorded', '{}'::jsonb,
           case when i % 100 = 0 then null else now() end
      from generate_series(1, ${v.outbox}) i;
    insert into system_config (key, value)
    select 'feature.flag.' || i, to_jsonb(i % 2 = 0) from generate_series(1, ${v.config}) i
    union all select 'memory.threshold', '0.8'::jsonb;
    analyze;
  `);
  const { rows } = await client.query(`
    select i.user_id, c.name, i.idempotency_key from character_interactions i
      join character_agents c on c.id = i.character_id
     where (c.current_state ->> 'status') = 'active' limit 1`);
  sample = { userId: rows[0].user_id, character: rows[0].name, interactionKey: rows[0].idempotency_key };
}, 180_000);

afterAll(async () => {
  await client?.end();
  await db?.drop();
});

const cases = () =>
  [
    [
      'getCharacterByName',
      STATEMENTS.getCharacterByName.text,
      [sample.character],
      'character_agents_active_name_idx',
    ],
    [
      'getUserActiveQuests',
      STATEMENTS.getUserActiveQuests.text,
      [sample.userId],
      'user_quest_progress_active_idx',
    ],
    [
      'updateCharacterMetrics',
      STATEMENTS.updateCharacterMetrics.text,
      [sample.character, '{"x":1}'],
      'character_agents_name_key',
    ],
    [
      'recordInteraction',
      STATEMENTS.recordInteraction.text,
      [sample.character, sample.userId, null, 'm', 'r', 1, null, true, 'new-key', 'h'],
      'character_agents_name_key',
    ],
    [
      'interactionByIdempotencyKey',
      STATEMENTS.interactionByIdempotencyKey.text,
      [sample.interactionKey],
      'character_interactions_idempotency_key_key',
    ],
    [
      'latestInteractions',
      STATEMENTS.latestInteractions.text,
      [sample.userId, sample.character, 20],
      'character_interactions_user_id_character_id_created_at_idx',
    ],
    ['getConfig', STATEMENTS.getConfig.text, ['memory.threshold'], 'system_config_pkey'],
    ['claimOutbox', STATEMENTS.claimOutbox.text, [100, 30_000], 'outbox_pending_idx'],
  ] as const;

describe.each(['custom', 'generic'] as const)('hot query plans (%s plan)', (mode) => {
  it('reads the big tables through indexes only, each through the index meant for it', async () => {
    const report: string[] = [];
    for (const [name, text, values, expectedIndex] of cases()) {
      const plan = await explain(text, [...values], mode);
      const seqScans = plan.filter(
        (n) => n['Node Type'] === 'Seq Scan' && BIG_TABLES.includes(n['Relation Name'] ?? ''),
      );
      const indexes = plan.map((n) => n['Index Name']).filter(Boolean);
      report.push(`${name}: ${indexes.join(', ')}`);
      expect(seqScans.map((n) => `${name} scans ${n['Relation Name']}`)).toEqual([]);
      expect(indexes, `${name} should use ${expectedIndex}`).toContain(expectedIndex);
    }
    expect(report).toHaveLength(cases().length);
  });
});

describe('extraction plan', () => {
  it('pages through interactions by the (created_at, id) index', async () => {
    await client.query('set plan_cache_mode = auto');
    const { rows } = await client.query(
      `explain (format json) select * from character_interactions
        where (created_at, id) > (now() - interval '10 days', '00000000-0000-0000-0000-000000000000'::uuid)
        order by created_at, id limit 5000`,
    );
    const plan = nodes(rows[0]['QUERY PLAN'][0].Plan);
    expect(plan.some((n) => n['Index Name'] === 'character_interactions_created_at_id_idx')).toBe(true);
    expect(plan.some((n) => n['Node Type'] === 'Seq Scan')).toBe(false);
  });
});
