import { z } from 'zod';

/** A character context: a character name, or `global`. */
export const Context = z.string().regex(/^[a-z][a-z0-9_-]{0,49}$/, 'must be a character name or "global"');

/** The most rows one bulk call takes. */
export const MAX_BULK = 50_000;

/** Column arrays of `rows` (rowMode 'array'), by position. */
export function column<T>(rows: unknown[][], index: number): T[] {
  const out = new Array<T>(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = rows[i]![index] as T;
  return out;
}
