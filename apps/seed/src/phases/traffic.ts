// Live sessions through the data layer's flows, the way the app drives them.
import type { DataLayer } from '@monsteros/flows';
import type { SeedDataset } from '../generate/dataset.js';
import type { SeedRunOptions } from '../seed.js';

/**
 * Live sessions through the data layer's flows, the way the app drives them, so the caches and
 * the session backup have real traffic: each learner of a class starts a session with the
 * character (`sessionStart` preloads their quests into `quest_data`), opens their current quest
 * (a `quest_data` read: a hit), asks the class's questions in rounds (`characterInteraction`: a
 * question asked before within 300 s is answered from `character_responses`), then reviews what
 * the character remembers about the class's questions after the lesson (the interaction flow's
 * recall: the first learner's review computes it, the others' hit the hot memories) and ends the
 * session (`sessionEnd`: a `session_summaries` row). Idempotent: every interaction carries an idempotency key (a rerun replays it, writing
 * nothing) and a summary is written once per session key.
 */
export async function seedTraffic(data: DataLayer, set: SeedDataset, options: SeedRunOptions) {
  const phase = options.progress.phase('live sessions', set.trafficInteractions);
  // After the imports' embeddings: the relay's memory writes would otherwise drop hot memories meanwhile.
  await data.relay.settle({ timeoutMs: 30 * 60_000 });
  let cached = 0;
  let summaries = 0;
  for (const [c, cls] of set.traffic.entries()) {
    for (const [k, userId] of cls.learners.entries()) {
      const sessionId = `seed-${set.seed}-class-${c}-learner-${k}`;
      const { session } = await data.flows.sessionStart({ userId, character: cls.character, sessionId });
      const questId = session?.currentQuest;
      if (questId)
        await data.cache.policies.quest_data.getOrSet({ questId }, async () => {
          const [quest] = await data.relational.quests.getByIds([questId]);
          if (!quest) throw new Error(`quest ${questId} of a live session is missing`);
          return quest;
        });
      for (let round = 0; round < cls.rounds; round++) {
        const result = await data.flows.characterInteraction({
          userId,
          character: cls.character,
          message: cls.questions[round % cls.questions.length]!,
          sessionId,
          idempotencyKey: `${sessionId}-round-${round}`,
        });
        if (result.cached) cached++;
        phase.tick();
      }
    }
    // After the lesson, each learner reviews what the character remembers about the class's
    // questions (the interaction flow's recall, limit 5): the first review computes it, the
    // others read it from the hot memories (no memory of the character is written meanwhile).
    for (const [k, userId] of cls.learners.entries()) {
      for (const question of cls.questions) await data.vectors.recall(cls.character, question, 5);
      const sessionId = `seed-${set.seed}-class-${c}-learner-${k}`;
      if ((await data.flows.sessionEnd({ userId, sessionId })).summary) summaries++;
    }
  }
  phase.done(
    `${set.traffic.length} classes, ${set.trafficInteractions} interactions (${cached} answered from the response cache), ${summaries} session summaries`,
  );
}
