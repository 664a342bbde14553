// memoryConsolidation: a character's memory vectors (Qdrant) → their interactions' metadata
// (PostgreSQL) → near-duplicate pairs found by DuckDB → each group of near-duplicates merged into
// one consolidated memory carrying the highest learning value → the character's cached memory
// searches invalidated (Redis).
import type { Analytics } from '@monsteros/analytics';
import type { Cache } from '@monsteros/cache';
import { NotFoundError, type Relational } from '@monsteros/relational';
import { z } from 'zod';
import { checkInput, rethrowTyped } from '../boundary.js';
import { FlowError } from '../errors.js';
import { pipeline, type StepTiming, type TimingRecorder } from '../pipeline.js';
import type { StoredMemory, VectorsPort } from '../ports.js';
import { consolidatedPointId } from '../vectors-port.js';

export interface ConsolidationInput {
  /** One character, or every character with memories. */
  character?: string;
  /** Cosine similarity from which two memories count as near-duplicates. Default 0.95. */
  threshold?: number;
}

export interface ConsolidationResult {
  characters: string[];
  memoriesBefore: number;
  memoriesAfter: number;
  /** One entry per consolidated memory: the interactions merged into it. */
  merged: Array<{ character: string; interactionIds: string[] }>;
  /** Memories whose interaction no longer exists in PostgreSQL, removed. */
  orphansRemoved: number;
  timings: StepTiming[];
  partial: boolean;
}

export interface ConsolidationDeps {
  relational: Relational;
  cache: Cache;
  vectors: VectorsPort;
  analytics: Analytics | null;
  recorder: TimingRecorder;
}

const Input = z.object({
  character: z.string().min(1, 'must not be empty').max(50, 'must be at most 50 characters').optional(),
  threshold: z
    .number({ message: 'must be a number' })
    .refine((n) => Number.isFinite(n) && n > 0 && n <= 1, 'must be in (0, 1]')
    .optional(),
});

function normalizedMean(vectors: Float32Array[]): Float32Array {
  const out = new Float32Array(vectors[0]!.length);
  for (const v of vectors) for (let i = 0; i < v.length; i++) out[i]! += v[i]!;
  let norm = 0;
  for (const x of out) norm += x * x;
  norm = Math.sqrt(norm) || 1;
  for (let i = 0; i < out.length; i++) out[i]! /= norm;
  return out;
}

/** Groups of ids connected by pairs (union-find), each sorted, in a stable order. */
function clusters(pairs: Array<{ a: string; b: string }>): string[][] {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let root = x;
    while (parent.get(root) !== root) root = parent.get(root)!;
    parent.set(x, root);
    return root;
  };
  for (const { a, b } of pairs) {
    if (!parent.has(a)) parent.set(a, a);
    if (!parent.has(b)) parent.set(b, b);
    const ra = find(a);
    const rb = find(b);
    if (ra === rb) continue;
    // The smaller id is the root: clusters come out the same whatever the pair order.
    const [low, high] = ra < rb ? [ra, rb] : [rb, ra];
    parent.set(high, low);
  }
  const groups = new Map<string, string[]>();
  for (const id of parent.keys()) {
    const root = find(id);
    groups.set(root, [...(groups.get(root) ?? []), id]);
  }
  return [...groups.values()].map((g) => g.sort()).sort((x, y) => (x[0]! < y[0]! ? -1 : 1));
}

/**
 * The merge of one group as the memories are now (`current`, read under the character's lock):
 * members gone meanwhile are left out, and a merged memory already stored under the target id is
 * merged in (never overwritten without its interactions). Null when fewer than two remain.
 */
function planMerge(
  group: string[],
  current: Map<string, StoredMemory>,
): { pointId: string; into: Omit<StoredMemory, 'pointId'>; members: StoredMemory[] } | null {
  const members = group.map((id) => current.get(id)).filter((m) => m !== undefined);
  for (;;) {
    if (members.length < 2) return null;
    const mergedFrom = [...new Set(members.flatMap((m) => m.mergedFrom))].sort();
    const pointId = consolidatedPointId(mergedFrom[0]!);
    const existing = current.get(pointId);
    if (existing && !members.includes(existing)) {
      members.push(existing);
      continue;
    }
    const lead = [...members].sort(
      (a, b) => b.learningValue - a.learningValue || (a.createdAt < b.createdAt ? -1 : 1),
    )[0]!;
    return {
      pointId,
      members,
      into: {
        interactionId: mergedFrom[0]!,
        character: lead.character,
        text: lead.text,
        learningValue: Math.max(...members.map((m) => m.learningValue)),
        createdAt: members
          .map((m) => m.createdAt)
          .sort()
          .at(-1)!,
        vector: normalizedMean(members.map((m) => m.vector)),
        mergedFrom,
      },
    };
  }
}

// What each step adds to the context the next one reads; the run starts from its scope: which
// characters (one, or every one with memories) and from which similarity.
type Scope = { character?: string; threshold: number };
type Listed = Scope & { memories: Map<string, StoredMemory[]> };
type Checked = Listed & { orphans: StoredMemory[] };
type Grouped = Checked & { groups: string[][] };
type Merged = Grouped & { merged: ConsolidationResult['merged']; mergedAway: number };

/** The memories of the character (which must exist), or of every character. */
const readMemories =
  (deps: ConsolidationDeps) =>
  async (input: Scope): Promise<Listed> => {
    if (input.character && !(await deps.relational.characters.getByName(input.character)))
      throw new NotFoundError('character', input.character);
    const names = input.character
      ? [input.character]
      : (await deps.relational.characters.list()).map((c) => c.name);
    const memories = new Map<string, StoredMemory[]>();
    for (const name of names) memories.set(name, await deps.vectors.memoriesOf(name));
    return { ...input, memories };
  };

/** The memories whose interactions all left PostgreSQL (orphans). */
const findOrphans =
  (deps: ConsolidationDeps) =>
  async (ctx: Listed): Promise<Checked> => {
    const ids = [...ctx.memories.values()].flat().flatMap((m) => m.mergedFrom);
    const existing = new Set<string>();
    for (let i = 0; i < ids.length; i += 5_000) {
      const rows = await deps.relational.kysely
        .selectFrom('character_interactions')
        .select('id')
        .where('id', 'in', ids.slice(i, i + 5_000))
        .execute();
      for (const r of rows) existing.add(r.id);
    }
    // A memory none of whose interactions exists any more is an orphan.
    const orphans = [...ctx.memories.values()]
      .flat()
      .filter((m) => !m.mergedFrom.some((id) => existing.has(id)));
    return { ...ctx, orphans };
  };

/** Near-duplicate pairs (same character, cosine ≥ threshold) found by DuckDB, as groups. */
const findNearDuplicates =
  (deps: ConsolidationDeps) =>
  async (ctx: Checked): Promise<Grouped> => {
    if (!deps.analytics)
      throw new FlowError('UNAVAILABLE', 'memoryConsolidation needs the analytics (DuckDB) store');
    const orphanIds = new Set(ctx.orphans.map((o) => o.pointId));
    const items = [...ctx.memories.values()]
      .flat()
      .filter((m) => !orphanIds.has(m.pointId))
      .map((m) => ({ id: m.pointId, group: m.character, vector: m.vector }));
    const pairs = await deps.analytics.similarPairs(items, ctx.threshold);
    return { ...ctx, groups: clusters(pairs) };
  };

/** Each group merged into one memory, character by character under its lock; orphans removed. */
const mergeNearDuplicates =
  (deps: ConsolidationDeps) =>
  async (ctx: Grouped): Promise<Merged> => {
    const byPoint = new Map([...ctx.memories.values()].flat().map((m) => [m.pointId, m]));
    const byCharacter = new Map<string, string[][]>();
    for (const group of ctx.groups) {
      const character = byPoint.get(group[0]!)!.character;
      byCharacter.set(character, [...(byCharacter.get(character) ?? []), group]);
    }
    const merged: ConsolidationResult['merged'] = [];
    let mergedAway = 0;
    for (const [character, groups] of byCharacter) {
      // Another consolidation (another process) may have merged or removed these memories since
      // they were read: under the character's lock, each group is re-read and merged as it is now.
      await deps.relational.transaction(async (tx) => {
        await tx.operations.lockConsolidation(character);
        const current = new Map((await deps.vectors.memoriesOf(character)).map((m) => [m.pointId, m]));
        for (const group of groups) {
          const plan = planMerge(group, current);
          if (!plan) continue;
          await deps.vectors.consolidate(plan.into, plan.members);
          for (const m of plan.members) current.delete(m.pointId);
          current.set(plan.pointId, { ...plan.into, pointId: plan.pointId });
          merged.push({ character, interactionIds: plan.into.mergedFrom });
          mergedAway += plan.members.length - 1;
        }
      });
    }
    if (ctx.orphans.length) await deps.vectors.forget(ctx.orphans.flatMap((o) => o.mergedFrom));
    return { ...ctx, merged, mergedAway };
  };

/** The cached memory searches of every character whose memories changed. */
const invalidateMemorySearches =
  (deps: ConsolidationDeps) =>
  async (ctx: Merged): Promise<Merged> => {
    const changed = new Set([...ctx.merged.map((m) => m.character), ...ctx.orphans.map((o) => o.character)]);
    for (const character of changed) await deps.cache.invalidateTag(`character:${character}`);
    return ctx;
  };

export function memoryConsolidationFlow(deps: ConsolidationDeps) {
  const flow = pipeline<Scope>('memoryConsolidation')
    .step('memory vectors', 'qdrant', readMemories(deps))
    .step('entity metadata', 'postgres', findOrphans(deps))
    .step('consolidation patterns', 'duckdb', findNearDuplicates(deps))
    .step('merge near-duplicates', 'qdrant', mergeNearDuplicates(deps))
    // Cached searches then expire by their TTL (600 s).
    .step('invalidate memory searches', 'redis', invalidateMemorySearches(deps), { fallback: (ctx) => ctx });

  /**
   * Merges near-duplicate memories (same character, cosine ≥ threshold) and removes orphans. An
   * unknown character is a NOT_FOUND FlowError.
   * @example
   * const { merged } = await data.flows.memoryConsolidation({ character: 'sage' });
   */
  return async function memoryConsolidation(input: ConsolidationInput = {}): Promise<ConsolidationResult> {
    const valid = checkInput(Input, input, 'consolidation');
    const started = performance.now();
    try {
      const { output, timings, partial } = await flow.run(
        { character: valid.character, threshold: valid.threshold ?? 0.95 },
        deps.recorder,
      );
      const before = [...output.memories.values()].reduce((n, list) => n + list.length, 0);
      const mergedAway = output.mergedAway;
      await deps.relational.operations
        .record({
          operationType: 'consolidation',
          character: valid.character ?? null,
          latencyMs: performance.now() - started,
          quality: before ? Math.min(1, 1 - (mergedAway + output.orphans.length) / before) : null,
          metadata: { merged_groups: output.merged.length, orphans: output.orphans.length },
        })
        .catch(() => {});
      return {
        characters: [...output.memories.keys()],
        memoriesBefore: before,
        memoriesAfter: before - mergedAway - output.orphans.length,
        merged: output.merged,
        orphansRemoved: output.orphans.length,
        timings,
        partial,
      };
    } catch (error) {
      rethrowTyped(error);
    }
  };
}
