// Rows the tests of several packages build alike.
import type { QuestDefinition } from '../generated/prisma/client.js';

/**
 * A minimal valid quest definition (a `quest_definitions` row, the `quest_data` cache value), with
 * `extra` fields over it.
 * @example
 * questFixture('q1', { difficulty: 3 }) // { id: 'q1', quest_name: 'q1', difficulty: 3, quest_content: { chapters: [] }, … }
 */
export function questFixture(id: string, extra: Partial<QuestDefinition> = {}): QuestDefinition {
  return {
    id,
    quest_name: id,
    category: 'basics',
    difficulty: 1,
    learning_objectives: [],
    quest_content: { chapters: [] },
    character_mentors: [],
    prerequisites: [],
    created_at: new Date(0),
    ...extra,
  };
}
