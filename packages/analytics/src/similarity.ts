// Near-duplicate detection for memory consolidation: cosine similarity of every pair of vectors
// within a group (a character's memories), computed by DuckDB over a temporary table.
import { ARRAY, FLOAT } from '@duckdb/node-api';
import { z } from 'zod';
import { type Db, rowsOf } from './db.js';
import { AnalyticsValidationError } from './errors.js';
import { check, Name } from './validation.js';

export interface SimilarityItem {
  id: string;
  /** Only pairs within one group are compared (e.g. the character). */
  group: string;
  vector: ArrayLike<number>;
}

export interface SimilarPair {
  a: string;
  b: string;
  group: string;
  similarity: number;
}

const Threshold = z
  .number({ message: 'must be a number' })
  .refine((n) => Number.isFinite(n) && n > -1 && n <= 1, 'must be a cosine similarity in (-1, 1]');

// The shape of the items (a null, a non-array or an item without a vector is VALIDATION, not a
// TypeError); names, lengths and finiteness are checked below with each item's index.
const Items = z.array(
  z.object(
    {
      id: z.unknown(),
      group: z.unknown(),
      vector: z.union([z.array(z.unknown()), z.instanceof(Float32Array), z.instanceof(Float64Array)], {
        message: 'must be an array of numbers',
      }),
    },
    { message: 'must be an object' },
  ),
  { message: 'must be an array' },
);

/**
 * Pairs (a < b by id) of items in the same group whose cosine similarity is at least
 * `threshold`, most similar first. All vectors must have one length.
 */
export async function similarPairs(
  db: Db,
  items: readonly SimilarityItem[],
  threshold: number,
): Promise<SimilarPair[]> {
  const t = check(Threshold, threshold, 'threshold');
  check(Items, items, 'items');
  if (items.length < 2) return [];
  const dims = items[0]!.vector.length;
  if (dims === 0) throw new AnalyticsValidationError('items[0].vector', 'must have at least one dimension');
  items.forEach((item, i) => {
    check(Name, item.id, `items[${i}].id`);
    check(Name, item.group, `items[${i}].group`);
    if (item.vector.length !== dims)
      throw new AnalyticsValidationError(`items[${i}].vector`, `must have ${dims} dimensions like the first`);
    for (let d = 0; d < dims; d++) {
      if (!Number.isFinite(item.vector[d]!))
        throw new AnalyticsValidationError(`items[${i}].vector`, 'must hold finite numbers');
    }
  });
  return db.withConnection('similarPairs', async (connection) => {
    await connection.run(`create temp table items (id varchar, grp varchar, v float[${dims}])`);
    const appender = await connection.createAppender('items', 'main', 'temp');
    const type = ARRAY(FLOAT, dims);
    for (const item of items) {
      appender.appendVarchar(item.id);
      appender.appendVarchar(item.group);
      appender.appendArray(Array.from(item.vector, Number), type);
      appender.endRow();
    }
    appender.closeSync();
    return rowsOf<SimilarPair>(
      connection,
      `select a.id as a, b.id as b, a.grp as "group", array_cosine_similarity(a.v, b.v)::double as similarity
         from items a join items b on a.grp = b.grp and a.id < b.id
        where array_cosine_similarity(a.v, b.v) >= $1
        order by similarity desc, a, b`,
      [t],
    );
  });
}
