// One round trip for many keys, on a standalone Redis or a Cluster. Standalone: one pipeline.
// Cluster: a pipeline must stay on one node and our keys spread over the slots, so the commands
// go out concurrently and ioredis groups them per node (one write per node, answered in parallel).
import { Cluster } from 'ioredis';
import type { Availability, ScriptedClient, ScriptedPipeline } from './connection.js';
import { mapRedisError } from './errors.js';

/** One command of a batch, sent on a pipeline (standalone) or on the client (Cluster). */
export type BatchCommand = (p: ScriptedPipeline | ScriptedClient) => unknown;

/**
 * Sends `commands` as one round trip and returns each reply in order; the first failed command's
 * error is thrown (typed by mapRedisError), and an unreachable Redis is an UnavailableError.
 */
export async function sendBatch(
  client: ScriptedClient,
  availability: Availability,
  what: string,
  commands: readonly BatchCommand[],
): Promise<unknown[]> {
  if (commands.length === 0) return [];
  return availability.run(what, async () => {
    if (client instanceof Cluster) return Promise.all(commands.map((c) => c(client)));
    const pipeline = client.pipeline() as ScriptedPipeline;
    for (const c of commands) c(pipeline);
    const results = (await pipeline.exec()) ?? [];
    const failed = results.find(([error]) => error);
    if (failed) throw mapRedisError(failed[0], what);
    return results.map(([, reply]) => reply);
  });
}
