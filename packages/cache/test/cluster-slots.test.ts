// Every multi-key command must keep its keys in one hash slot, so the same code runs on Redis
// Cluster. This records every command the cache sends during a workload touching each feature
// and checks the slots of its keys (CRC16 of the hash tag, as Redis Cluster computes them).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashTagOf } from '../src/index.js';
import { testCache } from './helpers.js';

function crc16(text: string): number {
  let crc = 0;
  for (const byte of Buffer.from(text)) {
    crc ^= byte << 8;
    for (let i = 0; i < 8; i++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}
const slotOf = (key: string) => crc16(hashTagOf(key)) % 16384;

/** The keys of a command, for the commands the cache sends. */
function keysOf(name: string, args: unknown[]): string[] {
  const a = args.map((x) => (Buffer.isBuffer(x) ? x.toString() : String(x)));
  switch (name) {
    case 'evalsha':
    case 'eval':
      return a.slice(2, 2 + Number(a[1]));
    case 'xreadgroup':
      return a.slice(
        a.indexOf('STREAMS') + 1,
        a.indexOf('STREAMS') + 1 + (a.length - a.indexOf('STREAMS') - 1) / 2,
      );
    case 'xgroup':
      return [a[1]!];
    case 'ping':
    case 'info':
    case 'module':
    case 'script':
    case 'quit':
    case 'client':
      return [];
    default:
      return a.length > 0 ? [a[0]!] : [];
  }
}

let t: ReturnType<typeof testCache>;
beforeAll(() => {
  t = testCache('slots');
});
afterAll(async () => {
  await t.cleanup();
});

describe('hash slots', () => {
  it('keeps the keys of every command in one slot, across all features', async () => {
    const seen: Array<{ name: string; keys: string[] }> = [];
    const client = t.cache.redis as unknown as {
      sendCommand: (c: { name: string; args: unknown[] }) => unknown;
    };
    const send = client.sendCommand.bind(client);
    client.sendCommand = (command) => {
      seen.push({ name: command.name, keys: keysOf(command.name, command.args) });
      return send(command);
    };
    const { cache } = t;
    const memory = cache.policies.memory_search_results;
    const value = { character: 'sage', results: [] };
    await memory.set({ queryHash: 'q1' }, value, { tags: ['character:sage'] });
    await memory.getOrSet({ queryHash: 'q2' }, async () => value, { tags: ['character:sage'] });
    await memory.get({ queryHash: 'q1' });
    await memory.delete({ queryHash: 'q1' });
    await cache.invalidateTag('character:sage');
    await cache.policies.user_preferences.write({ userId: 'u' }, { pace: 'fast' }, async () => {});
    await cache.policies.character_responses.clear();
    await cache.sessions.agents.start('sage', { status: 'active' });
    await cache.sessions.users.update('u', { activeCharacter: 'sage' });
    await cache.metrics.record('rt', 'sage', 1);
    await cache.metrics.range('rt', 'sage', { bucketMs: 1000, aggregation: 'avg' });
    await cache.streams.publish('sage', { type: 't', payload: {} });
    const consumer = cache.streams.consumer('sage', { group: 'monitor', name: 'c', blockMs: 10 });
    const [d] = await consumer.read();
    await consumer.ack(d!.id);
    await consumer.fail(d!.id, 'x');
    await cache.stats();
    await consumer.close();

    const multiKey = seen.filter((c) => c.keys.length > 1);
    expect(multiKey.length).toBeGreaterThan(10);
    for (const c of seen) {
      const slots = new Set(c.keys.map(slotOf));
      expect(slots.size, `${c.name} ${c.keys.join(' ')}`).toBeLessThanOrEqual(1);
    }
    // One agent's session, stream and metrics share a slot too (the agent is the hash tag).
    const agentKeys = [
      `${t.prefix}agent:session:{sage}`,
      `${t.prefix}agent:messages:{sage}`,
      `${t.prefix}metrics:rt:{sage}`,
    ];
    expect(new Set(agentKeys.map(slotOf)).size).toBe(1);
  });
});
