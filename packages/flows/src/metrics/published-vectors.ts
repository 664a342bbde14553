// The embedded vector engine's figures, published to Redis by the data layer that holds its
// directory, so that a monitor in another process (`pnpm db:report`) can show them.
import type { EngineTelemetry } from '@monsteros/vectors';

/** The name under which a data layer on the embedded engine publishes its vector stats. */
export const LOCAL_VECTORS_DOC = 'local_vectors';

/** One collection's figures as the vector store reports them (and monitors show them). */
export interface VectorCollectionFigures {
  name: string;
  points: number;
  indexedVectors: number;
  status: string;
  optimizerStatus: string | null;
  segments: number | null;
}

/** What a data layer on the embedded engine publishes to Redis for monitors elsewhere (`local_vectors`). */
export interface PublishedVectorsStats {
  collections: VectorCollectionFigures[];
  local: EngineTelemetry;
}
