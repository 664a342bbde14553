// The metrics series on core structures (Redis without the TimeSeries module): one sorted set per
// series, score = timestamp, member = `ts:value:id`, written by scripts that drop samples older
// than newest − retention and refuse a sample older than that window. Keyed by sample id, so
// recording an id again replaces only that sample (an outbox event applied twice is idempotent).
import type { Availability, ScriptedClient } from '../connection.js';
import { aggregate } from './aggregate.js';
import type { SeriesStore } from './backend.js';
import { newSampleId } from './inputs.js';

interface CoreStoreDeps {
  client: ScriptedClient;
  availability: Availability;
  retentionMs: number;
  agentSessionTtlMs: number;
}

/** The series commands on sorted sets (used by createMetrics when RedisTimeSeries is absent). */
export function createCoreStore({
  client,
  availability,
  retentionMs,
  agentSessionTtlMs,
}: CoreStoreDeps): SeriesStore {
  async function samples(key: string, from: number, to: number) {
    const members = (await availability.run('read metric samples', () =>
      client.zrangebyscore(key, from, to),
    )) as string[];
    // `ts:value:id` (`ts:value` before sample ids existed).
    return members.map((m) => {
      const colon = m.indexOf(':');
      const second = m.indexOf(':', colon + 1);
      const timestamp = Number(m.slice(0, colon));
      if (second < 0) return { timestamp, value: Number(m.slice(colon + 1)) };
      return { timestamp, value: Number(m.slice(colon + 1, second)), id: m.slice(second + 1) };
    });
  }

  return {
    async record(key, t, value, id) {
      const reply = await availability.run(
        'record metric',
        () => client.mosMetricAdd(key, String(t), String(value), String(retentionMs), id) as Promise<unknown>,
      );
      return reply === 1;
    },
    samples,
    range: async (key, from, to, bucketMs, aggregation) =>
      aggregate(await samples(key, from, to), bucketMs, aggregation),
    agentUpdate({ sessionKey, samples: series, fields, t }) {
      // One script per agent (its keys share the agent's slot): the session and its samples.
      const args = [String(1 + series.length), sessionKey];
      for (const [key] of series) args.push(key);
      args.push(
        String(agentSessionTtlMs),
        String(retentionMs),
        String(t),
        String(fields.length / 2),
        ...fields,
      );
      for (const [, value] of series) args.push(String(value));
      args.push(newSampleId());
      return [(p) => p.mosAgentUpdate(...args)];
    },
  };
}
