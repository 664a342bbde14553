// The live traffic: classes of learners that the seed runs through the flows after the imports.
import { ROSTER } from '../roster.js';
import type { SeedProgress } from './quest-progress.js';
import type { Random } from './random.js';
import type { SizeSpec } from './sizes.js';
import { MESSAGES } from './words.js';

/**
 * One class of live traffic: learners with a quest in progress, each in a session with the
 * character, asking its questions in rounds (question `round % questions.length`): repeats hit
 * the response cache, the session start preloads their quests.
 */
export interface SeedTrafficClass {
  character: string;
  learners: string[];
  questions: string[];
  rounds: number;
}

/** Classes of live traffic: the most active characters, learners with a quest in progress. */
export function makeTraffic(
  rng: Random,
  progress: SeedProgress[],
  topicsByCharacter: Map<string, string[]>,
  spec: SizeSpec['traffic'],
): SeedTrafficClass[] {
  const learning = [...new Set(progress.filter((p) => p.completed_at === null).map((p) => p.user_id))];
  return Array.from({ length: spec.classes }, (_, c) => {
    const character = ROSTER[c % ROSTER.length]!;
    const topics = rng.sample(topicsByCharacter.get(character.name)!, 2);
    return {
      character: character.name,
      learners: Array.from(
        { length: Math.min(spec.learners, learning.length) },
        (_, k) => learning[(c * spec.learners + k) % learning.length]!,
      ),
      questions: topics.map((t, k) => MESSAGES[(c + k) % MESSAGES.length]!.replace('{t}', t)),
      rounds: spec.rounds,
    };
  });
}
