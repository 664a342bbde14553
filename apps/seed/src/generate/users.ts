// The learners: usernames from two word lists, preferences and skills drawn at random.
import type { LearningPreferences, SkillProgression } from '@monsteros/schema';
import { CATEGORIES, ROSTER } from '../roster.js';
import { type Random, stableUuid } from './random.js';

export interface SeedUser {
  id: string;
  username: string;
  learning_preferences: LearningPreferences;
  skill_progression: SkillProgression;
}

// Only usernames use these (the shared vocabulary is in words.ts).
const ADJECTIVES = [
  'brave',
  'curious',
  'swift',
  'quiet',
  'bright',
  'clever',
  'steady',
  'bold',
  'gentle',
  'keen',
  'lucky',
  'merry',
];
const ANIMALS = [
  'otter',
  'lynx',
  'heron',
  'badger',
  'koala',
  'gecko',
  'panda',
  'falcon',
  'marten',
  'ibis',
  'yak',
  'newt',
];

export function makeUsers(rng: Random, count: number): SeedUser[] {
  return Array.from({ length: count }, (_, i) => {
    const username = `${ADJECTIVES[i % ADJECTIVES.length]}_${ANIMALS[Math.floor(i / ADJECTIVES.length) % ANIMALS.length]}_${i + 1}`;
    const skills: SkillProgression = {};
    for (const category of rng.sample(CATEGORIES, rng.int(2, 5))) skills[category] = rng.int(0, 80);
    return {
      id: stableUuid('user', username),
      username,
      learning_preferences: {
        pace: rng.pick(['slow', 'steady', 'fast'] as const),
        style: rng.pick(['visual', 'verbal', 'hands_on', 'mixed'] as const),
        preferred_characters: rng.sample(ROSTER, 2).map((c) => c.name),
        session_minutes: rng.pick([15, 25, 45, 60]),
      },
      skill_progression: skills,
    };
  });
}
