// What the characters know: HippoRAG passages with their triples, and the documents per category.
import { CATEGORIES, ROSTER } from '../roster.js';
import { type Random, stableUuid } from './random.js';
import { title, topicsOf } from './words.js';

export interface SeedPassage {
  character: string;
  text: string;
  triples: Array<[string, string, string]>;
}

export interface SeedDocument {
  id: string;
  category: string;
  title: string;
  text: string;
}

export function makePassages(rng: Random, perCharacter: number): SeedPassage[] {
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

export function makeDocuments(rng: Random, perCategory: number): SeedDocument[] {
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
