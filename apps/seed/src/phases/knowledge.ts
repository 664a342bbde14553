// Each character's memory graph through memory.ingest (and a few real recalls of it), and the
// documents in the vector store.
import type { DataLayer } from '@monsteros/flows';
import type { SeedDataset } from '../generate/dataset.js';
import type { SeedRunOptions } from '../seed.js';

/** Recalls the seed makes of each character's memory after ingesting it. */
const RECALLS_PER_CHARACTER = 3;

export async function seedKnowledge(data: DataLayer, set: SeedDataset, options: SeedRunOptions) {
  const byCharacter = new Map<string, SeedDataset['passages']>();
  for (const p of set.passages) byCharacter.set(p.character, [...(byCharacter.get(p.character) ?? []), p]);
  const phase = options.progress.phase('memory graph', set.passages.length + set.documents.length);
  let inserted = 0;
  let recalled = 0;
  for (const [character, passages] of [...byCharacter].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (data.memory) {
      const result = await data.memory.ingest({
        character,
        passages: passages.map((p) => ({ text: p.text, triples: p.triples })),
      });
      inserted += result.passages.inserted;
      // A few real recalls of what was just stored: the memory records them (and the ingest) in
      // memory_operations, which the analytics' memory efficiency reads. Nothing is invented.
      const facts = passages.flatMap((p) => p.triples.slice(0, 1)).slice(0, RECALLS_PER_CHARACTER);
      for (const [subject, predicate] of facts) {
        await data.memory.retrieve({ character, query: `What ${predicate} ${subject}?`, topK: 5 });
        recalled++;
      }
    }
    phase.tick(passages.length);
  }
  const store = data.vectors.store;
  if (store && set.documents.length) {
    const mentorOf = new Map(
      set.characters.flatMap((c) => c.categories.map((cat) => [cat, c.name] as const)),
    );
    await store.upsert(
      'document_vectors',
      set.documents.map((d) => ({
        text: `${d.title}\n${d.text}`,
        payload: {
          document_id: d.id,
          document_type: d.category,
          processed_by: mentorOf.get(d.category) ?? set.characters[0]!.name,
          extraction_quality: 0.9,
        },
      })),
    );
  }
  phase.tick(set.documents.length);
  phase.done(`${inserted} new passages, ${recalled} recalls, ${set.documents.length} documents`);
}
