-- CreateTable
CREATE TABLE "character_agents" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "name" VARCHAR(50) NOT NULL,
    "display_name" VARCHAR(100) NOT NULL,
    "role" VARCHAR(50) NOT NULL,
    "personality_config" JSONB NOT NULL DEFAULT '{}',
    "backend_system" VARCHAR(50) NOT NULL,
    "capabilities" JSONB NOT NULL DEFAULT '[]',
    "current_state" JSONB NOT NULL DEFAULT '{"status": "active"}',
    "performance_metrics" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "character_agents_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "user_profiles" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "username" VARCHAR(50) NOT NULL,
    "learning_preferences" JSONB NOT NULL DEFAULT '{}',
    "skill_progression" JSONB NOT NULL DEFAULT '{}',
    "character_relationships" JSONB NOT NULL DEFAULT '{}',
    "quest_progress" JSONB NOT NULL DEFAULT '{}',
    "achievements" JSONB NOT NULL DEFAULT '[]',
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "user_profiles_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "quest_definitions" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "quest_name" VARCHAR(100) NOT NULL,
    "category" VARCHAR(50) NOT NULL,
    "difficulty" SMALLINT NOT NULL,
    "learning_objectives" JSONB NOT NULL DEFAULT '[]',
    "quest_content" JSONB NOT NULL DEFAULT '{}',
    "character_mentors" JSONB NOT NULL DEFAULT '[]',
    "prerequisites" JSONB NOT NULL DEFAULT '[]',
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "quest_definitions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "user_quest_progress" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "user_id" UUID NOT NULL,
    "quest_id" UUID NOT NULL,
    "progress_percentage" DECIMAL(5,2) NOT NULL DEFAULT 0,
    "current_chapter" INTEGER NOT NULL DEFAULT 1,
    "completion_data" JSONB NOT NULL DEFAULT '{}',
    "started_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "completed_at" TIMESTAMPTZ(6),

    CONSTRAINT "user_quest_progress_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "achievements" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "name" VARCHAR(100) NOT NULL,
    "description" TEXT NOT NULL,
    "category" VARCHAR(50) NOT NULL,
    "criteria" JSONB NOT NULL DEFAULT '{}',
    "points" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "achievements_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "user_achievements" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "user_id" UUID NOT NULL,
    "achievement_id" UUID NOT NULL,
    "awarded_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "context" JSONB NOT NULL DEFAULT '{}',

    CONSTRAINT "user_achievements_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "system_config" (
    "key" VARCHAR(100) NOT NULL,
    "value" JSONB NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "system_config_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "character_interactions" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "character_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "session_id" VARCHAR(100),
    "message" TEXT NOT NULL,
    "response" TEXT NOT NULL,
    "response_time_ms" INTEGER NOT NULL,
    "user_satisfaction" SMALLINT,
    "success" BOOLEAN NOT NULL DEFAULT true,
    "idempotency_key" VARCHAR(200),
    "request_hash" VARCHAR(64),
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "character_interactions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "memory_operations" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "operation_type" VARCHAR(50) NOT NULL,
    "character_id" UUID,
    "latency_ms" DOUBLE PRECISION NOT NULL,
    "result_quality_score" DOUBLE PRECISION,
    "metadata" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "memory_operations_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "memory_passages" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "character_context" VARCHAR(50) NOT NULL,
    "content" TEXT NOT NULL,
    "content_hash" VARCHAR(64) NOT NULL,
    "metadata" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "memory_passages_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "memory_entities" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "name" VARCHAR(200) NOT NULL,
    "normalized_name" VARCHAR(200) NOT NULL,
    "entity_type" VARCHAR(50) NOT NULL,
    "character_context" VARCHAR(50) NOT NULL,
    "importance_score" DOUBLE PRECISION NOT NULL DEFAULT 0.5,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "memory_entities_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "memory_triples" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "character_context" VARCHAR(50) NOT NULL,
    "subject_id" UUID NOT NULL,
    "predicate" VARCHAR(200) NOT NULL,
    "object_id" UUID NOT NULL,
    "passage_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "memory_triples_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "outbox" (
    "id" BIGSERIAL NOT NULL,
    "aggregate_type" VARCHAR(50) NOT NULL,
    "aggregate_id" VARCHAR(100) NOT NULL,
    "event_type" VARCHAR(100) NOT NULL,
    "payload" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "available_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,
    "processed_at" TIMESTAMPTZ(6),
    "parked_at" TIMESTAMPTZ(6),

    CONSTRAINT "outbox_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "character_agents_name_key" ON "character_agents"("name");

-- CreateIndex
CREATE INDEX "character_agents_role_idx" ON "character_agents"("role");

-- CreateIndex
CREATE INDEX "character_agents_performance_metrics_idx" ON "character_agents" USING GIN ("performance_metrics" jsonb_path_ops);

-- CreateIndex
CREATE UNIQUE INDEX "user_profiles_username_key" ON "user_profiles"("username");

-- CreateIndex
CREATE UNIQUE INDEX "quest_definitions_quest_name_key" ON "quest_definitions"("quest_name");

-- CreateIndex
CREATE INDEX "quest_definitions_category_difficulty_idx" ON "quest_definitions"("category", "difficulty");

-- CreateIndex
CREATE INDEX "user_quest_progress_quest_id_idx" ON "user_quest_progress"("quest_id");

-- CreateIndex
CREATE UNIQUE INDEX "user_quest_progress_user_id_quest_id_key" ON "user_quest_progress"("user_id", "quest_id");

-- CreateIndex
CREATE UNIQUE INDEX "achievements_name_key" ON "achievements"("name");

-- CreateIndex
CREATE INDEX "user_achievements_achievement_id_idx" ON "user_achievements"("achievement_id");

-- CreateIndex
CREATE UNIQUE INDEX "user_achievements_user_id_achievement_id_key" ON "user_achievements"("user_id", "achievement_id");

-- CreateIndex
CREATE UNIQUE INDEX "character_interactions_idempotency_key_key" ON "character_interactions"("idempotency_key");

-- CreateIndex
CREATE INDEX "character_interactions_user_id_character_id_created_at_idx" ON "character_interactions"("user_id", "character_id", "created_at" DESC);

-- CreateIndex
CREATE INDEX "character_interactions_character_id_created_at_idx" ON "character_interactions"("character_id", "created_at");

-- CreateIndex
CREATE INDEX "character_interactions_created_at_id_idx" ON "character_interactions"("created_at", "id");

-- CreateIndex
CREATE INDEX "memory_operations_created_at_id_idx" ON "memory_operations"("created_at", "id");

-- CreateIndex
CREATE INDEX "memory_operations_operation_type_created_at_idx" ON "memory_operations"("operation_type", "created_at");

-- CreateIndex
CREATE INDEX "memory_operations_character_id_idx" ON "memory_operations"("character_id");

-- CreateIndex
CREATE UNIQUE INDEX "memory_passages_character_context_content_hash_key" ON "memory_passages"("character_context", "content_hash");

-- CreateIndex
CREATE INDEX "memory_entities_character_context_entity_type_idx" ON "memory_entities"("character_context", "entity_type");

-- CreateIndex
CREATE UNIQUE INDEX "memory_entities_character_context_normalized_name_key" ON "memory_entities"("character_context", "normalized_name");

-- CreateIndex
CREATE INDEX "memory_triples_object_id_idx" ON "memory_triples"("object_id");

-- CreateIndex
CREATE INDEX "memory_triples_passage_id_idx" ON "memory_triples"("passage_id");

-- CreateIndex
CREATE INDEX "memory_triples_character_context_idx" ON "memory_triples"("character_context");

-- CreateIndex
CREATE UNIQUE INDEX "memory_triples_subject_id_predicate_object_id_passage_id_key" ON "memory_triples"("subject_id", "predicate", "object_id", "passage_id");

-- CreateIndex
CREATE INDEX "outbox_aggregate_type_aggregate_id_id_idx" ON "outbox"("aggregate_type", "aggregate_id", "id");

-- AddForeignKey
ALTER TABLE "user_quest_progress" ADD CONSTRAINT "user_quest_progress_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "user_profiles"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "user_quest_progress" ADD CONSTRAINT "user_quest_progress_quest_id_fkey" FOREIGN KEY ("quest_id") REFERENCES "quest_definitions"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "user_achievements" ADD CONSTRAINT "user_achievements_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "user_profiles"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "user_achievements" ADD CONSTRAINT "user_achievements_achievement_id_fkey" FOREIGN KEY ("achievement_id") REFERENCES "achievements"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "character_interactions" ADD CONSTRAINT "character_interactions_character_id_fkey" FOREIGN KEY ("character_id") REFERENCES "character_agents"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "character_interactions" ADD CONSTRAINT "character_interactions_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "user_profiles"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "memory_operations" ADD CONSTRAINT "memory_operations_character_id_fkey" FOREIGN KEY ("character_id") REFERENCES "character_agents"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "memory_triples" ADD CONSTRAINT "memory_triples_subject_id_fkey" FOREIGN KEY ("subject_id") REFERENCES "memory_entities"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "memory_triples" ADD CONSTRAINT "memory_triples_object_id_fkey" FOREIGN KEY ("object_id") REFERENCES "memory_entities"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "memory_triples" ADD CONSTRAINT "memory_triples_passage_id_fkey" FOREIGN KEY ("passage_id") REFERENCES "memory_passages"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- ---------------------------------------------------------------------------------------
-- Hand-written: what Prisma's schema language cannot express. `db:check` replays this on a
-- shadow database and proves later schema diffs leave it alone (test: raw objects kept).
-- ---------------------------------------------------------------------------------------

-- Value rules, enforced by the database whoever writes.
ALTER TABLE "character_agents"
  ADD CONSTRAINT "character_agents_name_format" CHECK ("name" ~ '^[a-z][a-z0-9_-]{0,49}$'),
  ADD CONSTRAINT "character_agents_current_state_status" CHECK (jsonb_typeof("current_state") = 'object' AND "current_state" ? 'status'),
  ADD CONSTRAINT "character_agents_performance_metrics_object" CHECK (jsonb_typeof("performance_metrics") = 'object'),
  ADD CONSTRAINT "character_agents_capabilities_array" CHECK (jsonb_typeof("capabilities") = 'array');
ALTER TABLE "user_profiles"
  ADD CONSTRAINT "user_profiles_username_not_blank" CHECK (length(btrim("username")) > 0);
ALTER TABLE "quest_definitions"
  ADD CONSTRAINT "quest_definitions_difficulty_range" CHECK ("difficulty" BETWEEN 1 AND 10),
  ADD CONSTRAINT "quest_definitions_prerequisites_array" CHECK (jsonb_typeof("prerequisites") = 'array');
ALTER TABLE "user_quest_progress"
  ADD CONSTRAINT "user_quest_progress_percentage_range" CHECK ("progress_percentage" BETWEEN 0 AND 100),
  ADD CONSTRAINT "user_quest_progress_chapter_positive" CHECK ("current_chapter" >= 1),
  ADD CONSTRAINT "user_quest_progress_completed_at_full" CHECK ("completed_at" IS NULL OR "progress_percentage" = 100);
ALTER TABLE "achievements"
  ADD CONSTRAINT "achievements_points_nonnegative" CHECK ("points" >= 0);
ALTER TABLE "system_config"
  ADD CONSTRAINT "system_config_version_positive" CHECK ("version" >= 1);
ALTER TABLE "character_interactions"
  ADD CONSTRAINT "character_interactions_response_time_nonnegative" CHECK ("response_time_ms" >= 0),
  ADD CONSTRAINT "character_interactions_satisfaction_range" CHECK ("user_satisfaction" BETWEEN 1 AND 5);
ALTER TABLE "memory_operations"
  ADD CONSTRAINT "memory_operations_latency_nonnegative" CHECK ("latency_ms" >= 0),
  ADD CONSTRAINT "memory_operations_quality_range" CHECK ("result_quality_score" BETWEEN 0 AND 1);
ALTER TABLE "memory_entities"
  ADD CONSTRAINT "memory_entities_importance_range" CHECK ("importance_score" BETWEEN 0 AND 1);
ALTER TABLE "outbox"
  ADD CONSTRAINT "outbox_attempts_nonnegative" CHECK ("attempts" >= 0);

-- Hot paths that need partial indexes.
-- getCharacterByName reads active characters only.
CREATE INDEX "character_agents_active_name_idx" ON "character_agents" ("name") WHERE ("current_state" ->> 'status') = 'active';
-- getUserActiveQuests: a user's unfinished quests, newest first.
CREATE INDEX "user_quest_progress_active_idx" ON "user_quest_progress" ("user_id", "started_at" DESC) WHERE "completed_at" IS NULL;
-- The relay's queue: unprocessed, unparked events in order.
CREATE INDEX "outbox_pending_idx" ON "outbox" ("available_at", "id") WHERE "processed_at" IS NULL AND "parked_at" IS NULL;

-- updated_at is kept by the database, so writes through Kysely or plain SQL keep it too
-- (Prisma's @updatedAt only covers writes through Prisma Client).
CREATE FUNCTION "monsteros_set_updated_at"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW."updated_at" := now();
  RETURN NEW;
END;
$$;
CREATE TRIGGER "character_agents_updated_at" BEFORE UPDATE ON "character_agents" FOR EACH ROW EXECUTE FUNCTION "monsteros_set_updated_at"();
CREATE TRIGGER "user_profiles_updated_at" BEFORE UPDATE ON "user_profiles" FOR EACH ROW EXECUTE FUNCTION "monsteros_set_updated_at"();
CREATE TRIGGER "system_config_updated_at" BEFORE UPDATE ON "system_config" FOR EACH ROW EXECUTE FUNCTION "monsteros_set_updated_at"();
CREATE TRIGGER "memory_entities_updated_at" BEFORE UPDATE ON "memory_entities" FOR EACH ROW EXECUTE FUNCTION "monsteros_set_updated_at"();
