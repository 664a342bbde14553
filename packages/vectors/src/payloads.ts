import type { CharacterAgent, CharacterInteraction, JsonValue, MemoryEntity } from '@monsteros/schema';
import { z } from 'zod';

/**
 * Payload of a `memory_embeddings` point: one HippoRAG entity of a character's memory graph.
 * `entity_id` is the `memory_entities` row it embeds; `timestamp` is RFC 3339.
 */
export interface MemoryEmbeddingPayload {
  entity_id: MemoryEntity['id'];
  entity_type: MemoryEntity['entity_type'];
  character_context: MemoryEntity['character_context'];
  timestamp: string;
  importance_score: MemoryEntity['importance_score'];
  name?: MemoryEntity['name'];
  /** The text that was embedded, kept for rerankers and display. */
  text?: string;
  [extra: string]: JsonValue | undefined;
}

/**
 * Payload of a `character_memories` point: something a character learned in one interaction.
 * `interaction_id` is the `character_interactions` row, `character_name` the agent's `name`.
 */
export interface CharacterMemoryPayload {
  interaction_id: CharacterInteraction['id'];
  character_name: CharacterAgent['name'];
  memory_type: string;
  user_context: string;
  learning_value: number;
  /** When it happened (RFC 3339): the clock of `characterContextSearch`'s temporal decay. */
  timestamp: string;
  text?: string;
  [extra: string]: JsonValue | undefined;
}

/** Payload of a `document_vectors` point: one chunk of a processed document. */
export interface DocumentVectorPayload {
  /** UUID of the source document. */
  document_id: string;
  document_type: string;
  /** The character agent (`name`) that processed the document. */
  processed_by: CharacterAgent['name'];
  extraction_quality: number;
  text?: string;
  [extra: string]: JsonValue | undefined;
}

/**
 * Payload of a `knowledge_graph_vectors` point: one fact (triple) of a character's memory graph,
 * embedded as "subject predicate object" (HippoRAG 2's fact linking). `triple_id` is the
 * `memory_triples` row, `passage_id` the passage it was extracted from.
 */
export interface KnowledgeGraphVectorPayload {
  triple_id: string;
  character_context: MemoryEntity['character_context'];
  subject_id: MemoryEntity['id'];
  object_id: MemoryEntity['id'];
  passage_id: string;
  predicate: string;
  /** "subject predicate object": what was embedded. */
  text?: string;
  [extra: string]: JsonValue | undefined;
}

/** The payload type of each MonsterOS collection. */
export interface CollectionPayloads {
  memory_embeddings: MemoryEmbeddingPayload;
  knowledge_graph_vectors: KnowledgeGraphVectorPayload;
  character_memories: CharacterMemoryPayload;
  document_vectors: DocumentVectorPayload;
}

/** A MonsterOS collection's logical name (what the alias is called). */
export type CollectionName = keyof CollectionPayloads;

const uuid = z.uuid({ message: 'must be a UUID' });
const nonEmpty = z.string().min(1, 'must not be empty');
const datetime = z.iso.datetime({ offset: true, message: 'must be an RFC 3339 datetime' });
const unit = z.number().min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1');
const characterName = z
  .string()
  .regex(/^[a-z][a-z0-9_-]{0,49}$/, 'must be a character name (a-z, 0-9, _ or -, starting with a letter)');

/** zod schemas of the payloads: the ids and indexed fields are required, extra keys are kept. */
export const payloadSchemas = {
  memory_embeddings: z.looseObject({
    entity_id: uuid,
    entity_type: nonEmpty,
    character_context: nonEmpty,
    timestamp: datetime,
    importance_score: unit,
    name: z.string().optional(),
    text: z.string().optional(),
  }),
  knowledge_graph_vectors: z.looseObject({
    triple_id: uuid,
    character_context: nonEmpty,
    subject_id: uuid,
    object_id: uuid,
    passage_id: uuid,
    predicate: nonEmpty,
    text: z.string().optional(),
  }),
  character_memories: z.looseObject({
    interaction_id: uuid,
    character_name: characterName,
    memory_type: nonEmpty,
    user_context: z.string(),
    learning_value: z.number().refine(Number.isFinite, 'must be a finite number'),
    timestamp: datetime,
    text: z.string().optional(),
  }),
  document_vectors: z.looseObject({
    document_id: uuid,
    document_type: nonEmpty,
    processed_by: characterName,
    extraction_quality: unit,
    text: z.string().optional(),
  }),
} as const;
