// The JSONB documents of the MonsterOS schema: one zod schema each, and its TS type.
// Prisma and Kysely type JSONB columns as plain JSON; repositories validate writes with
// these schemas at the boundary and read them back typed.
import { z } from 'zod';

/** Any JSON value (what a JSONB column can hold). */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export const JsonValueSchema: z.ZodType<JsonValue> = z.lazy(() =>
  z.union([
    z.string(),
    z.number().refine(Number.isFinite, 'must be a finite number'),
    z.boolean(),
    z.null(),
    z.array(JsonValueSchema),
    z.record(z.string(), JsonValueSchema),
  ]),
);
/** A JSON object (JSONB columns that must hold an object). */
export const JsonObjectSchema = z.record(z.string(), JsonValueSchema);
export type JsonObject = z.infer<typeof JsonObjectSchema>;

/** Machine name of a character: lower case, starts with a letter, at most 50 characters. */
export const CharacterNameSchema = z
  .string()
  .regex(/^[a-z][a-z0-9_-]{0,49}$/, 'must be 1-50 characters of a-z, 0-9, _ or -, starting with a letter');

// character_agents ---------------------------------------------------------------------

export const PersonalityConfigSchema = z
  .object({
    traits: z.array(z.string().min(1)).default([]),
    tone: z.string().min(1).optional(),
    teaching_style: z.string().min(1).optional(),
    catchphrases: z.array(z.string()).optional(),
    /** 0 (reserved) to 1 (exuberant). */
    verbosity: z.number().min(0).max(1).optional(),
  })
  .catchall(JsonValueSchema);
export type PersonalityConfig = z.infer<typeof PersonalityConfigSchema>;

export const CapabilitiesSchema = z.array(z.string().min(1).max(100));
export type Capabilities = z.infer<typeof CapabilitiesSchema>;

export const CharacterStatusSchema = z.enum(['active', 'inactive', 'busy', 'maintenance']);
export type CharacterStatus = z.infer<typeof CharacterStatusSchema>;

export const CurrentStateSchema = z
  .object({
    status: CharacterStatusSchema,
    mood: z.string().optional(),
    current_context: z.string().optional(),
    last_active_at: z.iso.datetime({ offset: true }).optional(),
  })
  .catchall(JsonValueSchema);
export type CurrentState = z.infer<typeof CurrentStateSchema>;

/** Named numeric metrics (avg_response_time_ms, satisfaction_avg, …), merged with `||`. */
export const PerformanceMetricsSchema = z.record(
  z.string().min(1).max(100),
  z.number().refine(Number.isFinite, 'must be a finite number'),
);
export type PerformanceMetrics = z.infer<typeof PerformanceMetricsSchema>;

// user_profiles -------------------------------------------------------------------------

export const LearningPreferencesSchema = z
  .object({
    pace: z.enum(['slow', 'steady', 'fast']).optional(),
    style: z.enum(['visual', 'verbal', 'hands_on', 'mixed']).optional(),
    preferred_characters: z.array(CharacterNameSchema).optional(),
    session_minutes: z.number().int().positive().optional(),
  })
  .catchall(JsonValueSchema);
export type LearningPreferences = z.infer<typeof LearningPreferencesSchema>;

/** Skill name to level (0 to 100). */
export const SkillProgressionSchema = z.record(z.string().min(1), z.number().min(0).max(100));
export type SkillProgression = z.infer<typeof SkillProgressionSchema>;

/** Character name to the relationship with it. */
export const CharacterRelationshipsSchema = z.record(
  z.string(),
  z
    .object({ affinity: z.number().min(-1).max(1), interactions: z.number().int().min(0) })
    .catchall(JsonValueSchema),
);
export type CharacterRelationships = z.infer<typeof CharacterRelationshipsSchema>;

export const QuestProgressSummarySchema = z
  .object({ active: z.number().int().min(0).optional(), completed: z.number().int().min(0).optional() })
  .catchall(JsonValueSchema);
export type QuestProgressSummary = z.infer<typeof QuestProgressSummarySchema>;

export const AchievementSummarySchema = z.array(z.string());
export type AchievementSummary = z.infer<typeof AchievementSummarySchema>;

// quest_definitions ---------------------------------------------------------------------

export const LearningObjectivesSchema = z.array(z.string().min(1));
export type LearningObjectives = z.infer<typeof LearningObjectivesSchema>;

export const QuestChapterSchema = z.object({
  number: z.number().int().min(1),
  title: z.string().min(1),
  summary: z.string().optional(),
});
export const QuestContentSchema = z
  .object({ description: z.string().optional(), chapters: z.array(QuestChapterSchema).default([]) })
  .catchall(JsonValueSchema);
export type QuestContent = z.infer<typeof QuestContentSchema>;

export const CharacterMentorsSchema = z.array(CharacterNameSchema);
export type CharacterMentors = z.infer<typeof CharacterMentorsSchema>;

/** Ids of quests to complete first; together they must form a DAG. */
export const PrerequisitesSchema = z.array(z.uuid());
export type Prerequisites = z.infer<typeof PrerequisitesSchema>;

// user_quest_progress, achievements ------------------------------------------------------

export const CompletionDataSchema = z
  .object({
    final_score: z.number().min(0).max(100).optional(),
    completion_time_minutes: z.number().min(0).optional(),
    chapters_completed: z.array(z.number().int().min(1)).optional(),
  })
  .catchall(JsonValueSchema);
export type CompletionData = z.infer<typeof CompletionDataSchema>;

export const AchievementCriteriaSchema = z
  .object({
    kind: z.enum([
      'quest_completed',
      'quests_completed_count',
      'interactions_count',
      'category_mastery',
      'manual',
    ]),
    quest_id: z.uuid().optional(),
    category: z.string().optional(),
    threshold: z.number().int().positive().optional(),
  })
  .catchall(JsonValueSchema);
export type AchievementCriteria = z.infer<typeof AchievementCriteriaSchema>;

// outbox ---------------------------------------------------------------------------------

/** An event to append to the outbox, before it has an id. */
export const OutboxEventInputSchema = z.object({
  aggregate_type: z.string().min(1).max(50),
  aggregate_id: z.string().min(1).max(100),
  event_type: z.string().min(1).max(100),
  payload: JsonObjectSchema,
  /** Earliest time the relay may apply it (default: now). */
  available_at: z.date().optional(),
});
export type OutboxEventInput = z.infer<typeof OutboxEventInputSchema>;
