-- AlterTable
ALTER TABLE "memory_operations" ADD COLUMN     "recorded_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP;

-- CreateIndex
CREATE INDEX "memory_operations_recorded_at_id_idx" ON "memory_operations"("recorded_at", "id");
