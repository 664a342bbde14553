// Sends the pending real-time cells to Redis: one `realtime_flush` script call per metric and
// minute, all in one pipeline (concurrently on a Cluster, where each metric's keys are in one
// slot), every `flushMs` and on demand, one flush at a time. Cells of a failed flush (Redis
// down) are kept for the next one; minutes past the retention are given up and counted.
import { Cluster } from 'ioredis';
import type { Availability, ScriptedClient, ScriptedPipeline } from '../connection.js';
import { mapRedisError } from '../errors.js';
import type { KeyBuilders } from '../keys.js';
import type { CellBatch, PendingCells } from './realtime-cells.js';
import { flushArgs, minuteOf } from './realtime-hash.js';

interface FlusherDeps {
  client: ScriptedClient;
  availability: Availability;
  keys: KeyBuilders;
  /** How long a minute's hash is kept, and the totals after their last write. */
  retentionMs: number;
  flushMs: number;
  pending: PendingCells;
}

export interface RealtimeFlusher {
  /** Sends what is pending now; never throws. */
  flush(): Promise<void>;
  /** Starts the flush timer if it is not running (unref'd: it keeps no process alive). */
  start(): void;
  /** Stops the timer. */
  stop(): void;
}

export function createRealtimeFlusher({
  client,
  availability,
  keys,
  retentionMs,
  flushMs,
  pending,
}: FlusherDeps): RealtimeFlusher {
  let timer: NodeJS.Timeout | undefined;
  let flushing: Promise<void> | null = null;

  async function send(batch: CellBatch): Promise<void> {
    const calls: Array<(p: ScriptedPipeline | ScriptedClient) => unknown> = [];
    for (const [minute, byMetric] of batch) {
      for (const [metric, bySet] of byMetric) {
        const minuteKey = keys.realtimeMinute(metric, minute);
        const totalsKey = keys.realtimeTotals(metric);
        const args = flushArgs(bySet);
        calls.push((p) =>
          p.mosRealtimeFlush(minuteKey, totalsKey, String(retentionMs), String(retentionMs), ...args),
        );
      }
    }
    if (calls.length === 0) return;
    await availability.run('flush real-time metrics', async () => {
      if (client instanceof Cluster) {
        // Each metric's keys are in one slot; the metrics are spread over the nodes.
        await Promise.all(calls.map((c) => c(client)));
        return;
      }
      const pipeline = client.pipeline() as ScriptedPipeline;
      for (const c of calls) c(pipeline);
      const failed = ((await pipeline.exec()) ?? []).find(([error]) => error);
      if (failed) throw mapRedisError(failed[0], 'flush real-time metrics');
    });
  }

  async function flushOnce(): Promise<void> {
    if (pending.count === 0) return;
    const batch = pending.take();
    try {
      await send(batch);
    } catch {
      // Kept for the next flush (Redis down); minutes past the retention are given up.
      const oldest = minuteOf(Date.now() - retentionMs);
      for (const [minute, byMetric] of batch) {
        for (const [metric, bySet] of byMetric) {
          for (const cell of bySet.values()) {
            if (minute < oldest) pending.dropped += cell.count;
            else pending.merge(minute, metric, cell);
          }
        }
      }
    }
  }

  function flush(): Promise<void> {
    // One flush at a time; a caller arriving meanwhile waits for it, then sends what came since.
    const run = (flushing ?? Promise.resolve()).then(flushOnce);
    const mine = run.finally(() => {
      if (flushing === mine) flushing = null;
    });
    flushing = mine;
    return mine;
  }

  return {
    flush,
    start() {
      if (timer) return;
      timer = setInterval(() => void flush(), flushMs);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
    },
  };
}
