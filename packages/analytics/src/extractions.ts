// The PostgreSQL side of ingestion: one keyset query per table over (change time, id), in
// microseconds so that no precision is lost between PostgreSQL, CSV and DuckDB. The cursor is
// written into the COPY text as a literal (COPY takes no parameters); it is only ever a bigint
// and a UUID we produced and re-validate here.

import type { TableName } from './tables.js';
import { UUID_PATTERN } from './validation.js';

export interface Cursor {
  /** Microseconds since the epoch of the change time. */
  us: bigint;
  id: string;
}

export const ZERO_ID = '00000000-0000-0000-0000-000000000000';

const us = (column: string) => `(extract(epoch from ${column}) * 1000000)::bigint`;

function cursorLiteral(cursor: Cursor): string {
  if (!UUID_PATTERN.test(cursor.id)) throw new Error(`cursor id ${JSON.stringify(cursor.id)} is not a UUID`);
  const micros = BigInt.asIntN(64, cursor.us).toString();
  return `(timestamptz 'epoch' + interval '${micros} microseconds', '${cursor.id}'::uuid)`;
}

export interface Extraction {
  table: Exclude<TableName, 'system_metrics'>;
  /** The watermark's key in ingest_watermarks. */
  source: string;
  /** The SELECT for one batch after `cursor`, ordered by (change time, id). */
  select(cursor: Cursor, limit: number): string;
  /** DuckDB types of the CSV columns, in order; they include change_us (the cursor time) and id. */
  csvColumns: Record<string, string>;
  /** SELECT over the staged batch (`stage`) producing the target table's columns. */
  insert: string;
}

export const EXTRACTIONS: Record<Extraction['table'], Extraction> = {
  character_interactions: {
    table: 'character_interactions',
    source: 'postgres:character_interactions',
    select: (cursor, limit) => `
      select i.id, c.name, i.user_id, ${us('i.created_at')}, i.response_time_ms, i.user_satisfaction,
             i.success, ${us('i.updated_at')}
        from character_interactions i
        join character_agents c on c.id = i.character_id
       where (i.updated_at, i.id) > ${cursorLiteral(cursor)}
       order by i.updated_at, i.id
       limit ${limit}`,
    csvColumns: {
      id: 'UUID',
      character_name: 'VARCHAR',
      user_id: 'UUID',
      created_us: 'BIGINT',
      response_time: 'DOUBLE',
      user_satisfaction: 'SMALLINT',
      success: 'BOOLEAN',
      change_us: 'BIGINT',
    },
    insert: `select id, character_name, user_id, make_timestamp(created_us), response_time, user_satisfaction,
                    success, make_timestamp(change_us)
               from stage`,
  },
  memory_operations: {
    table: 'memory_operations',
    source: 'postgres:memory_operations',
    // created_at may be given by the writer (a past time); recorded_at is always the server's
    // clock at insert, so it is the change watermark.
    select: (cursor, limit) => `
      select m.id, m.operation_type, c.name, m.latency_ms, m.result_quality_score, ${us('m.created_at')},
             ${us('m.recorded_at')}
        from memory_operations m
        left join character_agents c on c.id = m.character_id
       where (m.recorded_at, m.id) > ${cursorLiteral(cursor)}
       order by m.recorded_at, m.id
       limit ${limit}`,
    csvColumns: {
      id: 'UUID',
      operation_type: 'VARCHAR',
      character_name: 'VARCHAR',
      operation_latency: 'DOUBLE',
      result_quality_score: 'DOUBLE',
      created_us: 'BIGINT',
      change_us: 'BIGINT',
    },
    insert: `select id, make_timestamp(created_us), operation_type, character_name, operation_latency, result_quality_score
               from stage`,
  },
  quest_completions: {
    table: 'quest_completions',
    source: 'postgres:quest_completions',
    // Completion is final (progress never goes backwards), but completion_data can still be
    // corrected: updated_at catches both.
    select: (cursor, limit) => `
      select p.id, p.user_id, q.category, q.difficulty, ${us('p.started_at')}, ${us('p.completed_at')},
             (p.completion_data ->> 'final_score')::float8,
             (p.completion_data ->> 'completion_time_minutes')::float8,
             ${us('p.updated_at')}
        from user_quest_progress p
        join quest_definitions q on q.id = p.quest_id
       where (p.updated_at, p.id) > ${cursorLiteral(cursor)} and p.completed_at is not null
       order by p.updated_at, p.id
       limit ${limit}`,
    csvColumns: {
      id: 'UUID',
      user_id: 'UUID',
      quest_category: 'VARCHAR',
      difficulty_level: 'INTEGER',
      started_us: 'BIGINT',
      completed_us: 'BIGINT',
      final_score: 'DOUBLE',
      completion_minutes: 'DOUBLE',
      change_us: 'BIGINT',
    },
    insert: `select id, user_id, quest_category,
                    coalesce(completion_minutes, (completed_us - started_us) / 60000000.0),
                    final_score, difficulty_level, make_timestamp(completed_us), make_timestamp(change_us)
               from stage`,
  },
};
