// The hot queries, as named prepared statements: PostgreSQL parses and plans each once per
// connection, then only binds values. The SQL is fixed text so that the plan test can EXPLAIN
// exactly what runs. Values that must be literal for a partial index to apply ('active',
// `completed_at is null`) are written into the text, never bound.
import type { Tables } from '@monsteros/schema';
import type { Selectable } from 'kysely';
import type { QueryResultRow } from 'pg';
import type { Runner } from './db.js';

export interface Statement<Row extends QueryResultRow> {
  name: string;
  text: string;
  /** Phantom: the row type this statement returns. */
  readonly row?: Row;
}

function statement<Row extends QueryResultRow>(name: string, text: string): Statement<Row> {
  return { name: `mos_${name}`, text: text.replace(/\s+/g, ' ').trim() };
}

/** Runs a prepared statement by name on the pool or a transaction's connection. */
export async function run<Row extends QueryResultRow>(
  runner: Runner,
  st: Statement<Row>,
  values: unknown[],
): Promise<Row[]> {
  const result = await runner.query<Row>({ name: st.name, text: st.text, values });
  return result.rows;
}

type Row<T> = Selectable<T>;
/** numeric comes back from pg as a string, int8 as a string: converted at the repository edge. */
export type ProgressRowRaw = Row<Tables.UserQuestProgress> & { completed_now: boolean; inserted: boolean };

export const STATEMENTS = {
  getCharacterByName: statement<Row<Tables.CharacterAgent>>(
    'get_character_by_name',
    `select * from character_agents
      where name = $1 and (current_state ->> 'status') = 'active'`,
  ),
  getUserActiveQuests: statement<{
    quest_id: string;
    quest_name: string;
    category: string;
    difficulty: number;
    character_mentors: unknown;
    progress_percentage: string;
    current_chapter: number;
    started_at: Date;
  }>(
    'get_user_active_quests',
    `select q.id as quest_id, q.quest_name, q.category, q.difficulty, q.character_mentors,
            p.progress_percentage, p.current_chapter, p.started_at
       from user_quest_progress p
       join quest_definitions q on q.id = p.quest_id
      where p.user_id = $1 and p.completed_at is null
      order by p.started_at desc, p.quest_id`,
  ),
  updateCharacterMetrics: statement<{ id: string; name: string; performance_metrics: unknown }>(
    'update_character_metrics',
    `update character_agents
        set performance_metrics = performance_metrics || $2::jsonb, updated_at = now()
      where name = $1
      returning id, name, performance_metrics`,
  ),
  // One round trip for the common case: the character is resolved by name in the insert.
  // No row back means either the key was used before or the character does not exist.
  recordInteraction: statement<Row<Tables.CharacterInteraction>>(
    'record_interaction',
    `insert into character_interactions
            (character_id, user_id, session_id, message, response, response_time_ms,
             user_satisfaction, success, idempotency_key, request_hash)
     select c.id, $2, $3, $4, $5, $6, $7, $8, $9, $10
       from character_agents c where c.name = $1
     on conflict (idempotency_key) do nothing
     returning *`,
  ),
  interactionByIdempotencyKey: statement<Row<Tables.CharacterInteraction>>(
    'interaction_by_idempotency_key',
    'select * from character_interactions where idempotency_key = $1',
  ),
  latestInteractions: statement<Row<Tables.CharacterInteraction>>(
    'latest_interactions',
    `select i.* from character_interactions i
      where i.user_id = $1 and i.character_id = (select id from character_agents where name = $2)
      order by i.created_at desc limit $3`,
  ),
  // Progress never goes backwards; completed_at is set once, the first time 100 is reached.
  // completed_now: now() is the transaction's start, so only a completion made by this
  // transaction equals it.
  upsertQuestProgress: statement<ProgressRowRaw>(
    'upsert_quest_progress',
    `insert into user_quest_progress as p
            (user_id, quest_id, progress_percentage, current_chapter, completion_data, completed_at)
     values ($1, $2, $3::numeric, $4, $5::jsonb, case when $3::numeric >= 100 then now() end)
     on conflict (user_id, quest_id) do update set
            progress_percentage = greatest(p.progress_percentage, excluded.progress_percentage),
            current_chapter = greatest(p.current_chapter, excluded.current_chapter),
            completion_data = p.completion_data || excluded.completion_data,
            completed_at = coalesce(p.completed_at, excluded.completed_at)
     returning p.*, (p.completed_at is not null and p.completed_at = now()) as completed_now, (xmax = 0) as inserted`,
  ),
  grantAchievement: statement<Row<Tables.UserAchievement>>(
    'grant_achievement',
    `insert into user_achievements (user_id, achievement_id, context)
     values ($1, $2, $3::jsonb)
     on conflict (user_id, achievement_id) do nothing
     returning *`,
  ),
  // Serializes the achievement decisions of one user's transactions (released at commit), so a
  // decision taken after it reads the completions the others committed.
  lockUserAchievements: statement<{ locked: string }>(
    'lock_user_achievements',
    `select pg_advisory_xact_lock(hashtext('monsteros:achievements'), hashtext($1))::text as locked`,
  ),
  // Grants every achievement whose rule the user now meets (manual ones never), once each.
  grantEarnedAchievements: statement<Row<Tables.UserAchievement>>(
    'grant_earned_achievements',
    `with done as (
       select p.quest_id, q.category
         from user_quest_progress p join quest_definitions q on q.id = p.quest_id
        where p.user_id = $1 and p.completed_at is not null),
     totals as (
       select (select count(*) from done) as completed,
              (select count(*) from character_interactions where user_id = $1) as interactions),
     earned as (
       select a.id from achievements a cross join totals t
        where case a.criteria ->> 'kind'
          when 'quest_completed' then exists (select 1 from done d where d.quest_id::text = a.criteria ->> 'quest_id')
          when 'quests_completed_count' then t.completed >= (a.criteria ->> 'threshold')::int
          when 'interactions_count' then t.interactions >= (a.criteria ->> 'threshold')::int
          when 'category_mastery' then
            case when a.criteria ? 'threshold'
                 then (select count(*) from done d where d.category = a.criteria ->> 'category') >= (a.criteria ->> 'threshold')::int
                 else exists (select 1 from done d where d.category = a.criteria ->> 'category')
                      and (select count(*) from done d where d.category = a.criteria ->> 'category')
                        = (select count(*) from quest_definitions q where q.category = a.criteria ->> 'category')
            end
          else false end)
     insert into user_achievements (user_id, achievement_id, context)
     select $1, id, $2::jsonb from earned
     on conflict (user_id, achievement_id) do nothing
     returning *`,
  ),
  recordMemoryOperation: statement<{ id: string }>(
    'record_memory_operation',
    `insert into memory_operations (operation_type, character_id, latency_ms, result_quality_score, metadata)
     select $1, (select id from character_agents where name = $2), $3, $4, $5::jsonb
     returning id`,
  ),
  getConfig: statement<Row<Tables.SystemConfig>>('get_config', 'select * from system_config where key = $1'),
  insertConfig: statement<Row<Tables.SystemConfig>>(
    'insert_config',
    `insert into system_config (key, value, version) values ($1, $2::jsonb, 1)
     on conflict (key) do nothing returning *`,
  ),
  updateConfig: statement<Row<Tables.SystemConfig>>(
    'update_config',
    `update system_config set value = $2::jsonb, version = version + 1, updated_at = now()
      where key = $1 and version = $3 returning *`,
  ),
  appendOutbox: statement<{ id: string }>(
    'append_outbox',
    `insert into outbox (aggregate_type, aggregate_id, event_type, payload, available_at)
     select * from unnest($1::varchar[], $2::varchar[], $3::varchar[], $4::jsonb[], $5::timestamptz[])
     returning id`,
  ),
  // The relay's claim: due events in order, skipping rows other workers hold, and skipping an
  // event while an earlier one of the same aggregate is still pending (order per aggregate).
  // Claimed events are leased: invisible until `available_at`, so a crashed worker's events
  // come back by themselves.
  claimOutbox: statement<Row<Tables.OutboxEvent>>(
    'claim_outbox',
    `with next as (
       select o.id from outbox o
        where o.processed_at is null and o.parked_at is null and o.available_at <= now()
          and not exists (
            select 1 from outbox e
             where e.aggregate_type = o.aggregate_type and e.aggregate_id = o.aggregate_id
               and e.id < o.id and e.processed_at is null and e.parked_at is null)
        order by o.available_at, o.id
        limit $1
        for update skip locked)
     update outbox o
        set available_at = now() + make_interval(secs => $2::double precision / 1000), attempts = o.attempts + 1
       from next where o.id = next.id
     returning o.*`,
  ),
  extendOutboxLease: statement<{ id: string }>(
    'extend_outbox_lease',
    `update outbox o set available_at = now() + make_interval(secs => $3::double precision / 1000)
       from unnest($1::bigint[], $2::int[]) as held(id, attempts)
      where o.id = held.id and o.attempts = held.attempts and o.processed_at is null and o.parked_at is null
      returning o.id`,
  ),
  completeOutbox: statement<{ id: string }>(
    'complete_outbox',
    'update outbox set processed_at = now(), last_error = null where id = any($1::bigint[]) returning id',
  ),
  failOutbox: statement<{ id: string }>(
    'fail_outbox',
    `update outbox set last_error = $2, available_at = now() + make_interval(secs => $3::double precision / 1000)
      where id = $1 and processed_at is null returning id`,
  ),
  parkOutbox: statement<{ id: string }>(
    'park_outbox',
    'update outbox set last_error = $2, parked_at = now() where id = $1 and processed_at is null returning id',
  ),
} as const;
