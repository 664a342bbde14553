// The metrics series on RedisTimeSeries: TS.ADD / TS.RANGE, retention given with each sample.
// TS keys samples by timestamp and keeps no ids: `record` moves a sample whose millisecond is
// taken to the next free one, so two samples of one millisecond stay two samples.
import type { BatchCommand } from '../batch.js';
import type { Availability, ScriptedClient, ScriptedPipeline } from '../connection.js';
import { CacheError } from '../errors.js';
import type { SeriesStore } from './backend.js';

/** Tries of the next millisecond when RedisTimeSeries already holds a sample at the timestamp. */
const TS_SHIFTS = 1_000;

interface TimeSeriesStoreDeps {
  client: ScriptedClient;
  availability: Availability;
  retentionMs: number;
  agentSessionTtlMs: number;
}

/** The series commands on RedisTimeSeries (used by createMetrics when the module is loaded). */
export function createTimeSeriesStore({
  client,
  availability,
  retentionMs,
  agentSessionTtlMs,
}: TimeSeriesStoreDeps): SeriesStore {
  function add(
    pipeline: ScriptedPipeline | ScriptedClient,
    key: string,
    t: number,
    value: number,
    onDuplicate: 'LAST' | 'BLOCK',
  ) {
    return pipeline.call(
      'TS.ADD',
      key,
      String(t),
      String(value),
      'RETENTION',
      String(retentionMs),
      'ON_DUPLICATE',
      onDuplicate,
    );
  }

  /** TS.RANGE, with a series nobody wrote yet read as empty. */
  async function readRange(operation: string, key: string, args: string[]) {
    const reply = (await availability.run(operation, () =>
      client.call('TS.RANGE', key, ...args).catch((error: Error) => {
        if (/key does not exist/i.test(error.message)) return [];
        throw error;
      }),
    )) as Array<[number, string]>;
    return reply.map(([t, v]) => ({ timestamp: Number(t), value: Number(v) }));
  }

  return {
    async record(key, t, value) {
      for (let shift = 0; shift < TS_SHIFTS; shift++) {
        try {
          await availability.run(
            'record metric',
            () => add(client, key, t + shift, value, 'BLOCK') as Promise<unknown>,
          );
          return true;
        } catch (error) {
          const text = String((error as Error).cause ?? error);
          if (/older than (the )?retention/i.test(text)) return false;
          if (!/BLOCK|duplicate/i.test(text)) throw error;
        }
      }
      throw new CacheError('CONFLICT', `record metric: ${TS_SHIFTS} samples already at ${t} ms and after`);
    },
    samples: (key, from, to) => readRange('read metric samples', key, [String(from), String(to)]),
    range: (key, from, to, bucketMs, aggregation) =>
      readRange('aggregate metric', key, [
        String(from),
        String(to),
        'AGGREGATION',
        aggregation,
        String(bucketMs),
      ]),
    agentUpdate({ sessionKey, samples, fields, t }) {
      const ttl = String(agentSessionTtlMs);
      const commands: BatchCommand[] = [(p) => p.mosSessionWrite(sessionKey, ttl, 'upsert', ...fields)];
      for (const [key, value] of samples) commands.push((p) => add(p, key, t, value, 'LAST'));
      return commands;
    },
  };
}
