// The imported history: learners' past conversations with the characters over the last 30 days.
import { ROSTER } from '../roster.js';
import { DAY_MS } from './anchor.js';
import { type Random, stableUuid } from './random.js';
import type { SeedUser } from './users.js';
import { MESSAGES, RESPONSES } from './words.js';

export interface SeedInteraction {
  id: string;
  idempotency_key: string;
  character_name: string;
  user_id: string;
  session_id: string;
  message: string;
  response: string;
  response_time_ms: number;
  user_satisfaction: number | null;
  success: boolean;
  created_at: Date;
}

interface InteractionHistory {
  /** The dataset's seed: part of every interaction's id and idempotency key. */
  seed: number;
  count: number;
  users: SeedUser[];
  topicsByCharacter: Map<string, string[]>;
  anchor: Date;
}

/** The interactions in order, one at a time: the large size has hundreds of thousands. */
export function* makeInteractions(rng: Random, history: InteractionHistory): Generator<SeedInteraction> {
  const { seed, count, users, topicsByCharacter, anchor } = history;
  // Activity is skewed: a few users and characters get most of the traffic.
  const weights = ROSTER.map((_, i) => 1 / (i + 2));
  const total = weights.reduce((s, w) => s + w, 0);
  for (let i = 0; i < count; i++) {
    const user = users[Math.floor(users.length * rng.next() ** 2)]!;
    let r = rng.next() * total;
    let c = 0;
    while (r > weights[c]! && c < ROSTER.length - 1) r -= weights[c++]!;
    const character = ROSTER[c]!;
    const topic = rng.pick(topicsByCharacter.get(character.name)!);
    // Denser towards the present: the last days see more activity.
    const age = 30 * DAY_MS * rng.next() ** 1.5;
    const success = rng.chance(0.7 + character.quality * 0.25);
    const rated = rng.chance(0.6);
    const satisfaction = rated
      ? Math.max(1, Math.min(5, Math.round(rng.normal(success ? 1 + character.quality * 4 : 2, 0.8))))
      : null;
    yield {
      id: stableUuid('interaction', `${seed}:${i}`),
      idempotency_key: `seed:${seed}:${i}`,
      character_name: character.name,
      user_id: user.id,
      session_id: `seed-${user.username}-${Math.floor(age / DAY_MS)}`,
      message: rng.pick(MESSAGES).replace('{t}', topic),
      response: rng.pick(RESPONSES).replace('{t}', topic),
      response_time_ms: Math.max(20, Math.round(rng.logNormal(character.latency_ms, 0.35))),
      user_satisfaction: satisfaction,
      success,
      created_at: new Date(anchor.getTime() - 1 - Math.floor(age)),
    };
  }
}

/** How many interactions each user had (the interaction-count achievements read it). */
export function interactionsPerUser(interactions: Iterable<SeedInteraction>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const i of interactions) counts.set(i.user_id, (counts.get(i.user_id) ?? 0) + 1);
  return counts;
}
