// analytics.views: the performance, memory and learning views (defined in tables.ts) read with
// an optional filter, and the shapes of their rows.

import { z } from 'zod';
import type { Analytics } from './analytics-types.js';
import type { Db } from './db.js';
import { check, Name, Uuid } from './validation.js';

export interface CharacterPerformanceRow {
  character_name: string;
  hour: Date;
  avg_response_time: number;
  interaction_count: number;
  avg_satisfaction: number | null;
  success_rate: number;
}
export interface MemoryPerformanceRow {
  day: Date;
  operation_type: string;
  avg_latency: number;
  operation_count: number;
  avg_quality: number | null;
}
export interface LearningAnalyticsRow {
  user_id: string;
  quest_category: string;
  avg_completion_time: number;
  quests_completed: number;
  avg_score: number | null;
  max_difficulty_reached: number;
}

// The views' filters (a null filter is a VALIDATION error, not a TypeError).
const ViewFilter = z.object(
  { character: Name.optional(), operationType: Name.optional(), userId: Uuid.optional() },
  { message: 'must be an object' },
);

/** The three views on `db`, each filtered by one optional field. */
export function views(db: Db): Analytics['views'] {
  return {
    characterPerformance: async (filter = {}) =>
      db.read<CharacterPerformanceRow>(
        'view:character_performance',
        'select * from character_performance where $1::varchar is null or character_name = $1::varchar order by character_name, hour',
        [check(ViewFilter, filter, 'filter').character ?? null],
      ),
    memoryPerformance: async (filter = {}) =>
      db.read<MemoryPerformanceRow>(
        'view:memory_performance',
        'select * from memory_performance where $1::varchar is null or operation_type = $1::varchar order by day, operation_type',
        [check(ViewFilter, filter, 'filter').operationType ?? null],
      ),
    learningAnalytics: async (filter = {}) =>
      db.read<LearningAnalyticsRow>(
        'view:learning_analytics',
        `select user_id::varchar as user_id, quest_category, avg_completion_time, quests_completed, avg_score, max_difficulty_reached
           from learning_analytics where $1::varchar is null or user_id = $1::uuid order by user_id, quest_category`,
        [check(ViewFilter, filter, 'filter').userId ?? null],
      ),
  };
}
