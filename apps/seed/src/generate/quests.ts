// The quests of every category, with chapters, mentors and prerequisites.
import type { QuestContent } from '@monsteros/schema';
import { CATEGORIES, ROSTER } from '../roster.js';
import { type Random, stableUuid } from './random.js';
import { title, topicsOf } from './words.js';

export interface SeedQuest {
  id: string;
  quest_name: string;
  category: string;
  difficulty: number;
  learning_objectives: string[];
  quest_content: QuestContent;
  character_mentors: string[];
  prerequisites: string[];
}

/**
 * Quests per category with rising difficulty. A quest's prerequisites are earlier quests of
 * its category (and, from the third on, possibly a foundations quest), so they form a DAG by
 * construction: every edge points to a smaller index.
 */
export function makeQuests(rng: Random, perCategory: number): SeedQuest[] {
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
