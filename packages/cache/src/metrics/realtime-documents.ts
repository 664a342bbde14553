// Small JSON documents published for other processes to read (`mos:rtm:{name}:doc`, with a TTL):
// figures only one process can read, such as an embedded engine's, for the monitor elsewhere.
import type { Availability, ScriptedClient } from '../connection.js';
import { CacheValidationError } from '../errors.js';
import type { KeyBuilders } from '../keys.js';
import { check } from '../validation.js';
import { DocumentTtl, MetricName } from './inputs.js';
import type { RealtimeMetrics } from './realtime-types.js';

interface DocumentDeps {
  client: ScriptedClient;
  availability: Availability;
  keys: KeyBuilders;
}

/** `realtime.publish` and `realtime.published`. */
export function createPublishedDocuments({
  client,
  availability,
  keys,
}: DocumentDeps): Pick<RealtimeMetrics, 'publish' | 'published'> {
  return {
    async publish(name, doc, ttlMs) {
      check(MetricName, name, 'name');
      check(DocumentTtl, ttlMs, 'ttlMs');
      let text: string;
      try {
        text = JSON.stringify({ at: new Date().toISOString(), doc });
      } catch (error) {
        throw new CacheValidationError('doc', `must be JSON (${(error as Error).message})`);
      }
      if (text === undefined || text.length > 1_000_000)
        throw new CacheValidationError('doc', 'must be JSON of at most 1,000,000 characters');
      await availability.run('publish document', () => client.set(keys.realtimeDoc(name), text, 'PX', ttlMs));
    },
    async published(name) {
      check(MetricName, name, 'name');
      const text = await availability.run('read published document', () =>
        client.get(keys.realtimeDoc(name)),
      );
      if (text === null) return null;
      try {
        const parsed = JSON.parse(text) as { at: string; doc: unknown };
        return typeof parsed?.at === 'string' ? parsed : null;
      } catch {
        return null;
      }
    },
  };
}
