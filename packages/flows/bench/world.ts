// The world of the characterInteraction benchmarks (bench/run.ts, bench/profile-interaction.ts):
// a fresh database with 12 characters and 2,000 users, 1,000 memories per character in the
// in-memory local vector store, the data layer, and the raw clients. `ours(i)` runs the flow,
// `rawInteraction(i)` the same store calls made directly: no validation, pipeline, outbox helpers
// or mapping. The raw calls are the flow's own, not cheaper ones: the recall sends the flow's
// query (the decay formula over 50 prefetched candidates, not a plain top-5 search), and the
// reply, outbox payloads and stored memory have the flow's size and shape.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase } from '@monsteros/schema/testing';
import { decayQuery, pointIdFor } from '@monsteros/vectors';
import { Redis } from 'ioredis';
import pg from 'pg';
import { createDataLayer } from '../src/index.js';

const CHARACTERS = 12;
const USERS = 2_000;
export const MEMORIES_PER_CHARACTER = Number(process.env.BENCH_MEMORIES ?? 1_000);
const TOPICS = [
  'recursion',
  'closures',
  'sorting',
  'graphs',
  'stoicism',
  'habits',
  'algebra',
  'poetry',
  'databases',
  'networking',
];

const db = await createTestDatabase({ label: 'flows_bench' });
const dir = await mkdtemp(join(tmpdir(), 'mos-flows-bench-'));
const prefix = `mos-bench-${randomUUID().slice(0, 8)}:`;
const data = await createDataLayer({
  env: {},
  poolSize: 20,
  // METRICS=off: recording off, to profile the flow with and without it.
  metrics: process.env.METRICS !== 'off',
  // CONSOLIDATE=off: no background consolidation (its bursts blur a profile of the flow).
  ...(process.env.CONSOLIDATE === 'off' ? { consolidateEvery: 0 } : {}),
  config: {
    databaseUrl: db.url,
    keyPrefix: prefix,
    localVectorsPath: ':memory:',
    duckdbPath: join(dir, 'a.duckdb'),
  },
});
const raw = new pg.Pool({ connectionString: db.url, max: 20 });
raw.on('error', () => {}); // connections closing after end() meet the database's drop
const redis = new Redis(data.config.redisUrl);
const store = data.vectors.store!;
const memories = store.collectionName('character_memories');

await raw.query(`
  insert into character_agents (name, display_name, role, backend_system)
  select 'char' || i, 'Character ' || i, 'mentor', 'claude' from generate_series(1, ${CHARACTERS}) i;
  insert into user_profiles (username) select 'learner' || i from generate_series(1, ${USERS}) i;`);
const userIds = (await raw.query<{ id: string }>('select id from user_profiles order by username')).rows.map(
  (r) => r.id,
);
const characterIds = new Map(
  (await raw.query<{ id: string; name: string }>('select id, name from character_agents')).rows.map((r) => [
    r.name,
    r.id,
  ]),
);
// Interactions already stored before the run (the scale curve's knob: the seed's 40k, or ten
// times that), spread over the characters and users, a second apart.
export const STORED_INTERACTIONS = Number(process.env.BENCH_INTERACTIONS ?? 0);
if (STORED_INTERACTIONS > 0) {
  await raw.query(`
    insert into character_interactions (character_id, user_id, message, response, response_time_ms, success, created_at)
    select c.id, u.id, 'Stored question ' || i, 'Stored answer ' || i, 100 + i % 900, true, now() - i * interval '1 second'
    from generate_series(1, ${STORED_INTERACTIONS}) i
    join (select id, row_number() over (order by name) - 1 as n from character_agents) c on c.n = i % ${CHARACTERS}
    join (select id, row_number() over (order by username) - 1 as n from user_profiles) u on u.n = i % ${USERS}`);
  await raw.query('analyze character_interactions');
}
const character = (i: number) => `char${1 + (i % CHARACTERS)}`;
const message = (i: number) =>
  `Question ${i % 97} about ${TOPICS[i % TOPICS.length]}: how do I get better at ${TOPICS[(i * 7) % TOPICS.length]}?`;

// Memories to recall from.
const started = Date.now();
for (let c = 1; c <= CHARACTERS; c++) {
  await store.upsert(
    'character_memories',
    Array.from({ length: MEMORIES_PER_CHARACTER }, (_, k) => ({
      text: message(k * 13 + c),
      payload: {
        interaction_id: randomUUID(),
        character_name: `char${c}`,
        memory_type: 'interaction',
        user_context: 'bench',
        learning_value: 0.5,
        timestamp: new Date(Date.now() - k * 3_600_000).toISOString(),
      },
    })),
  );
}
console.log(
  `${CHARACTERS * MEMORIES_PER_CHARACTER} memories stored in ${((Date.now() - started) / 1000).toFixed(1)} s`,
);

/** The same store calls as one interaction, made directly: no validation, pipeline, outbox helpers or mapping. */
export async function rawInteraction(i: number): Promise<void> {
  const name = character(i);
  const userId = userIds[i % USERS]!;
  const text = message(i);
  await raw.query({
    name: 'b_char',
    text: `select * from character_agents where name = $1 and (current_state ->> 'status') = 'active'`,
    values: [name],
  });
  await redis.hgetall(`${prefix}raw:user:session:${userId}`);
  const [vector] = await store.embed('character_memories', [text]);
  // characterContextSearch's query body (the 50 nearest of the character above the local
  // embedder's threshold, rescored by Qdrant's formula with a 0.1/day decay), sent by the client.
  await store.client.query(
    memories,
    decayQuery({
      vector: Array.from(vector!),
      filter: { must: [{ key: 'character_name', match: { value: name } }] },
      candidates: 50,
      limit: 5,
      hnswEf: 64,
      threshold: 0.25,
      decayRate: 0.1,
      now: new Date(),
    }),
  );
  // A reply and outbox payloads of the flow's size and shape (the template responder's length;
  // the cache and embedding payloads the relay would need).
  const response = `Character ${name} (mentor) here. You asked about "${text}". I remember: "${text}". Let's work through it step by step.`;
  const client = await raw.connect();
  let interactionId: string;
  let createdAt: string;
  try {
    await client.query('begin');
    const inserted = await client.query<{ id: string; created_at: Date }>({
      name: 'b_ins',
      text: `insert into character_interactions (character_id, user_id, message, response, response_time_ms, success)
             values ($1, $2, $3, $4, 1, true) returning id, created_at`,
      values: [characterIds.get(name), userId, text, response],
    });
    interactionId = inserted.rows[0]!.id;
    createdAt = inserted.rows[0]!.created_at.toISOString();
    const cachePayload = {
      interactionId,
      character: name,
      characterId: characterIds.get(name),
      userId,
      sessionId: null,
      requestHash: interactionId.replaceAll('-', '').repeat(2),
      response,
      responseTimeMs: 1,
      createdAt,
    };
    const memoryPayload = {
      interactionId,
      character: name,
      userId,
      text,
      summary: `${text}\n${response}`,
      createdAt,
      learningValue: 0.5,
    };
    const events = await client.query<{ id: string }>({
      name: 'b_outbox',
      text: `insert into outbox (aggregate_type, aggregate_id, event_type, payload)
             select * from unnest($1::text[], $2::text[], $3::text[], $4::jsonb[]) returning id`,
      values: [
        ['cache', 'vectors'],
        [`user:${userId}`, `interaction:${interactionId}`],
        ['raw.cache', 'raw.embed'],
        [JSON.stringify(cachePayload), JSON.stringify(memoryPayload)],
      ],
    });
    await client.query({
      name: 'b_op',
      text: `insert into memory_operations (operation_type, character_id, latency_ms) values ('raw', $1, 1)`,
      values: [characterIds.get(name)],
    });
    await client.query('commit');
    await client.query({
      name: 'b_done',
      text: 'update outbox set processed_at = now() where id = any($1::bigint[])',
      values: [events.rows.map((r) => r.id)],
    });
  } finally {
    client.release();
  }
  await redis
    .multi()
    .set(`${prefix}raw:response:${name}:${i}`, response, 'EX', 300)
    .hset(`${prefix}raw:user:session:${userId}`, 'active_character', name, 'last_activity', Date.now())
    .pexpire(`${prefix}raw:user:session:${userId}`, 7_200_000)
    .zadd(`${prefix}raw:metrics:response_time:${name}`, Date.now(), `${Date.now()}:${i}`)
    .exec();
  const [memory] = await store.embed('character_memories', [text]);
  await store.client.upsert(memories, {
    wait: true,
    points: [
      {
        id: pointIdFor('character_memories', interactionId),
        vector: Array.from(memory!),
        payload: {
          interaction_id: interactionId,
          character_name: name,
          memory_type: 'interaction',
          user_context: `user:${userId}`,
          learning_value: 0.5,
          timestamp: createdAt,
          text: `${text}\n${response}`,
        },
      },
    ],
  });
}

export const ours = (i: number) =>
  data.flows.characterInteraction({
    userId: userIds[i % USERS]!,
    character: character(i),
    message: message(i),
  });

/** Drops the database, the Redis keys and the files, and closes every client. */
export async function closeWorld(): Promise<void> {
  const keys = await redis.keys(`${prefix}*`);
  for (let i = 0; i < keys.length; i += 1_000) await redis.del(...keys.slice(i, i + 1_000));
  redis.disconnect();
  await raw.end();
  await data.close();
  await db.drop();
  await rm(dir, { recursive: true, force: true });
}
