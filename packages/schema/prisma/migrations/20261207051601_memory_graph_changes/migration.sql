-- CreateTable
CREATE TABLE "memory_graph_changes" (
    "character_context" VARCHAR(50) NOT NULL,
    "version" BIGINT NOT NULL,
    "table_name" VARCHAR(50) NOT NULL,
    "operation" VARCHAR(10) NOT NULL,
    "ids" UUID[],
    "ids_b" UUID[],
    "changed_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "memory_graph_changes_pkey" PRIMARY KEY ("character_context","version")
);

-- Hand-written: the version trigger also logs what each version changed, in the same statement.
-- Versions of one context are bumped under the row lock of its memory_graph_versions row, held
-- until commit, so they are dense, each is written by exactly one statement, and a snapshot that
-- sees version V sees the change rows of every version up to V and of none after it.
CREATE OR REPLACE FUNCTION "monsteros_bump_memory_graph_version"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    WITH bumped AS (
      INSERT INTO "memory_graph_versions" ("character_context", "version", "changed_at")
        SELECT DISTINCT "character_context", 1, now() FROM old_rows
        ON CONFLICT ("character_context") DO UPDATE
          SET "version" = "memory_graph_versions"."version" + 1, "changed_at" = now()
        RETURNING "character_context", "version"
    ), logged AS (
      INSERT INTO "memory_graph_changes" ("character_context", "version", "table_name", "operation")
        SELECT b."character_context", b."version", TG_TABLE_NAME, 'delete' FROM bumped b
    )
    DELETE FROM "memory_graph_changes" c USING bumped b
      WHERE c."character_context" = b."character_context" AND c."version" <= b."version" - 1000;
  ELSIF TG_TABLE_NAME = 'memory_synonym_edges' THEN
    -- Inserts and similarity updates: the pairs as they are after the statement.
    WITH bumped AS (
      INSERT INTO "memory_graph_versions" ("character_context", "version", "changed_at")
        SELECT DISTINCT "character_context", 1, now() FROM new_rows
        ON CONFLICT ("character_context") DO UPDATE
          SET "version" = "memory_graph_versions"."version" + 1, "changed_at" = now()
        RETURNING "character_context", "version"
    ), logged AS (
      INSERT INTO "memory_graph_changes" ("character_context", "version", "table_name", "operation", "ids", "ids_b")
        SELECT b."character_context", b."version", TG_TABLE_NAME, lower(TG_OP),
               array_agg(n."entity_a_id"), array_agg(n."entity_b_id")
          FROM bumped b JOIN new_rows n ON n."character_context" = b."character_context"
         GROUP BY b."character_context", b."version"
    )
    DELETE FROM "memory_graph_changes" c USING bumped b
      WHERE c."character_context" = b."character_context" AND c."version" <= b."version" - 1000;
  ELSIF TG_TABLE_NAME = 'memory_passages' THEN
    -- A passage reaches the graph through its triples (their rows name it): no ids needed.
    WITH bumped AS (
      INSERT INTO "memory_graph_versions" ("character_context", "version", "changed_at")
        SELECT DISTINCT "character_context", 1, now() FROM new_rows
        ON CONFLICT ("character_context") DO UPDATE
          SET "version" = "memory_graph_versions"."version" + 1, "changed_at" = now()
        RETURNING "character_context", "version"
    ), logged AS (
      INSERT INTO "memory_graph_changes" ("character_context", "version", "table_name", "operation")
        SELECT b."character_context", b."version", TG_TABLE_NAME, 'insert' FROM bumped b
    )
    DELETE FROM "memory_graph_changes" c USING bumped b
      WHERE c."character_context" = b."character_context" AND c."version" <= b."version" - 1000;
  ELSE
    -- Entities and triples inserted: their ids.
    WITH bumped AS (
      INSERT INTO "memory_graph_versions" ("character_context", "version", "changed_at")
        SELECT DISTINCT "character_context", 1, now() FROM new_rows
        ON CONFLICT ("character_context") DO UPDATE
          SET "version" = "memory_graph_versions"."version" + 1, "changed_at" = now()
        RETURNING "character_context", "version"
    ), logged AS (
      INSERT INTO "memory_graph_changes" ("character_context", "version", "table_name", "operation", "ids")
        SELECT b."character_context", b."version", TG_TABLE_NAME, 'insert', array_agg(n."id")
          FROM bumped b JOIN new_rows n ON n."character_context" = b."character_context"
         GROUP BY b."character_context", b."version"
    )
    DELETE FROM "memory_graph_changes" c USING bumped b
      WHERE c."character_context" = b."character_context" AND c."version" <= b."version" - 1000;
  END IF;
  RETURN NULL;
END;
$$;
