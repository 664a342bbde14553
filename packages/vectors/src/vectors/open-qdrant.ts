// The Qdrant client of a target: the one you pass, the embedded local engine opened over a
// directory (or in memory), or the official REST client.
import { createLocalQdrantClient, LocalQdrant, type QdrantClientLike } from '@monsteros/qdrant-local';
import { QdrantClient } from '@qdrant/js-client-rest';
import type { QdrantTarget } from '../vectors-options.js';

/** The client, and the local engine when one was opened here (close() closes it). */
export async function openQdrant(
  target: QdrantTarget,
): Promise<{ client: QdrantClientLike; engine: LocalQdrant | null }> {
  if ('client' in target) return { client: target.client, engine: null };
  if ('local' in target) {
    const engine = await LocalQdrant.open(target.local);
    return { client: createLocalQdrantClient(engine), engine };
  }
  return {
    client: new QdrantClient({
      url: target.url,
      ...(target.apiKey ? { apiKey: target.apiKey } : {}),
      timeout: target.timeoutMs ?? 30_000,
      checkCompatibility: false,
    }),
    engine: null,
  };
}
