// Agent message streams: `agent:messages:{agent}` with the consumer groups `orchestrator` and
// `monitor`. Entries a consumer read but did not acknowledge within the visibility timeout
// are claimed by another consumer (XAUTOCLAIM); after `maxDeliveries` they go to the
// dead-letter stream `agent:messages:{agent}:dead` with their last error.
import { type JsonObject, JsonObjectSchema } from '@monsteros/schema';
import { Cluster, type Redis } from 'ioredis';
import { z } from 'zod';
import { Availability, type RedisClient, type ScriptedClient } from './connection.js';
import { CacheValidationError, mapRedisError, UnavailableError } from './errors.js';
import type { KeyBuilders } from './keys.js';
import { check, KeyPart, PositiveInt } from './validation.js';

/** The consumer groups every agent stream has. */
export const AGENT_GROUPS = ['orchestrator', 'monitor'] as const;
export type AgentGroup = (typeof AGENT_GROUPS)[number];

/** A message between agents (or from the orchestrator to an agent). */
export interface AgentMessage {
  /** What kind of message, e.g. `task`, `observation`. */
  type: string;
  payload: JsonObject;
  /** Sender (agent name or `orchestrator`). */
  from?: string;
  correlationId?: string;
}

/** One entry handed to a consumer. */
export interface Delivery {
  /** Stream entry id. */
  id: string;
  message: AgentMessage;
  publishedAt: Date;
  /** How many times the entry has been delivered, this time included. */
  deliveries: number;
}

/** An entry moved to the dead-letter stream. */
export interface DeadLetter {
  id: string;
  sourceId: string;
  group: string;
  deliveries: number;
  error: string;
  message: AgentMessage;
}

export interface ConsumerOptions {
  group: AgentGroup;
  /** Consumer name, unique within the group (e.g. host:pid). */
  name: string;
  /** Entries per read. Default 10. */
  batchSize?: number;
  /** How long a read waits for new entries, in ms. Default 2,000. */
  blockMs?: number;
  /** An entry pending longer than this (ms) is claimed by another consumer. Default 30,000. */
  visibilityTimeoutMs?: number;
  /** Deliveries after which an entry goes to the dead-letter stream. Default 5. */
  maxDeliveries?: number;
}

/** A consumer of one agent's stream in one group, on its own (blocking) connection. */
export interface StreamConsumer {
  /**
   * Returns the next batch: first entries recovered from consumers that went silent, else new
   * entries (waiting up to blockMs). Empty when nothing arrived.
   * @example for (const d of await consumer.read()) { await handle(d); await consumer.ack(d.id); }
   */
  read(): Promise<Delivery[]>;
  /** Acknowledges entries: they will not be delivered again. */
  ack(...ids: string[]): Promise<number>;
  /** Records why an entry failed; it is redelivered after the visibility timeout, or dead-lettered. */
  fail(id: string, error: unknown): Promise<void>;
  /**
   * Reads and handles entries until `signal` aborts: acknowledges on success, records the error on failure.
   * @example await consumer.run(async (d) => route(d.message), { signal });
   */
  run(handler: (delivery: Delivery) => Promise<void>, options: { signal: AbortSignal }): Promise<void>;
  /** Closes the consumer's connection (pending entries stay pending). */
  close(): Promise<void>;
}

export interface Streams {
  /**
   * Appends a message to an agent's stream (trimmed to about `maxLength` entries, never removing
   * one a group has delivered and not acknowledged); returns its id.
   * @example await cache.streams.publish('sage', { type: 'task', payload: { questId } });
   */
  publish(agent: string, message: AgentMessage): Promise<string>;
  /**
   * Creates the consumer groups of an agent's stream if missing (idempotent).
   * @example await cache.streams.ensureGroups('sage');
   */
  ensureGroups(agent: string): Promise<void>;
  /**
   * A consumer of an agent's stream in one group.
   * @example const c = cache.streams.consumer('sage', { group: 'orchestrator', name: 'worker-1' });
   */
  consumer(agent: string, options: ConsumerOptions): StreamConsumer;
  /** Entries of the dead-letter stream, oldest first. */
  deadLetters(agent: string, count?: number): Promise<DeadLetter[]>;
  /** Entries delivered to a group but not yet acknowledged. */
  pendingCount(agent: string, group: AgentGroup): Promise<number>;
  /** Number of entries in the stream. */
  length(agent: string): Promise<number>;
}

const MessageSchema = z
  .object({
    type: z.string().min(1, 'must not be empty').max(100, 'must be at most 100 characters'),
    payload: JsonObjectSchema,
    from: z.string().min(1, 'must not be empty').max(100, 'must be at most 100 characters').optional(),
    correlationId: z
      .string()
      .min(1, 'must not be empty')
      .max(200, 'must be at most 200 characters')
      .optional(),
  })
  .strict();

const ConsumerOptionsSchema = z
  .object({
    group: z.enum(AGENT_GROUPS, { message: `must be one of ${AGENT_GROUPS.join(', ')}` }),
    name: KeyPart,
    batchSize: PositiveInt.max(1000, 'must be at most 1000').optional(),
    blockMs: z.number().int('must be a whole number').min(0, 'must not be negative').optional(),
    visibilityTimeoutMs: PositiveInt.optional(),
    maxDeliveries: PositiveInt.optional(),
  })
  .strict();

type Fields = Array<string | Buffer>;

function fieldMap(fields: Fields): Map<string, string> {
  const map = new Map<string, string>();
  for (let i = 0; i + 1 < fields.length; i += 2) map.set(String(fields[i]), String(fields[i + 1]));
  return map;
}

/** The stream or its group is gone (deleted by hand, or by `reset()`): recreate the groups. */
function isNoGroup(error: unknown): boolean {
  return /NOGROUP/.test((error as Error).message);
}

function messageOf(map: Map<string, string>): { message: AgentMessage; publishedAt: Date } {
  const message: AgentMessage = { type: map.get('type') ?? '', payload: {} };
  try {
    message.payload = JSON.parse(map.get('payload') ?? '{}') as JsonObject;
  } catch {
    message.payload = { unreadable: map.get('payload') ?? '' };
  }
  if (map.get('from')) message.from = map.get('from')!;
  if (map.get('correlation_id')) message.correlationId = map.get('correlation_id')!;
  return { message, publishedAt: new Date(Number(map.get('published_at') ?? 0)) };
}

export interface StreamDeps {
  client: ScriptedClient;
  availability: Availability;
  keys: KeyBuilders;
  maxLength: number;
  deadLetterMaxLength: number;
}

/** Builds the streams API (used by createCache). */
export function createStreams({
  client,
  availability,
  keys,
  maxLength,
  deadLetterMaxLength,
}: StreamDeps): Streams {
  const ready = new Set<string>();
  const trimAbove = maxLength + Math.max(1, Math.floor(maxLength / 10));
  const agentOf = (agent: string) => check(KeyPart, agent, 'agent');

  async function ensureGroups(agent: string): Promise<void> {
    const key = keys.agentMessages(agentOf(agent));
    await availability.run('create consumer groups', async () => {
      for (const group of AGENT_GROUPS) {
        try {
          await client.xgroup('CREATE', key, group, '0', 'MKSTREAM');
        } catch (error) {
          if (!/BUSYGROUP/.test((error as Error).message)) throw error;
        }
      }
    });
    ready.add(key);
  }

  async function publish(agent: string, message: AgentMessage): Promise<string> {
    const name = agentOf(agent);
    const m = check(MessageSchema, message, 'message');
    const key = keys.agentMessages(name);
    if (!ready.has(key)) await ensureGroups(name);
    const fields = ['type', m.type, 'payload', JSON.stringify(m.payload), 'published_at', String(Date.now())];
    if (m.from) fields.push('from', m.from);
    if (m.correlationId) fields.push('correlation_id', m.correlationId);
    // A plain XADD and XLEN leave in one socket write (the client corks each tick): no script on
    // the common path. Past max + a tenth, the trim script (which keeps pending entries) runs;
    // if it fails the entry is still published, and the next publish trims.
    const [id, length] = await availability.run('publish agent message', () =>
      Promise.all([client.xadd(key, '*', ...fields) as Promise<string>, client.xlen(key)]),
    );
    if (length > trimAbove) await client.mosStreamTrim(key, String(maxLength)).catch(() => {});
    return id;
  }

  function consumer(agent: string, options: ConsumerOptions): StreamConsumer {
    const name = agentOf(agent);
    const opts = check(ConsumerOptionsSchema, options, 'options');
    const key = keys.agentMessages(name);
    const dead = keys.agentDeadLetters(name);
    const errors = keys.agentMessageErrors(name);
    const batchSize = opts.batchSize ?? 10;
    const blockMs = opts.blockMs ?? 2_000;
    const visibility = opts.visibilityTimeoutMs ?? 30_000;
    const maxDeliveries = opts.maxDeliveries ?? 5;
    // A blocking read holds its connection: each consumer gets its own, without the command
    // timeout (the BLOCK argument bounds the wait; blockingTimeout guards a dead socket).
    const blocking: RedisClient =
      client instanceof Cluster
        ? client.duplicate()
        : (client as Redis).duplicate({ commandTimeout: undefined, blockingTimeout: blockMs + 5_000 });
    const blockingAvailability = new Availability(blocking);
    let closed = false;

    async function recreateGroups(): Promise<void> {
      ready.delete(key);
      await ensureGroups(name);
    }

    /** Where the next claim resumes its scan of the group's pending entries. */
    let cursor = '0-0';
    async function claim(): Promise<Delivery[]> {
      let reply: Array<[string, Fields, number]>;
      try {
        [cursor, reply] = (await availability.run('recover pending agent messages', () =>
          client.mosStreamClaim(
            key,
            dead,
            errors,
            opts.group,
            opts.name,
            String(visibility),
            String(batchSize),
            String(maxDeliveries),
            String(deadLetterMaxLength),
            cursor,
          ),
        )) as [string, Array<[string, Fields, number]>];
      } catch (error) {
        // A new group has nothing pending: go on to read what was published since.
        if (!isNoGroup(error)) throw error;
        cursor = '0-0';
        await recreateGroups();
        return [];
      }
      return reply.map(([id, fields, deliveries]) => ({ id, ...messageOf(fieldMap(fields)), deliveries }));
    }

    async function readNew(): Promise<Delivery[]> {
      blockingAvailability.assertUp('read agent messages');
      let reply: unknown;
      try {
        reply = await (blocking as Redis).xreadgroup(
          'GROUP',
          opts.group,
          opts.name,
          'COUNT',
          batchSize,
          'BLOCK',
          blockMs,
          'STREAMS',
          key,
          '>',
        );
      } catch (error) {
        if (closed) return [];
        if (isNoGroup(error)) {
          await recreateGroups();
          return [];
        }
        throw mapRedisError(error, 'read agent messages');
      }
      if (!reply) return [];
      const [, entries] = (reply as Array<[string, Array<[string, Fields]>]>)[0]!;
      return entries.map(([id, fields]) => ({ id, ...messageOf(fieldMap(fields)), deliveries: 1 }));
    }

    const self: StreamConsumer = {
      async read() {
        if (closed) throw new UnavailableError('read agent messages: the consumer is closed');
        if (!ready.has(key)) await ensureGroups(name);
        const recovered = await claim();
        if (recovered.length > 0) return recovered;
        return readNew();
      },
      async ack(...ids) {
        if (ids.length === 0) return 0;
        ids.forEach((id, i) => {
          if (typeof id !== 'string' || !/^\d+-\d+$/.test(id))
            throw new CacheValidationError(`ids[${i}]`, 'must be a stream entry id');
        });
        return (await availability.run('acknowledge agent messages', () =>
          client.mosStreamAck(key, errors, opts.group, ...ids),
        )) as number;
      },
      async fail(id, error) {
        if (typeof id !== 'string' || !/^\d+-\d+$/.test(id))
          throw new CacheValidationError('id', 'must be a stream entry id');
        const text = (error instanceof Error ? error.message : String(error)).slice(0, 2_000);
        await availability.run('record agent message failure', () => client.hset(errors, id, text));
      },
      async run(handler, { signal }) {
        while (!signal.aborted) {
          const batch = await self.read();
          for (const delivery of batch) {
            if (signal.aborted) return;
            try {
              await handler(delivery);
            } catch (error) {
              await self.fail(delivery.id, error);
              continue;
            }
            await self.ack(delivery.id);
          }
        }
      },
      async close() {
        if (closed) return;
        closed = true;
        blocking.disconnect();
      },
    };
    return self;
  }

  return {
    publish,
    ensureGroups,
    consumer,
    async deadLetters(agent, count = 100) {
      const key = keys.agentDeadLetters(agentOf(agent));
      const n = check(PositiveInt, count, 'count');
      const entries = (await availability.run('read dead letters', () =>
        client.xrange(key, '-', '+', 'COUNT', n),
      )) as Array<[string, string[]]>;
      return entries.map(([id, fields]) => {
        const map = fieldMap(fields);
        return {
          id,
          sourceId: map.get('source_id') ?? '',
          group: map.get('group') ?? '',
          deliveries: Number(map.get('deliveries') ?? 0),
          error: map.get('error') ?? '',
          message: messageOf(map).message,
        };
      });
    },
    async pendingCount(agent, group) {
      const key = keys.agentMessages(agentOf(agent));
      const g = check(
        z.enum(AGENT_GROUPS, { message: `must be one of ${AGENT_GROUPS.join(', ')}` }),
        group,
        'group',
      );
      try {
        const summary = (await availability.run('count pending agent messages', () =>
          client.xpending(key, g),
        )) as [number, ...unknown[]];
        return Number(summary[0]);
      } catch (error) {
        if (/NOGROUP|no such key/i.test((error as Error).message)) return 0;
        throw error;
      }
    },
    async length(agent) {
      const key = keys.agentMessages(agentOf(agent));
      return (await availability.run('count agent messages', () => client.xlen(key))) as number;
    },
  };
}
