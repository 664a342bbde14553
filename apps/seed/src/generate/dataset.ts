// The whole seed dataset as plain rows, computed from (seed, size, anchor) alone: no store is
// touched here. Ids are stable UUIDs of natural keys, so a second run upserts the same rows.
// Each kind of row has its maker beside its type (users.ts, quests.ts …); this file puts them
// together, each on its own random stream.
import { ROSTER, type RosterCharacter } from '../roster.js';
import { grantAchievements, makeAchievements, type SeedAchievement, type SeedGrant } from './achievements.js';
import { todayUtc } from './anchor.js';
import { interactionsPerUser, makeInteractions, type SeedInteraction } from './interactions.js';
import { makeDocuments, makePassages, type SeedDocument, type SeedPassage } from './knowledge.js';
import { makeProgress, type SeedProgress } from './quest-progress.js';
import { makeQuests, type SeedQuest } from './quests.js';
import { Random } from './random.js';
import { type SeedSize, SIZES } from './sizes.js';
import { makeTraffic, type SeedTrafficClass } from './traffic.js';
import { makeUsers, type SeedUser } from './users.js';
import { topicsOf } from './words.js';

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

/**
 * Builds the dataset. `anchor` is "now" for the data (default: today 00:00 UTC), so runs on
 * the same day produce identical rows.
 * @example
 * const data = buildDataset({ seed: 42, size: 'small' });
 */
export function buildDataset(options: { seed: number; size: SeedSize; anchor?: Date }): SeedDataset {
  const spec = SIZES[options.size];
  const anchor = options.anchor ?? todayUtc();
  // Every part draws from its own fork of the root, so adding a part shifts none of the others.
  const root = new Random(options.seed);
  const users = makeUsers(root.fork('users'), spec.users);
  const quests = makeQuests(root.fork('quests'), spec.questsPerCategory);
  const progress = makeProgress(root.fork('progress'), users, quests, anchor);
  const achievements = makeAchievements();
  const topicsByCharacter = new Map(ROSTER.map((c) => [c.name, c.categories.flatMap(topicsOf)]));
  // A fresh stream on every call, so each pass over the interactions yields the same ones.
  const interactions = () =>
    makeInteractions(root.fork('interactions'), {
      seed: options.seed,
      count: spec.interactions,
      users,
      topicsByCharacter,
      anchor,
    });
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
  dataset.grants = grantAchievements(
    achievements,
    progress,
    quests,
    interactionsPerUser(interactions()),
    anchor,
  );
  return dataset;
}
