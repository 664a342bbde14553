// What the memory accepts, checked once at the boundary: a bad field is a MemoryInputError naming
// the field (with its path) and the rule, thrown before any store is touched.
import { normalizeEntityName } from '@monsteros/relational';
import { CharacterNameSchema, createInputCheck, type JsonObject, JsonObjectSchema } from '@monsteros/schema';
import { z } from 'zod';
import { FlowValidationError } from '../errors.js';

/** Input of the memory rejected before any store was touched: names the field and the rule. */
export class MemoryInputError extends FlowValidationError {
  override readonly name = 'MemoryInputError';
}

/** Parses `value` with `schema` or throws a MemoryInputError naming `field` and the nested path. */
export const check = createInputCheck((field, rule) => new MemoryInputError(field, rule));

const text = (max: number) =>
  z
    .string({ message: 'must be a string' })
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`);

/** A character's memory context: its name (as character_agents.name), or `global`. */
const Character = CharacterNameSchema;

const EntityName = text(200).refine(
  (name) => normalizeEntityName(name).length > 0,
  'must contain a letter or a digit',
);

/** One extracted fact: [subject, predicate, object]. */
export type Triple = [subject: string, predicate: string, object: string];

export const IngestInputSchema = z.object({
  character: Character,
  passages: z
    .array(
      z.object({
        // A passage of only whitespace has nothing to embed: its embedding event would park forever.
        text: text(100_000).refine((t) => t.trim().length > 0, 'must not be only whitespace'),
        triples: z.array(z.tuple([EntityName, text(200), EntityName])).max(1_000, 'at most 1000 per passage'),
        metadata: JsonObjectSchema.optional(),
      }),
      { message: 'must be an array of passages' },
    )
    .max(10_000, 'at most 10000 per ingest'),
});

/** What `memory.ingest` takes: passages with the triples the caller's extractor found in them. */
export interface IngestInput {
  character: string;
  passages: Array<{ text: string; triples: Triple[]; metadata?: JsonObject }>;
}

export const RetrieveInputSchema = z.object({
  character: Character,
  query: text(10_000),
  queryEntities: z.array(text(200)).max(32, 'at most 32').optional(),
  topK: z
    .number({ message: 'must be a number' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(100, 'must be at most 100')
    .optional(),
});

export const PassageSearchInputSchema = RetrieveInputSchema.omit({ queryEntities: true });

/** What `memory.searchPassages` takes. */
export interface PassageSearchInput {
  character: string;
  query: string;
  /** Passages returned. Default 5. */
  topK?: number;
}

/** What `memory.retrieve` takes. */
export interface RetrieveInput {
  character: string;
  /** The user's question; embedded for linking when `queryEntities` is absent, and for the dense fallback. */
  query: string;
  /** Named entities of the query (the caller's NER); each is linked to its nearest graph node. */
  queryEntities?: string[];
  /** Passages returned. Default 5. */
  topK?: number;
}

const unit = (rule: string) => z.number({ message: 'must be a number' }).min(0, rule).max(1, rule);
const count = (max: number) =>
  z
    .number({ message: 'must be a number' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(max, `must be at most ${max}`);

export const TuningSchema = z
  .object({
    damping: z
      .number({ message: 'must be a number' })
      .min(0, 'must be at least 0 and below 1')
      .lt(1, 'must be at least 0 and below 1')
      .optional(),
    synonymThreshold: unit('must be between 0 and 1').optional(),
    synonymNeighbors: count(100).optional(),
    entityLinkThreshold: unit('must be between 0 and 1').optional(),
    queryLinkThreshold: unit('must be between 0 and 1').optional(),
    queryLinkTopK: count(20).optional(),
    denseThreshold: unit('must be between 0 and 1').optional(),
    passageNodeWeight: unit('must be between 0 and 1').optional(),
    passageCandidates: count(1_000).optional(),
    passageSearch: z
      .enum(['hybrid', 'sparse', 'dense'], { message: 'must be hybrid, sparse or dense' })
      .optional(),
    passageFusion: z.enum(['dbsf', 'rrf'], { message: 'must be dbsf or rrf' }).optional(),
    nodeSpecificity: z.boolean({ message: 'must be true or false' }).optional(),
    queryLinking: z.enum(['facts', 'dictionary'], { message: 'must be facts or dictionary' }).optional(),
    factTopK: count(100).optional(),
    factSearch: z
      .enum(['hybrid', 'sparse', 'dense'], { message: 'must be hybrid, sparse or dense' })
      .optional(),
    factAnchoring: z.enum(['named', 'none'], { message: 'must be named or none' }).optional(),
    maxGraphs: count(10_000).optional(),
    incrementalGraphs: z.boolean({ message: 'must be true or false' }).optional(),
    sideEffects: z.enum(['inline', 'outbox'], { message: 'must be inline or outbox' }).optional(),
  })
  .strict();
