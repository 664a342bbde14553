// Cross-character memory search with weights adapted to how much each character is used: the
// usage comes from the analytics (DuckDB's interactions per character over a window), the search
// from @monsteros/vectors. The two stores never import each other; this file composes them.
import type { Analytics } from '@monsteros/analytics';
import type { CrossCharacterHit, CrossCharacterOptions, Vectors } from '@monsteros/vectors';
import { z } from 'zod';
import { checkInput } from './boundary.js';
import { FlowError, FlowValidationError } from './errors.js';

/** Options of `data.crossCharacterSearch`: those of the vectors strategy, with usage taken from the analytics. */
export interface CrossCharacterSearchInput extends Omit<CrossCharacterOptions, 'usage'> {
  /**
   * Hours of interactions counted per character to adapt the weights (fixed weight × (count + 1),
   * normalized); 0 turns the adaptation off. Counted from DuckDB, so as of the last `syncAnalytics()`.
   * @default 168 (a week)
   */
  usageHours?: number;
  /** The end of the usage window. @default now */
  now?: Date;
}

/** What `data.crossCharacterSearch` answers. */
export interface CrossCharacterSearchResult {
  hits: CrossCharacterHit[];
  /**
   * The interactions per character the weights were adapted from (0 for a character without
   * any in the window), or null when not adapted (`usageHours: 0`, or no analytics in this process).
   */
  usage: Record<string, number> | null;
}

const Window = z.object({
  usageHours: z
    .number({ message: 'must be a number' })
    .int('must be a whole number')
    .min(0, 'must be from 0 to 8760')
    .max(8_760, 'must be from 0 to 8760'),
  now: z
    .date({ message: 'must be a valid Date' })
    .refine((d) => !Number.isNaN(d.getTime()), 'must be a valid Date'),
});

/**
 * Builds `crossCharacterSearch` over the vectors store and the analytics: counts each
 * character's interactions in the window, then runs the vectors strategy with that usage.
 * @example
 * const { hits, usage } = await data.crossCharacterSearch('recursion', { characters: ['sage', 'spark'] });
 * // usage: { sage: 42, spark: 3 } → sage's memories weigh 43·2/47 ≈ 1.83, spark's 4·2/47 ≈ 0.17
 */
export function crossCharacterSearch(deps: { vectors: Vectors | null; analytics: Analytics | null }) {
  return async (query: string, input: CrossCharacterSearchInput): Promise<CrossCharacterSearchResult> => {
    if (typeof input !== 'object' || input === null || Array.isArray(input))
      throw new FlowValidationError('options', 'must be an object');
    let hoursIn: unknown;
    let nowIn: unknown;
    let options: Omit<CrossCharacterSearchInput, 'usageHours' | 'now'>;
    try {
      ({ usageHours: hoursIn, now: nowIn, ...options } = input);
    } catch {
      throw new FlowValidationError('options', 'must be plain data (reading it threw)');
    }
    const { usageHours, now } = checkInput(
      Window,
      { usageHours: hoursIn ?? 168, now: nowIn ?? new Date() },
      'options',
    );
    const vectors = deps.vectors;
    if (!vectors)
      throw new FlowError('UNAVAILABLE', 'crossCharacterSearch: no vector store underneath the data layer');
    // Checked before the analytics are read (the vectors check the rest of the options).
    if (
      !Array.isArray(options.characters) ||
      options.characters.length === 0 ||
      !options.characters.every((c) => typeof c === 'string')
    )
      throw new FlowValidationError('characters', 'must be a non-empty array of character names');
    let usage: Record<string, number> | null = null;
    if (usageHours > 0 && deps.analytics) {
      const trends = await deps.analytics.characterTrends({ hours: usageHours, now });
      const counts = new Map(trends.map((t) => [t.character, t.interactions]));
      usage = Object.fromEntries(options.characters.map((c) => [c, counts.get(c) ?? 0]));
    }
    try {
      const hits = await vectors.crossCharacterSearch(query, { ...options, ...(usage ? { usage } : {}) });
      return { hits, usage };
    } catch (error) {
      const e = error as { code?: unknown; field?: unknown; rule?: unknown };
      if (e?.code === 'VALIDATION' && typeof e.field === 'string' && typeof e.rule === 'string')
        throw new FlowValidationError(e.field, e.rule);
      throw error;
    }
  };
}
