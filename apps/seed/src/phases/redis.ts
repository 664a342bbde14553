// Redis's live state: character states, a day of response-time metrics, agent streams, the most
// active learners' sessions and their quest progress.
import type { DataLayer } from '@monsteros/flows';
import type { SeedDataset } from '../generate/dataset.js';
import { Random } from '../generate/random.js';
import type { SeedRunOptions } from '../seed.js';

const METRIC_STEP_MS = 600_000;
// 23 h 40 min every 10 minutes: one step of room under a series' 24 h retention (relative to its
// newest sample), so the response times the live sessions record at the present never push the
// grid's oldest point out, wherever in its 10 minutes the run starts.
const METRIC_SAMPLES = 143;
const STREAM_MESSAGES = 20;

export async function seedRedis(data: DataLayer, set: SeedDataset, options: SeedRunOptions) {
  // The last day of response times on a fixed epoch-aligned 10-minute grid. A sample's value
  // comes from its timestamp, and only grid points without a sample are written: a rerun (even
  // one that crossed into the next 10 minutes, or after Ctrl-C) rewrites nothing already there.
  const newest = Math.floor((options.now ?? new Date()).getTime() / METRIC_STEP_MS) * METRIC_STEP_MS;
  const oldest = newest - (METRIC_SAMPLES - 1) * METRIC_STEP_MS;
  const phase = options.progress.phase('redis', set.characters.length * (METRIC_SAMPLES + 2) + 50);
  // Every character's live state in one round trip (the spec's cache_character_states pipeline).
  await data.cache.pipelines.cacheCharacterStates(
    set.characters.map((c) => ({
      name: c.name,
      status: 'active' as const,
      currentContext: `mentoring ${c.categories.join(' and ')}`,
      metrics: { avg_response_ms: c.latency_ms, quality: c.quality },
    })),
  );
  for (const c of set.characters) {
    const present = new Set(
      (await data.cache.metrics.samples('response_time', c.name, { from: oldest, to: newest })).map(
        (s) => s.timestamp,
      ),
    );
    for (let t = newest; t >= oldest; t -= METRIC_STEP_MS) {
      if (present.has(t)) continue;
      const value = new Random(`${set.seed}:response_time:${c.name}:${t}`).logNormal(c.latency_ms, 0.3);
      await data.cache.metrics.record('response_time', c.name, Math.round(value), t);
    }
    await data.cache.streams.ensureGroups(c.name);
    // Recent messages: a stream is topped up to STREAM_MESSAGES, so a rerun adds nothing and an
    // interrupted one is completed.
    for (let k = await data.cache.streams.length(c.name); k < STREAM_MESSAGES; k++) {
      await data.cache.streams.publish(c.name, {
        type: k % 4 === 0 ? 'task' : 'observation',
        payload: { seeded: true, index: k, topic: c.categories[k % c.categories.length]! },
        from: 'orchestrator',
      });
    }
    phase.tick(METRIC_SAMPLES + 2);
  }
  // The most active learners have a live session.
  const active = set.users.slice(0, 50);
  for (const [i, u] of active.entries()) {
    const character = set.characters[i % set.characters.length]!;
    await data.cache.sessions.users.start(u.id, {
      activeCharacter: character.name,
      sessionData: { seeded: true },
    });
    phase.tick();
  }
  // Their quest progress in one round trip (the spec's update_user_progress pipeline); the last
  // quest still in progress becomes the session's current quest.
  const activeIds = new Set(active.map((u) => u.id));
  const progress = set.progress
    .filter((p) => activeIds.has(p.user_id))
    .sort((a, b) => Number(a.completed_at === null) - Number(b.completed_at === null));
  await data.cache.pipelines.updateUserProgress(
    progress.map((p) => ({
      userId: p.user_id,
      questId: p.quest_id,
      progress: Number(p.progress_percentage),
      completed: p.completed_at !== null,
    })),
  );
  phase.done(`${set.characters.length} agent sessions, ${active.length} user sessions, a day of metrics`);
}
