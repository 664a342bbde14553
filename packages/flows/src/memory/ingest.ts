// Ingest: passages, entities (one per normalized name per character) and triples in one
// PostgreSQL transaction with its `memory.ingested` outbox events (at most EVENT_ROWS new rows
// each); their side effects applied right after the commit (all at once into an empty memory),
// or left to the relay.
import { normalizeEntityName, type Relational } from '@monsteros/relational';
import { check, type IngestInput, IngestInputSchema, MemoryInputError } from './input.js';
import {
  applyFreshIngest,
  applyMemoryIngested,
  MEMORY_INGESTED,
  type MemoryIngestedPayload,
  type SideEffectDeps,
} from './side-effects.js';
import type { MemoryTuning } from './tuning.js';

/** What `ingest` did. Counts are of rows this call created (0 on a re-ingest). */
export interface IngestResult {
  character: string;
  passages: { received: number; inserted: number };
  entities: { received: number; inserted: number };
  triples: { received: number; inserted: number };
  /** The outbox events appended (none when nothing was new). */
  eventIds: string[];
  /** `applied`: done inline; `queued`: left to (or failed over to) the relay; `none`: nothing new. */
  sideEffects: 'applied' | 'queued' | 'none';
  /** Synonym edges stored by the inline side effects. */
  synonymEdges: number;
}

const EVENT_ROWS = 1_000;
const TRIPLE_BATCH = 50_000;

export interface IngestDeps {
  relational: Pick<Relational, 'memory' | 'transaction' | 'outbox'>;
  tuning: MemoryTuning;
  sideEffects: SideEffectDeps;
  onSideEffectError?: ((error: unknown, payload: MemoryIngestedPayload) => void) | undefined;
}

/** Writes an ingest's rows and events, then applies its side effects unless they are left to the relay. */
export async function ingestRows(
  { relational, tuning, sideEffects: deps, onSideEffectError }: IngestDeps,
  input: IngestInput,
): Promise<IngestResult> {
  const { character, passages } = check(IngestInputSchema, input, 'input');
  // Entity names in first-seen order, one per normalized name.
  const names = new Map<string, string>();
  let tripleCount = 0;
  for (const p of passages)
    for (const [s, , o] of p.triples) {
      tripleCount++;
      for (const name of [s, o]) {
        const key = normalizeEntityName(name);
        if (!names.has(key)) names.set(key, name);
      }
    }
  if (names.size > 50_000)
    throw new MemoryInputError('input.passages', 'at most 50000 distinct entities per ingest');

  const written = await relational.transaction(async (tx) => {
    await tx.memory.lockGraph(character);
    // An empty memory before this ingest: its synonyms can all be found in process (below).
    const fresh = ((await tx.memory.graphVersion(character))?.version ?? 0) === 0;
    const passageRows = await tx.memory.upsertPassages(
      character,
      passages.map((p) => ({ content: p.text, ...(p.metadata ? { metadata: p.metadata } : {}) })),
    );
    const entityRows = await tx.memory.insertEntities(
      character,
      [...names.values()].map((name) => ({ name, entity_type: 'entity' })),
    );
    const entityId = new Map<string, string>();
    [...names.keys()].forEach((key, i) => {
      entityId.set(key, entityRows.rows[i]!.id);
    });
    const triples = passages.flatMap((p, i) =>
      p.triples.map(([s, predicate, o]) => ({
        subject_id: entityId.get(normalizeEntityName(s))!,
        predicate,
        object_id: entityId.get(normalizeEntityName(o))!,
        passage_id: passageRows.rows[i]!.id,
      })),
    );
    const newTriples: string[] = [];
    for (let i = 0; i < triples.length; i += TRIPLE_BATCH)
      newTriples.push(...(await tx.memory.insertTriples(character, triples.slice(i, i + TRIPLE_BATCH))));

    // Events of at most EVENT_ROWS new rows: entities first, then passages, then triples (facts).
    const payloads: MemoryIngestedPayload[] = [];
    const newEntities = entityRows.insertedIds;
    const newPassages = passageRows.insertedIds;
    for (
      let e = 0, p = 0, t = 0;
      e < newEntities.length || p < newPassages.length || t < newTriples.length;
    ) {
      const entityIds = newEntities.slice(e, e + EVENT_ROWS);
      const passageIds = newPassages.slice(p, p + EVENT_ROWS - entityIds.length);
      const tripleIds = newTriples.slice(t, t + EVENT_ROWS - entityIds.length - passageIds.length);
      e += entityIds.length;
      p += passageIds.length;
      t += tripleIds.length;
      payloads.push({ character, entityIds, passageIds, tripleIds });
    }
    const eventIds =
      payloads.length === 0
        ? []
        : await tx.outbox.append(
            payloads.map((payload) => ({
              aggregate_type: 'memory',
              aggregate_id: character,
              event_type: MEMORY_INGESTED,
              payload: { ...payload },
            })),
          );
    return {
      fresh,
      payloads,
      eventIds,
      insertedPassages: newPassages.length,
      insertedEntities: newEntities.length,
      insertedTriples: newTriples.length,
    };
  });

  const result: IngestResult = {
    character,
    passages: { received: passages.length, inserted: written.insertedPassages },
    entities: { received: names.size, inserted: written.insertedEntities },
    triples: { received: tripleCount, inserted: written.insertedTriples },
    eventIds: written.eventIds,
    sideEffects: written.payloads.length === 0 ? 'none' : 'queued',
    synonymEdges: 0,
  };
  if (written.payloads.length === 0 || tuning.sideEffects === 'outbox') return result;
  let i = 0;
  try {
    if (written.fresh) {
      result.synonymEdges = await applyFreshIngest(deps, written.payloads);
      await relational.outbox.complete(written.eventIds);
      i = written.payloads.length;
    }
    for (; i < written.payloads.length; i++) {
      const applied = await applyMemoryIngested(deps, written.payloads[i]!);
      result.synonymEdges += applied.synonymEdges;
      await relational.outbox.complete([written.eventIds[i]!]);
    }
    result.sideEffects = 'applied';
  } catch (error) {
    // The rows are committed and the events not completed stay in the outbox: the relay finishes the job.
    onSideEffectError?.(error, written.payloads[Math.min(i, written.payloads.length - 1)]!);
  }
  return result;
}
