// The outbox relay's handlers: the flows', the memory's and the bulk imports', in one table.
import type { Cache } from '@monsteros/cache';
import type { Relational } from '@monsteros/relational';
import { bulkOutboxHandlers } from '../bulk/index.js';
import { memoryOutboxHandlers } from '../memory/index.js';
import { flowHandlers } from '../outbox/events.js';
import type { VectorsPort } from '../ports.js';

/**
 * The relay's handlers, each first provisioning the vector collections when the data layer started
 * with Qdrant unreachable (the memory's handlers use the store directly, not the port).
 */
function provisionedHandlers<H extends Record<string, (event: never) => Promise<unknown>>>(
  vectors: VectorsPort,
  handlers: H,
): H {
  const ready = vectors.ready;
  if (!ready) return handlers;
  const out: Record<string, (event: never) => Promise<unknown>> = {};
  for (const [type, handle] of Object.entries(handlers)) {
    out[type] = async (event) => {
      await ready.call(vectors);
      return handle(event);
    };
  }
  return out as H;
}

/** Every event type the relay applies, each handler provisioning the collections first when needed. */
export function relayHandlers(deps: { relational: Relational; cache: Cache; vectors: VectorsPort }) {
  const { relational, cache, vectors } = deps;
  return provisionedHandlers(vectors, {
    ...flowHandlers({ cache, vectors }),
    ...(vectors.store ? memoryOutboxHandlers({ relational, vectors: vectors.store, cache }) : {}),
    ...bulkOutboxHandlers({ relational, vectors }),
  });
}
