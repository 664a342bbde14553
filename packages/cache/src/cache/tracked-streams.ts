// The agent message streams, with the consumers they open remembered so close() can stop them.
import type { Streams } from '../streams.js';

/** `streams` whose open consumers `closeConsumers` closes; a consumer that closes itself leaves the set. */
export function trackedStreams(streams: Streams): { streams: Streams; closeConsumers(): Promise<void> } {
  const consumers = new Set<{ close(): Promise<void> }>();
  return {
    streams: {
      ...streams,
      consumer(agent, consumerOptions) {
        const c = streams.consumer(agent, consumerOptions);
        consumers.add(c);
        return {
          ...c,
          async close() {
            consumers.delete(c);
            await c.close();
          },
        };
      },
    },
    async closeConsumers() {
      await Promise.all([...consumers].map((c) => c.close()));
    },
  };
}
