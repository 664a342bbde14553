// The hit path alone, for a CPU profile:
//   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/profile-get.ts   (C=1 for one in flight)
import { measure } from '@monsteros/bench-kit';
import { createCache } from '../src/index.js';

const prefix = `prof:${process.pid}:`;
const cache = createCache({ redis: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', prefix });
const responses = cache.policies.character_responses;
const keys = Array.from({ length: 100 }, (_, i) => ({ character: 'sage', hash: `h${i}` }));
for (const [i, k] of keys.entries()) {
  await responses.set(k, {
    character_id: '7f1c0a52-3f0e-4c53-9a57-0e5f1d2f6b11',
    response: `Welcome back, traveller ${i}. Today we continue the quest on closures.`,
    response_time_ms: 180,
    request_hash: 'a3f1c2',
    created_at: new Date(),
  });
}
const concurrency = Number(process.env.C ?? 64);
try {
  for (let round = 0; round < 3; round++) {
    const s = await measure((i) => responses.get(keys[i % 100]!), { iterations: 100_000, concurrency });
    console.log(`round ${round + 1}: ${s.opsPerSec.toFixed(0)} ops/s`);
  }
} finally {
  await cache.stats(); // flushes the recorded reads, so nothing is written after the cleanup
  const redis = cache.redis;
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (found.length > 0) await redis.del(...found);
  } while (cursor !== '0');
  await cache.close();
}
