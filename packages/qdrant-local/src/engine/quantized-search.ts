import { formatError, validationError } from '../errors.js';
import type { QuantizedSearch, VectorStore } from './vector-store.js';

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Reads Qdrant's `params` of a search stage (`SearchParams`): whether and how the int8 codes are
 * used. Null means an exact float32 scan: the store is not quantized, `exact: true`, or
 * `quantization.ignore: true`. Otherwise `rescore` (default true) and `oversampling` (default 1,
 * at least 1).
 * @example
 * quantizedSearchOf({ quantization: { rescore: true, oversampling: 2 } }, store) // { rescore: true, oversampling: 2 }
 */
export function quantizedSearchOf(params: unknown, store: VectorStore): QuantizedSearch | null {
  const q = isObject(params) ? params.quantization : undefined;
  let rescore = true;
  let oversampling = 1;
  if (q !== undefined && q !== null) {
    if (!isObject(q)) throw formatError('params.quantization: expected a QuantizationSearchParams object');
    for (const field of ['ignore', 'rescore'] as const) {
      const v = q[field];
      if (v !== undefined && v !== null && typeof v !== 'boolean')
        throw formatError(`params.quantization.${field}: invalid type: expected a boolean`);
    }
    const o = q.oversampling;
    if (o !== undefined && o !== null) {
      if (typeof o !== 'number' || !Number.isFinite(o))
        throw formatError('params.quantization.oversampling: invalid type: expected f64');
      if (o < 1)
        throw validationError(`params.quantization.oversampling: value ${o} invalid, must be 1.0 or larger`);
      oversampling = o;
    }
    if (q.rescore === false) rescore = false;
    if (q.ignore === true) return null;
  }
  if (!store.quantized || (isObject(params) && params.exact === true)) return null;
  return { rescore, oversampling };
}
