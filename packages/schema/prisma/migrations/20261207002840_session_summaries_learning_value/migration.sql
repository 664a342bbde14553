-- AlterTable
ALTER TABLE "character_interactions" ADD COLUMN     "learning_value" REAL NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "session_summaries" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "user_id" UUID NOT NULL,
    "session_key" VARCHAR(100) NOT NULL,
    "active_character" VARCHAR(50),
    "current_quest" VARCHAR(100),
    "quest_progress" JSONB NOT NULL DEFAULT '{}',
    "session_data" JSONB NOT NULL DEFAULT '{}',
    "last_activity_at" TIMESTAMPTZ(6) NOT NULL,
    "ended_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "session_summaries_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "session_summaries_ended_at_id_idx" ON "session_summaries"("ended_at", "id");

-- CreateIndex
CREATE UNIQUE INDEX "session_summaries_user_id_session_key_key" ON "session_summaries"("user_id", "session_key");

-- AddForeignKey
ALTER TABLE "session_summaries" ADD CONSTRAINT "session_summaries_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "user_profiles"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- A learning value is a share: 0 to 1.
ALTER TABLE "character_interactions" ADD CONSTRAINT "character_interactions_learning_value_range" CHECK ("learning_value" >= 0 AND "learning_value" <= 1);
