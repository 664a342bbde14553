// The hot queries must use indexes at realistic volumes, not scan the big tables. The data is
// generated server-side (generate_series) so loading ~400k rows takes seconds.
import { createTestDatabase, type TestDatabase } from '@monsteros/schema/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STATEMENTS } from '../src/statements.js';
import { loadVolumes } from './fixtures/volumes.js';

const BIG_TABLES = [
  'character_agents',
  'user_profiles',
  'user_quest_progress',
  'character_interactions',
  'outbox',
  'system_config',
];

let db: TestDatabase;
let client: pg.Client;
let sample: { userId: string; character: string; interactionKey: string };
let pairUser: string;

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
  const loaded = await loadVolumes(client);
  const { rows } = await client.query(
    'select user_id, c.name from character_interactions i join character_agents c on c.id = i.character_id where c.name = $1 limit 1',
    [loaded.characters[0]],
  );
  sample = {
    userId: loaded.userIds[0]!,
    character: loaded.characters[0]!,
    interactionKey: loaded.interactionKey,
  };
  pairUser = rows[0].user_id;
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
      [pairUser, sample.character, 20],
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
