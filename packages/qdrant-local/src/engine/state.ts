import { collectionNotFound, pathValidationError } from '../errors.js';
import type { Collection } from './collection.js';
import { checkCollectionName } from './collection-config.js';

/**
 * What the engine holds: its collections by name, aliases (alias → collection) and the sequence
 * number of the last write applied. Changed only by `applyOp` (engine/apply.ts), under the
 * journal's write lock; read by everything else.
 */
export class EngineState {
  collections = new Map<string, Collection>();
  aliases = new Map<string, string>();
  seq = 0;

  /** The collection a name or an alias points to; 422 for a name Qdrant could never hold, else 404. */
  resolve(name: string): Collection {
    const col = this.collections.get(this.aliases.get(name) ?? name);
    if (!col) {
      // Qdrant validates the path before looking the name up: a name it could never hold is a 422.
      const nameError = checkCollectionName(name);
      throw nameError ? pathValidationError(`name: ${nameError}`) : collectionNotFound(name);
    }
    return col;
  }

  /** The aliases that point at collection `target`. */
  aliasesOf(target: string): string[] {
    return [...this.aliases].filter(([, c]) => c === target).map(([a]) => a);
  }
}
