// The analytics tables and views. All timestamps are TIMESTAMP in UTC (no time zone arithmetic
// in DuckDB, so hourly and daily buckets are the same on every machine).

/** The tables we own, with the column each one is partitioned by in Parquet exports. */
export const TABLES = {
  character_interactions: { timeColumn: 'timestamp' },
  memory_operations: { timeColumn: 'timestamp' },
  quest_completions: { timeColumn: 'completed_at' },
  system_metrics: { timeColumn: 'timestamp' },
} as const;

export type TableName = keyof typeof TABLES;
export const TABLE_NAMES = Object.keys(TABLES) as TableName[];

export const DDL = `
create table if not exists character_interactions (
  id uuid not null,
  character_name varchar not null,
  user_id uuid not null,
  "timestamp" timestamp not null,
  response_time double not null,
  user_satisfaction smallint,
  success boolean not null,
  updated_at timestamp not null
);
create table if not exists memory_operations (
  id uuid not null,
  "timestamp" timestamp not null,
  operation_type varchar not null,
  character_name varchar,
  operation_latency double not null,
  result_quality_score double
);
create table if not exists quest_completions (
  id uuid not null,
  user_id uuid not null,
  quest_category varchar not null,
  completion_time double not null,
  final_score double,
  difficulty_level integer not null,
  completed_at timestamp not null,
  updated_at timestamp not null
);
create table if not exists system_metrics (
  metric_type varchar not null,
  agent_name varchar not null,
  "timestamp" timestamp not null,
  value double not null
);
create table if not exists ingest_watermarks (
  source varchar primary key,
  watermark_us bigint not null,
  watermark_id varchar not null,
  rows_total bigint not null,
  ingested_at timestamp not null
);

create or replace view character_performance as
select character_name,
       date_trunc('hour', "timestamp") as hour,
       avg(response_time) as avg_response_time,
       count(*) as interaction_count,
       avg(user_satisfaction) as avg_satisfaction,
       avg(case when success then 1.0 else 0.0 end)::double as success_rate
  from character_interactions
 group by character_name, date_trunc('hour', "timestamp");

create or replace view memory_performance as
select date_trunc('day', "timestamp") as day,
       operation_type,
       avg(operation_latency) as avg_latency,
       count(*) as operation_count,
       avg(result_quality_score) as avg_quality
  from memory_operations
 group by date_trunc('day', "timestamp"), operation_type;

create or replace view learning_analytics as
select user_id,
       quest_category,
       avg(completion_time) as avg_completion_time,
       count(*) as quests_completed,
       avg(final_score) as avg_score,
       max(difficulty_level) as max_difficulty_reached
  from quest_completions
 group by user_id, quest_category;
`;
