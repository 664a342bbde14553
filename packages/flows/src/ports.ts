// What the flows need from the vector store, in the flows' own words. `vectors-port.ts` builds it
// on @monsteros/vectors; keeping the seam narrow keeps the flows readable and testable.
import type { CharacterInteraction } from '@monsteros/schema';
import type { Vectors } from '@monsteros/vectors';

/** A memory a character recalled for a message. */
export interface RecalledMemory {
  /** The interaction the memory came from. */
  interactionId: CharacterInteraction['id'];
  text: string;
  score: number;
}

/** One character memory to store (the embedding of an interaction). */
export interface MemoryToStore {
  interactionId: string;
  character: string;
  userId: string;
  /** What is embedded: the user's message (what a later question will resemble). */
  text: string;
  /** What the memory recalls (message and response); default `text`. */
  summary?: string;
  /** ISO timestamp of the interaction. */
  createdAt: string;
  learningValue: number;
}

/** An achievement grant to embed among the user's memory entities. */
export interface AchievementToStore {
  grantId: string;
  userId: string;
  name: string;
  description: string;
  awardedAt: string;
  points: number;
}

/** A stored character memory with its vector, for consolidation. */
export interface StoredMemory {
  pointId: string;
  interactionId: string;
  character: string;
  text: string;
  learningValue: number;
  createdAt: string;
  vector: Float32Array;
  /** Interactions merged into this memory (itself when not consolidated). */
  mergedFrom: string[];
}

export interface VectorsPort {
  /** The @monsteros/vectors store underneath (collections, strategies, documents), when there is one. */
  readonly store: Vectors | null;
  /** The character's memories most relevant to `query` (recent ones boosted). */
  recall(character: string, query: string, limit: number): Promise<RecalledMemory[]>;
  /** Stores (idempotently: id derived from the interaction) the memories. */
  remember(memories: MemoryToStore[]): Promise<void>;
  /** Sets the learning value of the memories of these interactions (absolute values: replays change nothing). */
  setLearningValues(values: ReadonlyArray<{ interactionId: string; learningValue: number }>): Promise<void>;
  /** Stores (idempotently) achievement embeddings. */
  rememberAchievements(achievements: AchievementToStore[]): Promise<void>;
  /** Every stored memory of the character, with vectors. */
  memoriesOf(character: string): Promise<StoredMemory[]>;
  /** Replaces `replaced` memories with one consolidated memory. */
  consolidate(into: Omit<StoredMemory, 'pointId'>, replaced: StoredMemory[]): Promise<void>;
  /** Interaction ids that have a stored memory (for reconcile). */
  storedInteractionIds(): Promise<Set<string>>;
  /** Deletes the memories of these interactions (orphans). */
  forget(interactionIds: string[]): Promise<void>;
  /** Grant ids that have an achievement embedding (for reconcile). */
  storedAchievementIds(): Promise<Set<string>>;
  /** Deletes the embeddings of these grants (orphans). */
  forgetAchievements(grantIds: string[]): Promise<void>;
  /** Ids of the memory graph's entities and passages that have a point in `memory_embeddings`. */
  storedMemoryGraphIds(): Promise<Set<string>>;
  /** Deletes the points of these entities and passages (orphans). */
  forgetMemoryGraph(ids: string[]): Promise<void>;
  /** Ids of the memory graph's triples that have a fact point in `knowledge_graph_vectors`. */
  storedMemoryFactIds(): Promise<Set<string>>;
  /** Deletes the fact points of these triples (orphans). */
  forgetMemoryFacts(tripleIds: string[]): Promise<void>;
  health(): Promise<{ ok: boolean; latencyMs: number; error?: string }>;
  /**
   * Present when the data layer started with Qdrant unreachable: provisions the collections (once
   * Qdrant answers) before a caller uses `store` directly.
   */
  ready?(): Promise<void>;
  close(): Promise<void>;
}
