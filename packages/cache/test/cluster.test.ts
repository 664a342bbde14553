// The cache on a real Redis Cluster (three private masters on free ports): every feature works when
// keys live on different nodes, scripts touch only keys of their own slot, and the results are the
// ones a standalone Redis gives.
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Cache, createCache } from '../src/index.js';
import { questFixture } from './helpers.js';
import { privateCluster } from './private-server.js';

const quest = (id: string) => questFixture(id);

let cluster: Awaited<ReturnType<typeof privateCluster>>;
let client: Cluster;
let cache: Cache;

beforeAll(async () => {
  cluster = await privateCluster('cluster');
  client = new Cluster(cluster.nodes);
  cache = createCache({
    redis: client,
    prefix: 'c:',
    policies: { character_responses: { maxSize: 3 } },
  });
}, 60_000);
afterAll(async () => {
  await cache?.close().catch(() => {});
  client?.disconnect();
  cluster?.kill();
});

describe('on a Redis Cluster', () => {
  it('spreads namespaces and agents over the nodes, and reads back what it wrote', async () => {
    const quests = cache.policies.quest_data;
    for (let i = 0; i < 10; i++) await quests.set({ questId: `q${i}` }, quest(`q${i}`));
    for (let i = 0; i < 10; i++) await cache.sessions.users.start(`u${i}`, { activeCharacter: 'sage' });
    // A namespace is one slot (its Lua eviction is atomic); users and agents spread by their own tags.
    const keys = [
      ...Array.from({ length: 10 }, (_, i) => quests.keyOf({ questId: `q${i}` })),
      ...Array.from({ length: 10 }, (_, i) => `c:user:session:{u${i}}`),
    ];
    const ranges = (await client.cluster('SLOTS')) as unknown as Array<[number, number, [string, number]]>;
    const nodeOf = async (key: string) => {
      const slot = Number(await client.cluster('KEYSLOT', key));
      return ranges.find(([from, to]) => slot >= from && slot <= to)![2][1];
    };
    const nodes = new Set(await Promise.all(keys.map(nodeOf)));
    expect(nodes.size).toBe(3);
    for (let i = 0; i < 10; i++) {
      expect((await quests.get({ questId: `q${i}` }))?.id).toBe(`q${i}`);
      expect((await cache.sessions.users.get(`u${i}`))?.activeCharacter).toBe('sage');
    }
  });

  it('evicts by LRU per namespace, invalidates tags across namespaces and clears', async () => {
    const responses = cache.policies.character_responses;
    const response = (text: string) => ({
      character_id: '7f1c0a52-3f0e-4c53-9a57-0e5f1d2f6b11',
      response: text,
      response_time_ms: 10,
      request_hash: 'h',
      created_at: new Date(0),
    });
    for (const hash of ['a', 'b', 'c']) await responses.set({ character: 'sage', hash }, response(hash));
    await responses.get({ character: 'sage', hash: 'a' });
    await responses.set({ character: 'sage', hash: 'd' }, response('d'));
    expect(await responses.get({ character: 'sage', hash: 'b' })).toBeUndefined();
    expect((await responses.get({ character: 'sage', hash: 'a' }))?.response).toBe('a');

    const memory = cache.policies.memory_search_results;
    await memory.set({ queryHash: 'm1' }, { character: 'sage', results: [] }, { tags: ['character:sage'] });
    await responses.set({ character: 'sage', hash: 'e' }, response('e'), { tags: ['character:sage'] });
    expect(await cache.invalidateTag('character:sage')).toBe(2);
    expect(await memory.get({ queryHash: 'm1' })).toBeUndefined();

    const loaded = await memory.getOrSet({ queryHash: 'm2' }, async () => ({
      character: 'sage',
      results: [],
    }));
    expect(loaded.character).toBe('sage');
    expect(await responses.clear()).toBeGreaterThan(0);
    expect(await responses.get({ character: 'sage', hash: 'a' })).toBeUndefined();
    const stats = await cache.stats();
    expect(stats.namespaces.character_responses.evictions).toBeGreaterThanOrEqual(1);
  });

  it('keeps sessions, streams and metrics of many agents, each agent in its own slot', async () => {
    const agents = Array.from({ length: 8 }, (_, i) => `agent${i}`);
    for (const agent of agents) await cache.sessions.agents.start(agent, { status: 'active' });
    const result = await cache.metrics.updateAgents(
      agents.map((agent, i) => ({ agent, metrics: { response_time: 100 + i }, timestamp: 1_000 })),
    );
    expect(result).toEqual({ agents: 8, samples: 8 });
    for (const [i, agent] of agents.entries()) {
      expect((await cache.sessions.agents.get(agent))?.metrics).toMatchObject({ response_time: 100 + i });
      expect((await cache.metrics.samples('response_time', agent)).map((s) => s.value)).toEqual([100 + i]);
    }

    const id = await cache.streams.publish('agent3', { type: 'task', payload: { n: 1 } });
    const consumer = cache.streams.consumer('agent3', { group: 'orchestrator', name: 'c1', blockMs: 50 });
    const [delivery] = await consumer.read();
    expect(delivery).toMatchObject({ id, message: { type: 'task', payload: { n: 1 } } });
    expect(await consumer.ack(id)).toBe(1);
    expect(await cache.streams.pendingCount('agent3', 'orchestrator')).toBe(0);
    await consumer.close();
    expect((await cache.health()).ok).toBe(true);
  });

  it('runs both spec pipelines with keys on every node (one slot per key, no CROSSSLOT)', async () => {
    const names = Array.from({ length: 12 }, (_, i) => `p${i}`);
    await cache.pipelines.cacheCharacterStates(
      names.map((name) => ({ name, status: 'busy' as const, metrics: { q: 1 } })),
    );
    await cache.pipelines.updateUserProgress(
      names.map((name, i) => ({ userId: `pu${name}`, questId: 'q1', progress: i, completed: false })),
    );
    for (const [i, name] of names.entries()) {
      expect((await cache.sessions.agents.get(name))?.status).toBe('busy');
      expect((await cache.sessions.users.get(`pu${name}`))?.questProgress).toEqual({ q1: i });
    }
  });

  it('refuses a near cache, which needs one connection to track every key', () => {
    expect(() =>
      createCache({ redis: client, prefix: 'n:', policies: { quest_data: { nearCacheEntries: 10 } } }),
    ).toThrow(expect.objectContaining({ field: 'policies.quest_data.nearCacheEntries' }));
  });

  it('resets every key of its prefix on every master, and nothing else', async () => {
    const other = createCache({ redis: client, prefix: 'other:' });
    try {
      await other.policies.quest_data.set({ questId: 'keep' }, quest('keep'));
      for (let i = 0; i < 10; i++) await cache.sessions.users.start(`r${i}`, { activeCharacter: 'sage' });
      expect(await cache.reset()).toBeGreaterThan(10);
      const left: string[] = [];
      for (const node of client.nodes('master')) left.push(...(await node.keys('*')));
      expect(left.filter((k) => k.startsWith('c:'))).toEqual([]);
      expect((await other.policies.quest_data.get({ questId: 'keep' }))?.id).toBe('keep');
    } finally {
      await other.close();
    }
  });
});
