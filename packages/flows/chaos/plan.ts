// The chaos run's world (characters, users, quests, achievements) and its plan: every operation
// it will perform, each with an id that marks what it writes (the interaction's message, the
// passage's text), so the checks find each write by its operation, whatever the stores did.
import { seededRandom } from '@monsteros/bench-kit';
import type { DataLayer } from '../src/index.js';

/** The faults the run injects, one phase each (`none` is the baseline phase). */
export const FAULT_KINDS = [
  'none',
  'redis-restart-empty',
  'pg-terminate-backends',
  'pg-restart-fast',
  'pg-restart-immediate',
  'qdrant-restart',
  'app-sigkill',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export type Op =
  | {
      id: string;
      kind: 'interaction';
      phase: FaultKind;
      userId: string;
      character: string;
      message: string;
    }
  | { id: string; kind: 'quest'; phase: FaultKind; userId: string; questId: string }
  | {
      id: string;
      kind: 'ingest';
      phase: FaultKind;
      character: string;
      text: string;
      triples: Array<[string, string, string]>;
    };

export interface ChaosWorld {
  characters: string[];
  users: string[];
  quests: Array<{ id: string; category: string }>;
  achievements: Array<
    | { id: string; kind: 'quests_completed_count'; threshold: number }
    | { id: string; kind: 'category_mastery'; category: string }
  >;
}

export interface Sizes {
  interactions: number;
  quests: number;
  ingests: number;
}

const CHARACTERS = ['sage', 'spark', 'nova', 'echo'];
const CATEGORIES: Record<string, number> = { coding: 3, philosophy: 2, art: 2 };
const QUESTS_PER_USER = Object.values(CATEGORIES).reduce((a, b) => a + b, 0);
const PEOPLE = ['Ada', 'Grace', 'Linus', 'Barbara', 'Edsger', 'Margaret', 'Alan', 'Frances'];
const TOPICS = ['recursion', 'loops', 'stoicism', 'perspective', 'colour', 'heaps', 'graphs', 'virtue'];

/** The id every write of an operation carries (`chaos <id>:` at the start of its text). */
export const markerOf = (text: string): string | null => /^chaos (\S+):/.exec(text)?.[1] ?? null;

/** Creates the world in the (empty, migrated) database behind `data`. */
export async function createChaosWorld(data: DataLayer, sizes: Sizes): Promise<ChaosWorld> {
  const r = data.relational;
  for (const name of CHARACTERS) {
    await r.characters.create({
      name,
      display_name: name[0]!.toUpperCase() + name.slice(1),
      role: 'mentor',
      backend_system: 'claude',
    });
  }
  // Enough users for the quest completions (each completes up to every quest once) and at least 20.
  const userCount = Math.max(20, Math.ceil(sizes.quests / QUESTS_PER_USER));
  const users: string[] = [];
  for (let i = 0; i < userCount; i++) users.push((await r.users.create({ username: `chaos_user_${i}` })).id);
  const quests: ChaosWorld['quests'] = [];
  for (const [category, count] of Object.entries(CATEGORIES)) {
    for (let i = 0; i < count; i++) {
      const { id } = await r.quests.create({
        quest_name: `${category} ${i + 1}`,
        category,
        difficulty: i + 1,
      });
      quests.push({ id, category });
    }
  }
  const achievements: ChaosWorld['achievements'] = [];
  for (const threshold of [1, 3]) {
    const { id } = await r.achievements.create({
      name: `${threshold} quests`,
      description: `Completed ${threshold} quests`,
      category: 'quests',
      criteria: { kind: 'quests_completed_count', threshold },
      points: 10 * threshold,
    });
    achievements.push({ id, kind: 'quests_completed_count', threshold });
  }
  for (const category of Object.keys(CATEGORIES)) {
    const { id } = await r.achievements.create({
      name: `${category} mastery`,
      description: `Completed every ${category} quest`,
      category: 'mastery',
      criteria: { kind: 'category_mastery', category },
      points: 50,
    });
    achievements.push({ id, kind: 'category_mastery', category });
  }
  return { characters: [...CHARACTERS], users, quests, achievements };
}

/** Splits `items` into `parts` contiguous slices of nearly equal length. */
function slices<T>(items: T[], parts: number): T[][] {
  return Array.from({ length: parts }, (_, i) =>
    items.slice(Math.floor((i * items.length) / parts), Math.floor(((i + 1) * items.length) / parts)),
  );
}

/** Merges lists keeping each one's order, spreading each evenly over the result. */
function interleave<T>(lists: T[][]): T[] {
  const total = lists.reduce((n, l) => n + l.length, 0);
  const taken = lists.map(() => 0);
  const out: T[] = [];
  while (out.length < total) {
    // The list furthest behind its even share goes next.
    let best = -1;
    let lag = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < lists.length; i++) {
      if (taken[i]! >= lists[i]!.length) continue;
      const behind = (out.length + 1) / total - taken[i]! / lists[i]!.length;
      if (behind > lag) [best, lag] = [i, behind];
    }
    out.push(lists[best]![taken[best]!++]!);
  }
  return out;
}

/**
 * Every operation of the run, phase by phase (one phase per fault kind, in order). Quest
 * completions of one user come in order of category, so completions of one category run at the
 * same time (the race that lost mastery achievements).
 */
export function planOps(world: ChaosWorld, sizes: Sizes, phases: readonly FaultKind[], seed: number): Op[] {
  const rand = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
  const interactions = Array.from({ length: sizes.interactions }, (_, i) => {
    const id = `i${i}`;
    return {
      id,
      kind: 'interaction' as const,
      userId: pick(world.users),
      character: pick(world.characters),
      message: `chaos ${id}: what should I know about ${pick(TOPICS)}, question ${i}?`,
    };
  });
  const pairs: Array<{ userId: string; questId: string }> = [];
  for (const userId of world.users) for (const q of world.quests) pairs.push({ userId, questId: q.id });
  const quests = pairs.slice(0, sizes.quests).map((p, i) => ({ id: `q${i}`, kind: 'quest' as const, ...p }));
  const ingests = Array.from({ length: sizes.ingests }, (_, i) => {
    const id = `m${i}`;
    const [a, b, topic] = [pick(PEOPLE), pick(PEOPLE), pick(TOPICS)];
    return {
      id,
      kind: 'ingest' as const,
      character: pick(world.characters),
      text: `chaos ${id}: ${a} explained ${topic} to ${b} in session ${i}.`,
      triples: [
        [a, 'explained', topic],
        [a, 'taught', b],
      ] as Array<[string, string, string]>,
    };
  });
  const [is, qs, ms] = [interactions, quests, ingests].map((list) => slices<object>(list, phases.length));
  return phases.flatMap((phase, p) =>
    interleave<object>([is![p]!, qs![p]!, ms![p]!]).map((op) => ({ ...op, phase }) as Op),
  );
}
