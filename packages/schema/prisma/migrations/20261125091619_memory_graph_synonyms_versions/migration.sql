-- CreateTable
CREATE TABLE "memory_synonym_edges" (
    "character_context" VARCHAR(50) NOT NULL,
    "entity_a_id" UUID NOT NULL,
    "entity_b_id" UUID NOT NULL,
    "similarity" DOUBLE PRECISION NOT NULL,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "memory_synonym_edges_pkey" PRIMARY KEY ("entity_a_id","entity_b_id")
);

-- CreateTable
CREATE TABLE "memory_graph_versions" (
    "character_context" VARCHAR(50) NOT NULL,
    "version" BIGINT NOT NULL DEFAULT 0,
    "changed_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "memory_graph_versions_pkey" PRIMARY KEY ("character_context")
);

-- CreateIndex
CREATE INDEX "memory_synonym_edges_entity_b_id_idx" ON "memory_synonym_edges"("entity_b_id");

-- CreateIndex
CREATE INDEX "memory_synonym_edges_character_context_idx" ON "memory_synonym_edges"("character_context");

-- AddForeignKey
ALTER TABLE "memory_synonym_edges" ADD CONSTRAINT "memory_synonym_edges_entity_a_id_fkey" FOREIGN KEY ("entity_a_id") REFERENCES "memory_entities"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "memory_synonym_edges" ADD CONSTRAINT "memory_synonym_edges_entity_b_id_fkey" FOREIGN KEY ("entity_b_id") REFERENCES "memory_entities"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Hand-written: what Prisma's schema language cannot express.
ALTER TABLE "memory_synonym_edges"
  ADD CONSTRAINT "memory_synonym_edges_pair_order" CHECK ("entity_a_id" < "entity_b_id"),
  ADD CONSTRAINT "memory_synonym_edges_similarity_range" CHECK ("similarity" BETWEEN 0 AND 1);
ALTER TABLE "memory_graph_versions"
  ADD CONSTRAINT "memory_graph_versions_version_nonnegative" CHECK ("version" >= 0);

-- The memory graph version of a character context moves with every change of its graph, whichever
-- client writes (repositories, the seed, plain SQL, cascading deletes): statement-level triggers
-- over the transition tables, so a bulk insert bumps once per statement and context, and a
-- statement that changed nothing (an idempotent re-ingest: ON CONFLICT DO NOTHING) bumps nothing.
CREATE FUNCTION "monsteros_bump_memory_graph_version"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO "memory_graph_versions" ("character_context", "version", "changed_at")
      SELECT DISTINCT "character_context", 1, now() FROM new_rows
      ON CONFLICT ("character_context") DO UPDATE
        SET "version" = "memory_graph_versions"."version" + 1, "changed_at" = now();
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO "memory_graph_versions" ("character_context", "version", "changed_at")
      SELECT DISTINCT "character_context", 1, now() FROM old_rows
      ON CONFLICT ("character_context") DO UPDATE
        SET "version" = "memory_graph_versions"."version" + 1, "changed_at" = now();
  ELSE
    INSERT INTO "memory_graph_versions" ("character_context", "version", "changed_at")
      SELECT "character_context", 1, now() FROM new_rows
      UNION SELECT "character_context", 1, now() FROM old_rows
      ON CONFLICT ("character_context") DO UPDATE
        SET "version" = "memory_graph_versions"."version" + 1, "changed_at" = now();
  END IF;
  RETURN NULL;
END;
$$;

-- Entities and passages are upserted with ON CONFLICT DO UPDATE on re-ingest (importance, a no-op
-- returning the row): only inserts and deletes change the graph, so they have no UPDATE trigger.
CREATE TRIGGER "memory_passages_graph_version_ins" AFTER INSERT ON "memory_passages"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "monsteros_bump_memory_graph_version"();
CREATE TRIGGER "memory_passages_graph_version_del" AFTER DELETE ON "memory_passages"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "monsteros_bump_memory_graph_version"();
CREATE TRIGGER "memory_entities_graph_version_ins" AFTER INSERT ON "memory_entities"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "monsteros_bump_memory_graph_version"();
CREATE TRIGGER "memory_entities_graph_version_del" AFTER DELETE ON "memory_entities"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "monsteros_bump_memory_graph_version"();
CREATE TRIGGER "memory_triples_graph_version_ins" AFTER INSERT ON "memory_triples"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "monsteros_bump_memory_graph_version"();
CREATE TRIGGER "memory_triples_graph_version_del" AFTER DELETE ON "memory_triples"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "monsteros_bump_memory_graph_version"();
CREATE TRIGGER "memory_synonym_edges_graph_version_ins" AFTER INSERT ON "memory_synonym_edges"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "monsteros_bump_memory_graph_version"();
CREATE TRIGGER "memory_synonym_edges_graph_version_upd" AFTER UPDATE ON "memory_synonym_edges"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "monsteros_bump_memory_graph_version"();
CREATE TRIGGER "memory_synonym_edges_graph_version_del" AFTER DELETE ON "memory_synonym_edges"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "monsteros_bump_memory_graph_version"();

-- Contexts that already have memory start at version 1.
INSERT INTO "memory_graph_versions" ("character_context", "version")
  SELECT "character_context", 1 FROM "memory_passages"
  UNION SELECT "character_context", 1 FROM "memory_entities"
  ON CONFLICT DO NOTHING;
