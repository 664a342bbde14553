// The analyses: typed results (plain objects with Dates and numbers), parameterized queries
// only. Each takes its window and an optional `now` (default: the current time).
import type { Db } from './db.js';
import { UnknownNameError } from './errors.js';
import { BucketMinutes, check, Days, Hours, Name, OptionsObject, When } from './validation.js';

const us = (d: Date) => (BigInt(d.getTime()) * 1000n).toString();

export interface HourlyPoint {
  hour: Date;
  interactions: number;
  avgResponseTimeMs: number;
  avgSatisfaction: number | null;
  successRate: number;
}

/** One character's last hours. */
export interface CharacterTrend {
  character: string;
  interactions: number;
  avgResponseTimeMs: number;
  avgSatisfaction: number | null;
  /** Successful interactions / all, a fraction in [0, 1]. */
  successRate: number;
  /** Least-squares slope of the hourly average response time, ms per hour (null with fewer than two hours). */
  responseTimeSlopeMsPerHour: number | null;
  /** Falling response times are improving; within ±1% of the average per hour is stable. */
  direction: 'improving' | 'stable' | 'degrading';
  hourly: HourlyPoint[];
}

export type MemoryRating = 'Excellent' | 'Good' | 'Needs Improvement';

export interface MemoryEfficiencyRow {
  operationType: string;
  operations: number;
  avgLatencyMs: number;
  p95LatencyMs: number;
  avgQuality: number | null;
  rating: MemoryRating;
}

export interface MemoryEfficiency {
  overall: Omit<MemoryEfficiencyRow, 'operationType'>;
  byOperation: MemoryEfficiencyRow[];
}

export interface LearningEffectiveness {
  category: string;
  uniqueLearners: number;
  completions: number;
  /** Median completion time in minutes. */
  typicalCompletionMinutes: number;
  avgCompletionMinutes: number;
  avgScore: number | null;
  maxDifficulty: number;
}

export interface MetricBucket {
  bucket: Date;
  agent: string;
  avg: number;
  max: number;
  min: number;
  count: number;
}

/**
 * The rating rule: Excellent when the average latency is under 100 ms and the quality over
 * 0.8; Good under 200 ms and over 0.7; otherwise Needs Improvement. Both bounds are strict.
 */
export function rateMemory(avgLatencyMs: number, avgQuality: number | null): MemoryRating {
  if (avgQuality !== null && avgLatencyMs < 100 && avgQuality > 0.8) return 'Excellent';
  if (avgQuality !== null && avgLatencyMs < 200 && avgQuality > 0.7) return 'Good';
  return 'Needs Improvement';
}

export function analyses(db: Db) {
  return {
    /**
     * Per character over the last `hours` (default 24): totals, hourly points and the
     * response-time trend.
     * @example
     * const trends = await analytics.characterTrends({ hours: 24 });
     */
    async characterTrends(
      options: { hours?: number; now?: Date; character?: string } = {},
    ): Promise<CharacterTrend[]> {
      check(OptionsObject, options, 'options');
      const hours = check(Hours, options.hours ?? 24, 'hours');
      const now = check(When, options.now ?? new Date(), 'now');
      const character = check(Name.optional(), options.character, 'character');
      const since = new Date(now.getTime() - hours * 3_600_000);
      const rows = await db.read<{
        character_name: string;
        hour: Date;
        interactions: number;
        avg_response: number;
        avg_satisfaction: number | null;
        success_rate: number;
        sum_response: number;
        sum_satisfaction: number | null;
        rated: number;
        successes: number;
      }>(
        'characterTrends',
        `select character_name, date_trunc('hour', "timestamp") as hour, count(*) as interactions,
                avg(response_time) as avg_response, avg(user_satisfaction)::double as avg_satisfaction,
                avg(case when success then 1.0 else 0.0 end)::double as success_rate,
                sum(response_time) as sum_response, sum(user_satisfaction)::double as sum_satisfaction,
                count(user_satisfaction) as rated, count(*) filter (where success) as successes
           from character_interactions
          where "timestamp" >= make_timestamp($1::bigint) and "timestamp" < make_timestamp($2::bigint)
            and ($3::varchar is null or character_name = $3::varchar)
          group by 1, 2
          order by 1, 2`,
        [us(since), us(now), character ?? null],
      );
      const byCharacter = new Map<string, typeof rows>();
      for (const r of rows) {
        const list = byCharacter.get(r.character_name) ?? [];
        list.push(r);
        byCharacter.set(r.character_name, list);
      }
      return [...byCharacter.entries()].map(([character, points]) => {
        const interactions = points.reduce((n, p) => n + p.interactions, 0);
        const rated = points.reduce((n, p) => n + p.rated, 0);
        const avgResponseTimeMs = points.reduce((n, p) => n + p.sum_response, 0) / interactions;
        const slope = leastSquaresSlope(points.map((p) => [p.hour.getTime() / 3_600_000, p.avg_response]));
        const direction =
          slope === null || Math.abs(slope) <= 0.01 * avgResponseTimeMs
            ? 'stable'
            : slope < 0
              ? 'improving'
              : 'degrading';
        return {
          character,
          interactions,
          avgResponseTimeMs,
          avgSatisfaction: rated ? points.reduce((n, p) => n + (p.sum_satisfaction ?? 0), 0) / rated : null,
          successRate: points.reduce((n, p) => n + p.successes, 0) / interactions,
          responseTimeSlopeMsPerHour: slope,
          direction,
          hourly: points.map((p) => ({
            hour: p.hour,
            interactions: p.interactions,
            avgResponseTimeMs: p.avg_response,
            avgSatisfaction: p.avg_satisfaction,
            successRate: p.success_rate,
          })),
        };
      });
    },

    /**
     * Memory operations over the last `days` (default 7), overall and per operation type, rated.
     * @example
     * const { overall } = await analytics.memoryEfficiency({ days: 7 });
     */
    async memoryEfficiency(options: { days?: number; now?: Date } = {}): Promise<MemoryEfficiency> {
      check(OptionsObject, options, 'options');
      const days = check(Days, options.days ?? 7, 'days');
      const now = check(When, options.now ?? new Date(), 'now');
      const since = new Date(now.getTime() - days * 86_400_000);
      const rows = await db.read<{
        operation_type: string | null;
        operations: number;
        avg_latency: number | null;
        p95_latency: number | null;
        avg_quality: number | null;
      }>(
        'memoryEfficiency',
        `select operation_type, count(*) as operations, avg(operation_latency) as avg_latency,
                quantile_cont(operation_latency, 0.95) as p95_latency, avg(result_quality_score) as avg_quality
           from memory_operations
          where "timestamp" >= make_timestamp($1::bigint) and "timestamp" < make_timestamp($2::bigint)
          group by grouping sets ((operation_type), ())
          order by operation_type nulls first`,
        [us(since), us(now)],
      );
      const toRow = (r: (typeof rows)[number]) => ({
        operations: r.operations,
        avgLatencyMs: r.avg_latency ?? 0,
        p95LatencyMs: r.p95_latency ?? 0,
        avgQuality: r.avg_quality,
        rating: rateMemory(r.avg_latency ?? 0, r.avg_quality),
      });
      const total = rows.find((r) => r.operation_type === null);
      return {
        overall: total
          ? toRow(total)
          : {
              operations: 0,
              avgLatencyMs: 0,
              p95LatencyMs: 0,
              avgQuality: null,
              rating: 'Needs Improvement',
            },
        byOperation: rows
          .filter((r) => r.operation_type !== null)
          .map((r) => ({ operationType: r.operation_type!, ...toRow(r) })),
      };
    },

    /**
     * Per quest category: unique learners, completions, typical (median) and average
     * completion time, average score, hardest difficulty completed. All time unless `days`.
     * @example
     * const categories = await analytics.learningEffectiveness({ days: 30 });
     */
    async learningEffectiveness(
      options: { days?: number; now?: Date } = {},
    ): Promise<LearningEffectiveness[]> {
      check(OptionsObject, options, 'options');
      const days = options.days === undefined ? null : check(Days, options.days, 'days');
      const now = check(When, options.now ?? new Date(), 'now');
      const since = days === null ? null : new Date(now.getTime() - days * 86_400_000);
      const rows = await db.read<{
        quest_category: string;
        learners: number;
        completions: number;
        median_time: number;
        avg_time: number;
        avg_score: number | null;
        max_difficulty: number;
      }>(
        'learningEffectiveness',
        `select quest_category, count(distinct user_id) as learners, count(*) as completions,
                median(completion_time) as median_time, avg(completion_time) as avg_time,
                avg(final_score) as avg_score, max(difficulty_level) as max_difficulty
           from quest_completions
          where ($1::bigint is null or completed_at >= make_timestamp($1::bigint)) and completed_at < make_timestamp($2::bigint)
          group by quest_category
          order by quest_category`,
        [since ? us(since) : null, us(now)],
      );
      return rows.map((r) => ({
        category: r.quest_category,
        uniqueLearners: r.learners,
        completions: r.completions,
        typicalCompletionMinutes: r.median_time,
        avgCompletionMinutes: r.avg_time,
        avgScore: r.avg_score,
        maxDifficulty: r.max_difficulty,
      }));
    },

    /**
     * avg/max/min/count of one metric per agent over buckets of `bucketMinutes` (default 60)
     * in the last `hours` (default 24). An unknown metric is an UnknownNameError listing the known ones.
     * @example
     * const buckets = await analytics.metricBuckets({ metric: 'response_time', agent: 'sage' });
     */
    async metricBuckets(options: {
      metric: string;
      agent?: string;
      hours?: number;
      bucketMinutes?: number;
      now?: Date;
    }): Promise<MetricBucket[]> {
      check(OptionsObject, options, 'options');
      const hours = check(Hours, options.hours ?? 24, 'hours');
      const bucketMinutes = check(BucketMinutes, options.bucketMinutes ?? 60, 'bucketMinutes');
      const now = check(When, options.now ?? new Date(), 'now');
      const metric = check(Name, options.metric, 'metric');
      const agent = check(Name.optional(), options.agent, 'agent');
      const known = await db.read<{ metric_type: string }>(
        'knownMetrics',
        'select distinct metric_type from system_metrics order by 1',
      );
      if (!known.some((k) => k.metric_type === metric)) {
        throw new UnknownNameError(
          'metric',
          metric,
          known.map((k) => k.metric_type),
        );
      }
      const since = new Date(now.getTime() - hours * 3_600_000);
      const rows = await db.read<{
        bucket: Date;
        agent_name: string;
        avg: number;
        max: number;
        min: number;
        count: number;
      }>(
        'metricBuckets',
        `select time_bucket(to_microseconds($4::bigint), "timestamp", make_timestamp($1::bigint)) as bucket,
                agent_name, avg(value) as avg, max(value) as max, min(value) as min, count(*) as count
           from system_metrics
          where metric_type = $3 and ($5::varchar is null or agent_name = $5::varchar)
            and "timestamp" >= make_timestamp($1::bigint) and "timestamp" < make_timestamp($2::bigint)
          group by 1, 2
          order by 2, 1`,
        [us(since), us(now), metric, String(Math.round(bucketMinutes * 60_000_000)), agent ?? null],
      );
      return rows.map((r) => ({
        bucket: r.bucket,
        agent: r.agent_name,
        avg: r.avg,
        max: r.max,
        min: r.min,
        count: r.count,
      }));
    },
  };
}

function leastSquaresSlope(points: Array<[number, number]>): number | null {
  if (points.length < 2) return null;
  const n = points.length;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  let num = 0;
  let den = 0;
  for (const [x, y] of points) {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  }
  return den === 0 ? null : num / den;
}
