// What an ingest does outside PostgreSQL, applied from its outbox event (and, by default, once
// right after the commit): embed the new entities and passages into `memory_embeddings`, find
// synonym edges for the new entities through the vector store (nearest neighbours above the
// threshold, never all pairs), store those edges, and drop the character's cached retrievals.
// Idempotent: point ids derive from the row ids, synonym edges are upserts, so a replay after a
// crash (or the relay applying an event the inline path already applied) changes nothing.
import type { Cache } from '@monsteros/cache';
import type { OutboxRow, Relational } from '@monsteros/relational';
import type { UpsertRecord, Vectors } from '@monsteros/vectors';
import { z } from 'zod';
import { type OutboxHandler, PermanentError } from '../outbox/relay.js';
import { batchSynonyms, type SynonymCandidate } from './synonym-knn.js';

/** The event an ingest appends (one per at most 1,000 new rows), aggregate `memory` / character. */
export const MEMORY_INGESTED = 'memory.ingested';

/** Payload of `memory.ingested`: the rows this ingest created. */
export interface MemoryIngestedPayload {
  character: string;
  entityIds: string[];
  passageIds: string[];
  /** The new triples (facts for `knowledge_graph_vectors`); absent in events of older releases. */
  tripleIds?: string[];
}

/** A `memory.ingested` payload (the relay's events, and `memory.applyIngested`'s argument). */
export const PayloadSchema = z.object({
  character: z.string().min(1),
  entityIds: z.array(z.uuid()),
  passageIds: z.array(z.uuid()),
  tripleIds: z.array(z.uuid()).optional(),
});

/** The text a fact is embedded as (dense and BM25) in `knowledge_graph_vectors`. */
const factText = (subject: string, predicate: string, object: string) => `${subject} ${predicate} ${object}`;

/** `entity_type` of the passage points in `memory_embeddings` (the dense fallback searches them). */
const PASSAGE_POINT_TYPE = 'passage';
/** Filters of `memory_embeddings`: graph entities only, or passages only. */
export const ENTITIES_ONLY = { must_not: [{ key: 'entity_type', match: { value: PASSAGE_POINT_TYPE } }] };
export const PASSAGES_ONLY = { must: [{ key: 'entity_type', match: { value: PASSAGE_POINT_TYPE } }] };

/** The cache tag of a character's retrievals. */
export const characterTag = (character: string) => `character:${character}`;

/** What applying the side effects needs. */
export interface SideEffectDeps {
  relational: Pick<Relational, 'memory'>;
  vectors: Pick<Vectors, 'upsert' | 'search' | 'embed'>;
  cache?: Pick<Cache, 'policies'> | undefined;
  /** Similarity above which two entities get a synonym edge. Default 0.8. */
  synonymThreshold: number;
  /** Nearest neighbours looked at per new entity. Default 10. */
  synonymNeighbors: number;
}

/** What one application did. */
export interface SideEffectResult {
  embeddedEntities: number;
  embeddedPassages: number;
  embeddedFacts: number;
  synonymEdges: number;
}

const SEARCH_CONCURRENCY = 8;

/**
 * Applies an ingest's side effects (see the file comment). Rows deleted since the ingest are
 * skipped. Throws when a store fails, so the relay retries it.
 * @example
 * await applyMemoryIngested(deps, { character: 'sage', entityIds, passageIds });
 */
export async function applyMemoryIngested(
  deps: SideEffectDeps,
  payload: MemoryIngestedPayload,
): Promise<SideEffectResult> {
  const embedded = await embedIngested(deps, payload);
  const edges = await searchSynonyms(deps, payload.character, embedded.entities);
  const synonymEdges = await storeSynonymEdges(deps, payload.character, edges);
  await deps.cache?.policies.memory_search_results.invalidateTag(characterTag(payload.character));
  return {
    embeddedEntities: embedded.entities.length,
    embeddedPassages: embedded.passages,
    embeddedFacts: embedded.facts,
    synonymEdges,
  };
}

/**
 * The side effects of one ingest into a character whose memory was empty before it (all payloads
 * of that ingest): embeds every payload, then computes the synonym edges among all the new
 * entities at once in process (`batchSynonyms`; store searches when the embeddings are dense),
 * since there is nothing older in the store to compare with. Returns the edges stored.
 */
export async function applyFreshIngest(
  deps: SideEffectDeps,
  payloads: MemoryIngestedPayload[],
): Promise<number> {
  const character = payloads[0]!.character;
  // Two payloads in flight: one's rows are read from PostgreSQL while the other's are embedded
  // and written (the embedding and the local store's writes take the CPU, the reads wait).
  const embedded: EmbeddedEntity[][] = [];
  let next = 0;
  const worker = async () => {
    while (next < payloads.length) {
      const i = next++;
      embedded[i] = (await embedIngested(deps, payloads[i]!)).entities;
    }
  };
  await Promise.all([worker(), worker()]);
  const entities = embedded.flat();
  const edges =
    batchSynonyms(
      entities.map((e) => e.id),
      entities.map((e) => e.vector),
      deps.synonymThreshold,
      deps.synonymNeighbors,
    ) ?? (await searchSynonyms(deps, character, entities));
  const stored = await storeSynonymEdges(deps, character, edges);
  await deps.cache?.policies.memory_search_results.invalidateTag(characterTag(character));
  return stored;
}

/** An entity embedded by `embedIngested`, with its vector (the synonym search's input). */
interface EmbeddedEntity {
  id: string;
  name: string;
  vector: Float32Array;
}

/**
 * Embeds a payload's entities (name) and passages (text) into `memory_embeddings`, and its
 * triples ("subject predicate object") into `knowledge_graph_vectors`, skipping rows deleted
 * since (or of another character). Returns the entities embedded and the counts.
 */
async function embedIngested(
  deps: Pick<SideEffectDeps, 'relational' | 'vectors'>,
  payload: MemoryIngestedPayload,
): Promise<{ entities: EmbeddedEntity[]; passages: number; facts: number }> {
  const { relational, vectors } = deps;
  const character = payload.character;
  const [entities, passages, facts] = await Promise.all([
    relational.memory.entities(payload.entityIds),
    relational.memory.passages(payload.passageIds),
    relational.memory.facts(payload.tripleIds ?? []),
  ]);
  const ownEntities = entities.filter((e) => e.character_context === character);
  const ownPassages = passages.filter((p) => p.character_context === character);
  const ownFacts = facts.filter((f) => f.character_context === character);
  if (ownFacts.length > 0)
    await vectors.upsert(
      'knowledge_graph_vectors',
      ownFacts.map((f) => ({
        text: factText(f.subject, f.predicate, f.object),
        payload: {
          triple_id: f.id,
          character_context: character,
          subject_id: f.subject_id,
          object_id: f.object_id,
          passage_id: f.passage_id,
          predicate: f.predicate,
        },
      })),
    );
  // Entity names embedded here, not inside the upsert: their vectors are returned for the synonym
  // search (an embedding cache smaller than one ingest would otherwise embed them twice).
  const entityVectors =
    ownEntities.length > 0
      ? await vectors.embed(
          'memory_embeddings',
          ownEntities.map((e) => e.name),
        )
      : [];
  const records: UpsertRecord<'memory_embeddings'>[] = [
    ...ownEntities.map((e, i) => ({
      text: e.name,
      vector: entityVectors[i]!,
      payload: {
        entity_id: e.id,
        entity_type: e.entity_type,
        character_context: character,
        timestamp: e.created_at.toISOString(),
        importance_score: e.importance_score,
        name: e.name,
      },
    })),
    ...ownPassages.map((p) => ({
      text: p.content,
      payload: {
        entity_id: p.id,
        entity_type: PASSAGE_POINT_TYPE,
        character_context: character,
        timestamp: p.created_at.toISOString(),
        importance_score: 0.5,
      },
    })),
  ];
  if (records.length > 0) await vectors.upsert('memory_embeddings', records);
  return {
    entities: ownEntities.map((e, i) => ({ id: e.id, name: e.name, vector: entityVectors[i]! })),
    passages: ownPassages.length,
    facts: ownFacts.length,
  };
}

/** Synonyms of each entity among everything the character's memory holds, by one store search each. */
async function searchSynonyms(
  deps: Pick<SideEffectDeps, 'vectors' | 'synonymThreshold' | 'synonymNeighbors'>,
  character: string,
  entities: EmbeddedEntity[],
): Promise<SynonymCandidate[]> {
  const edges: SynonymCandidate[] = [];
  let next = 0;
  const worker = async () => {
    while (next < entities.length) {
      const entity = entities[next++]!;
      const hits = await deps.vectors.search('memory_embeddings', entity.name, {
        character,
        filter: ENTITIES_ONLY,
        scoreThreshold: deps.synonymThreshold,
        limit: deps.synonymNeighbors + 1,
      });
      for (const hit of hits) {
        if (hit.sourceId === entity.id || hit.score < deps.synonymThreshold) continue;
        edges.push({
          entity_a_id: entity.id,
          entity_b_id: hit.sourceId,
          similarity: Math.min(1, Math.max(0, hit.score)),
        });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(SEARCH_CONCURRENCY, entities.length) }, worker));
  return edges;
}

/** Stores synonym edges (upserts, in statements of at most 50,000); returns the rows changed. */
async function storeSynonymEdges(
  deps: Pick<SideEffectDeps, 'relational'>,
  character: string,
  edges: SynonymCandidate[],
): Promise<number> {
  let stored = 0;
  for (let i = 0; i < edges.length; i += 50_000)
    stored += await deps.relational.memory.upsertSynonymEdges(character, edges.slice(i, i + 50_000));
  return stored;
}

/** Reads a `memory.ingested` payload; a malformed one can never succeed, so it parks the event. */
function parseIngestedPayload(event: Pick<OutboxRow, 'id' | 'payload'>): MemoryIngestedPayload {
  const parsed = PayloadSchema.safeParse(event.payload);
  if (!parsed.success)
    throw new PermanentError(
      `${MEMORY_INGESTED} event ${event.id}: payload ${parsed.error.issues[0]!.path.join('.') || 'root'}: ${parsed.error.issues[0]!.message}`,
    );
  return parsed.data;
}

/** Builds the relay handlers of the memory's events from the side-effect dependencies. */
export function handlersFor(deps: SideEffectDeps): Record<string, OutboxHandler> {
  return {
    [MEMORY_INGESTED]: async (event) => {
      await applyMemoryIngested(deps, parseIngestedPayload(event));
    },
  };
}
