// The whole seed dataset as plain rows, computed from (seed, size, anchor) alone: no store is
// touched here. Ids are stable UUIDs of natural keys, so a second run upserts the same rows.
import type {
  AchievementCriteria,
  CompletionData,
  LearningPreferences,
  QuestContent,
  SkillProgression,
} from '@monsteros/schema';
import { CATEGORIES, ROSTER, type RosterCharacter } from '../roster.js';
import { Random, stableUuid } from './random.js';

export type SeedSize = 'small' | 'default' | 'large';

export interface SizeSpec {
  users: number;
  questsPerCategory: number;
  interactions: number;
  passagesPerCharacter: number;
  documentsPerCategory: number;
  /** Live sessions through the flows: classes (one character each), learners per class, rounds of questions. */
  traffic: { classes: number; learners: number; rounds: number };
}

export const SIZES: Record<SeedSize, SizeSpec> = {
  small: {
    users: 40,
    questsPerCategory: 2,
    interactions: 1_500,
    passagesPerCharacter: 6,
    documentsPerCategory: 1,
    traffic: { classes: 2, learners: 3, rounds: 4 },
  },
  default: {
    users: 2_000,
    questsPerCategory: 5,
    interactions: 40_000,
    passagesPerCharacter: 24,
    documentsPerCategory: 4,
    traffic: { classes: 4, learners: 4, rounds: 4 },
  },
  large: {
    users: 20_000,
    questsPerCategory: 10,
    interactions: 400_000,
    passagesPerCharacter: 80,
    documentsPerCategory: 12,
    traffic: { classes: 8, learners: 5, rounds: 6 },
  },
};

const DAY_MS = 86_400_000;

interface SeedUser {
  id: string;
  username: string;
  learning_preferences: LearningPreferences;
  skill_progression: SkillProgression;
}

interface SeedQuest {
  id: string;
  quest_name: string;
  category: string;
  difficulty: number;
  learning_objectives: string[];
  quest_content: QuestContent;
  character_mentors: string[];
  prerequisites: string[];
}

interface SeedProgress {
  user_id: string;
  quest_id: string;
  progress_percentage: number;
  current_chapter: number;
  completion_data: CompletionData;
  started_at: Date;
  completed_at: Date | null;
}

interface SeedAchievement {
  id: string;
  name: string;
  description: string;
  category: string;
  criteria: AchievementCriteria;
  points: number;
}

interface SeedGrant {
  user_id: string;
  achievement_id: string;
  awarded_at: Date;
}

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

/**
 * One class of live traffic: learners with a quest in progress, each in a session with the
 * character, asking its questions in rounds (question `round % questions.length`): repeats hit
 * the response cache, the session start preloads their quests.
 */
interface SeedTrafficClass {
  character: string;
  learners: string[];
  questions: string[];
  rounds: number;
}

interface SeedPassage {
  character: string;
  text: string;
  triples: Array<[string, string, string]>;
}

interface SeedDocument {
  id: string;
  category: string;
  title: string;
  text: string;
}

export interface SeedDataset {
  seed: number;
  size: SeedSize;
  anchor: Date;
  characters: readonly RosterCharacter[];
  users: SeedUser[];
  quests: SeedQuest[];
  progress: SeedProgress[];
  achievements: SeedAchievement[];
  grants: SeedGrant[];
  passages: SeedPassage[];
  documents: SeedDocument[];
  /** Interactions are generated lazily in order: the large size has hundreds of thousands. */
  interactions(): Generator<SeedInteraction>;
  interactionCount: number;
  /** Live sessions run through the flows after the imports (their interactions come on top of interactionCount). */
  traffic: SeedTrafficClass[];
  /** The interactions the traffic records: classes × learners × rounds. */
  trafficInteractions: number;
}

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

const TOPICS: Record<string, string[]> = {
  algorithms: ['sorting', 'binary search', 'graphs', 'dynamic programming', 'recursion', 'hashing'],
  architecture: [
    'modules',
    'event sourcing',
    'message queues',
    'caching layers',
    'service boundaries',
    'idempotency',
  ],
  communication: ['code reviews', 'design docs', 'standups', 'feedback', 'commit messages', 'presentations'],
  data: ['statistics', 'charts', 'sampling', 'regression', 'feature engineering', 'evaluation'],
  databases: ['indexes', 'transactions', 'joins', 'query plans', 'normalization', 'replication'],
  debugging: ['stack traces', 'breakpoints', 'logging', 'bisecting', 'race conditions', 'memory leaks'],
  design: ['typography', 'color', 'layout grids', 'accessibility', 'user flows', 'prototypes'],
  foundations: ['variables', 'loops', 'functions', 'types', 'closures', 'errors'],
  frontend: ['components', 'state', 'rendering', 'forms', 'routing', 'animations'],
  habits: ['streaks', 'deep work', 'spaced repetition', 'goal setting', 'rest', 'journaling'],
  operations: ['deployments', 'monitoring', 'alerts', 'runbooks', 'rollbacks', 'capacity'],
  performance: ['profiling', 'benchmarks', 'latency', 'throughput', 'caching', 'allocation'],
  security: ['threat models', 'authentication', 'encryption', 'injection', 'secrets', 'least privilege'],
  testing: ['unit tests', 'fixtures', 'property tests', 'mocks', 'coverage', 'integration tests'],
};

function topicsOf(category: string): string[] {
  return TOPICS[category] ?? ['basics', 'practice', 'mastery'];
}

const title = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

function makeUsers(rng: Random, count: number): SeedUser[] {
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

/**
 * Quests per category with rising difficulty. A quest's prerequisites are earlier quests of
 * its category (and, from the third on, possibly a foundations quest), so they form a DAG by
 * construction: every edge points to a smaller index.
 */
function makeQuests(rng: Random, perCategory: number): SeedQuest[] {
  const quests: SeedQuest[] = [];
  const foundations: SeedQuest[] = [];
  const ordered = ['foundations', ...CATEGORIES.filter((c) => c !== 'foundations')];
  for (const category of ordered) {
    const topics = topicsOf(category);
    const mentors = ROSTER.filter((c) => c.categories.includes(category)).map((c) => c.name);
    const inCategory: SeedQuest[] = [];
    for (let i = 0; i < perCategory; i++) {
      const topic = topics[i % topics.length]!;
      const level = Math.floor(i / topics.length) + 1;
      const quest_name = `${title(category)}: ${title(topic)}${level > 1 ? ` ${level}` : ''}`;
      const difficulty = Math.min(10, 1 + Math.floor((i * 9) / Math.max(1, perCategory - 1)));
      const prerequisites = new Set<string>();
      if (inCategory.length > 0) prerequisites.add(inCategory[inCategory.length - 1]!.id);
      if (inCategory.length > 1 && rng.chance(0.4)) prerequisites.add(rng.pick(inCategory.slice(0, -1)).id);
      if (category !== 'foundations' && i >= 2 && foundations.length > 0 && rng.chance(0.5)) {
        prerequisites.add(rng.pick(foundations).id);
      }
      const chapters = Array.from({ length: rng.int(3, 6) }, (_, c) => ({
        number: c + 1,
        title: `${title(topic)} — part ${c + 1}`,
      }));
      const quest: SeedQuest = {
        id: stableUuid('quest', quest_name),
        quest_name,
        category,
        difficulty,
        learning_objectives: [
          `Explain ${topic}`,
          `Apply ${topic} in a small project`,
          `Teach ${topic} back to a mentor`,
        ],
        quest_content: { description: `A quest about ${topic} in ${category}.`, chapters },
        character_mentors:
          mentors.length > 0 ? rng.sample(mentors, Math.min(2, mentors.length)) : [ROSTER[0]!.name],
        prerequisites: [...prerequisites],
      };
      inCategory.push(quest);
      quests.push(quest);
      if (category === 'foundations') foundations.push(quest);
    }
  }
  return quests;
}

function makeAchievements(): SeedAchievement[] {
  const list: Array<Omit<SeedAchievement, 'id'>> = [
    {
      name: 'First Steps',
      description: 'Complete your first quest.',
      category: 'quests',
      criteria: { kind: 'quests_completed_count', threshold: 1 },
      points: 10,
    },
    {
      name: 'Quest Adept',
      description: 'Complete five quests.',
      category: 'quests',
      criteria: { kind: 'quests_completed_count', threshold: 5 },
      points: 50,
    },
    {
      name: 'Quest Master',
      description: 'Complete fifteen quests.',
      category: 'quests',
      criteria: { kind: 'quests_completed_count', threshold: 15 },
      points: 150,
    },
    {
      name: 'Chatty',
      description: 'Talk with mentors 25 times.',
      category: 'social',
      criteria: { kind: 'interactions_count', threshold: 25 },
      points: 20,
    },
    {
      name: 'Regular',
      description: 'Talk with mentors 100 times.',
      category: 'social',
      criteria: { kind: 'interactions_count', threshold: 100 },
      points: 60,
    },
    ...CATEGORIES.map((category) => ({
      name: `${title(category)} Mastery`,
      description: `Complete every ${category} quest.`,
      category: 'mastery',
      criteria: { kind: 'category_mastery' as const, category },
      points: 100,
    })),
  ];
  return list.map((a) => ({ ...a, id: stableUuid('achievement', a.name) }));
}

/** Users take quests whose prerequisites they completed; some finish, some are under way. */
function makeProgress(rng: Random, users: SeedUser[], quests: SeedQuest[], anchor: Date): SeedProgress[] {
  const rows: SeedProgress[] = [];
  const byId = new Map(quests.map((q) => [q.id, q]));
  for (const user of users) {
    const completed = new Set<string>();
    const attempts = rng.int(0, Math.min(12, quests.length));
    let taken = 0;
    for (const quest of quests) {
      if (taken >= attempts) break;
      if (!quest.prerequisites.every((p) => completed.has(p))) continue;
      if (!rng.chance(0.6)) continue;
      taken++;
      const started_at = new Date(anchor.getTime() - rng.int(1, 29) * DAY_MS - rng.int(0, DAY_MS - 1));
      const chapters = byId.get(quest.id)!.quest_content.chapters.length;
      const finishes = rng.chance(0.65);
      if (finishes) {
        completed.add(quest.id);
        const minutes = Math.round(rng.logNormal(45 * quest.difficulty, 0.4));
        const completed_at = new Date(
          Math.min(anchor.getTime() - 60_000, started_at.getTime() + minutes * 60_000 * rng.int(2, 20)),
        );
        rows.push({
          user_id: user.id,
          quest_id: quest.id,
          progress_percentage: 100,
          current_chapter: chapters,
          completion_data: {
            final_score:
              Math.round(Math.min(100, Math.max(35, rng.normal(82 - quest.difficulty * 2, 10))) * 10) / 10,
            completion_time_minutes: minutes,
            chapters_completed: Array.from({ length: chapters }, (_, i) => i + 1),
          },
          started_at,
          completed_at,
        });
      } else {
        const percentage = rng.int(5, 95);
        rows.push({
          user_id: user.id,
          quest_id: quest.id,
          progress_percentage: percentage,
          current_chapter: Math.max(1, Math.ceil((percentage / 100) * chapters)),
          completion_data: {},
          started_at,
          completed_at: null,
        });
      }
    }
  }
  return rows;
}

/** Classes of live traffic: the most active characters, learners with a quest in progress. */
function makeTraffic(
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

function interactionCounts(dataset: Pick<SeedDataset, 'interactions'>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const i of dataset.interactions()) counts.set(i.user_id, (counts.get(i.user_id) ?? 0) + 1);
  return counts;
}

/** Achievements follow their criteria exactly; awarded at the moment the rule was met. */
function grantAchievements(
  achievements: SeedAchievement[],
  progress: SeedProgress[],
  quests: SeedQuest[],
  interactionsPerUser: Map<string, number>,
  anchor: Date,
): SeedGrant[] {
  const grants: SeedGrant[] = [];
  const categoryOf = new Map(quests.map((q) => [q.id, q.category]));
  const questsPerCategory = new Map<string, number>();
  for (const q of quests) questsPerCategory.set(q.category, (questsPerCategory.get(q.category) ?? 0) + 1);
  const completedByUser = new Map<string, SeedProgress[]>();
  for (const p of progress) {
    if (!p.completed_at) continue;
    const list = completedByUser.get(p.user_id) ?? [];
    list.push(p);
    completedByUser.set(p.user_id, list);
  }
  const users = new Set([...completedByUser.keys(), ...interactionsPerUser.keys()]);
  for (const user_id of [...users].sort()) {
    const done = (completedByUser.get(user_id) ?? []).sort(
      (a, b) => a.completed_at!.getTime() - b.completed_at!.getTime(),
    );
    for (const achievement of achievements) {
      const { kind, threshold, category } = achievement.criteria;
      let awarded_at: Date | null = null;
      if (kind === 'quests_completed_count' && threshold && done.length >= threshold) {
        awarded_at = done[threshold - 1]!.completed_at;
      } else if (
        kind === 'interactions_count' &&
        threshold &&
        (interactionsPerUser.get(user_id) ?? 0) >= threshold
      ) {
        awarded_at = anchor;
      } else if (kind === 'category_mastery' && category) {
        const inCategory = done.filter((p) => categoryOf.get(p.quest_id) === category);
        if (inCategory.length > 0 && inCategory.length === questsPerCategory.get(category)) {
          awarded_at = inCategory[inCategory.length - 1]!.completed_at;
        }
      }
      if (awarded_at) grants.push({ user_id, achievement_id: achievement.id, awarded_at });
    }
  }
  return grants;
}

function makePassages(rng: Random, perCharacter: number): SeedPassage[] {
  const passages: SeedPassage[] = [];
  for (const character of ROSTER) {
    const concepts = character.categories.flatMap(topicsOf);
    for (let i = 0; i < perCharacter; i++) {
      const [a, b] = rng.sample(concepts, 2) as [string, string];
      const capability = rng.pick(character.capabilities).replaceAll('_', ' ');
      const text =
        `${character.display_name} explained ${a} to a learner using ${capability}. ` +
        `The learner then connected ${a} with ${b}, and ${character.display_name} suggested practising ${b} next.`;
      passages.push({
        character: character.name,
        text,
        triples: [
          [character.display_name, 'explained', a],
          [a, 'connects to', b],
          [character.display_name, 'recommends', b],
          [a, 'taught with', capability],
        ],
      });
    }
  }
  return passages;
}

function makeDocuments(rng: Random, perCategory: number): SeedDocument[] {
  return CATEGORIES.flatMap((category) =>
    Array.from({ length: perCategory }, (_, i) => {
      const topic = topicsOf(category)[i % topicsOf(category).length]!;
      const docTitle = `${title(topic)} field guide${i >= topicsOf(category).length ? ` ${Math.floor(i / topicsOf(category).length) + 1}` : ''}`;
      const points = rng.sample(topicsOf(category), 3);
      return {
        id: stableUuid('document', `${category}:${docTitle}`),
        category,
        title: docTitle,
        text: `${docTitle}. A guide to ${topic} for MonsterOS learners in ${category}. Covers ${points.join(', ')}.`,
      };
    }),
  );
}

const MESSAGES = [
  'Can you explain {t} with an example?',
  'I am stuck on {t}, where do I start?',
  'Why does {t} matter in real projects?',
  'What is a common mistake with {t}?',
  'Give me a small exercise about {t}.',
  'How do I know I understood {t}?',
];
const RESPONSES = [
  'Think of {t} as a tool: start with the smallest case and grow it.',
  'A good first step with {t} is to write down what you expect, then test it.',
  '{t} matters because it keeps systems predictable as they grow.',
  'A classic mistake with {t} is skipping the edge cases; list them first.',
  'Try this: apply {t} to a problem you solved yesterday and compare.',
];

/**
 * Builds the dataset. `anchor` is "now" for the data (default: today 00:00 UTC), so runs on
 * the same day produce identical rows.
 * @example
 * const data = buildDataset({ seed: 42, size: 'small' });
 */
export function buildDataset(options: { seed: number; size: SeedSize; anchor?: Date }): SeedDataset {
  const spec = SIZES[options.size];
  const anchor = options.anchor ?? new Date(Math.floor(Date.now() / DAY_MS) * DAY_MS);
  const root = new Random(options.seed);
  const users = makeUsers(root.fork('users'), spec.users);
  const quests = makeQuests(root.fork('quests'), spec.questsPerCategory);
  const progress = makeProgress(root.fork('progress'), users, quests, anchor);
  const achievements = makeAchievements();
  const topicsByCharacter = new Map(ROSTER.map((c) => [c.name, c.categories.flatMap(topicsOf)]));
  const interactions = function* (): Generator<SeedInteraction> {
    const rng = root.fork('interactions');
    // Activity is skewed: a few users and characters get most of the traffic.
    const weights = ROSTER.map((_, i) => 1 / (i + 2));
    const total = weights.reduce((s, w) => s + w, 0);
    for (let i = 0; i < spec.interactions; i++) {
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
        id: stableUuid('interaction', `${options.seed}:${i}`),
        idempotency_key: `seed:${options.seed}:${i}`,
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
  };
  const dataset: SeedDataset = {
    seed: options.seed,
    size: options.size,
    anchor,
    characters: ROSTER,
    users,
    quests,
    progress,
    achievements,
    grants: [],
    passages: makePassages(root.fork('passages'), spec.passagesPerCharacter),
    documents: makeDocuments(root.fork('documents'), spec.documentsPerCategory),
    interactions,
    interactionCount: spec.interactions,
    traffic: [],
    trafficInteractions: 0,
  };
  dataset.traffic = makeTraffic(root.fork('traffic'), progress, topicsByCharacter, spec.traffic);
  dataset.trafficInteractions = dataset.traffic.reduce((n, t) => n + t.learners.length * t.rounds, 0);
  dataset.grants = grantAchievements(achievements, progress, quests, interactionCounts(dataset), anchor);
  return dataset;
}
