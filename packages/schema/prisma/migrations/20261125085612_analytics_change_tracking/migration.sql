-- AlterTable: change tracking for the analytics ingestion
ALTER TABLE "character_interactions" ADD COLUMN     "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP;

-- AlterTable: change tracking for the analytics ingestion
ALTER TABLE "user_quest_progress" ADD COLUMN     "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP;

-- CreateIndex
CREATE INDEX "character_interactions_updated_at_id_idx" ON "character_interactions"("updated_at", "id");

-- CreateIndex
CREATE INDEX "user_quest_progress_updated_at_id_idx" ON "user_quest_progress"("updated_at", "id");

-- The analytics ingestion reads changes since a watermark on (updated_at, id): the database
-- keeps updated_at on every update, whichever client writes.
CREATE TRIGGER "character_interactions_updated_at" BEFORE UPDATE ON "character_interactions" FOR EACH ROW EXECUTE FUNCTION "monsteros_set_updated_at"();
CREATE TRIGGER "user_quest_progress_updated_at" BEFORE UPDATE ON "user_quest_progress" FOR EACH ROW EXECUTE FUNCTION "monsteros_set_updated_at"();
