import { z } from 'zod';
import { LocalQdrantError, wrongInput } from '../errors.js';
import type { Collection } from './collection.js';
import {
  type CreateCollectionBody,
  createCollectionSchema,
  hnswDiff,
  optimizersDiff,
  quantization,
  sparseParams,
  vectorParams,
} from './collection-config.js';
import { parseBody } from './validate.js';

/**
 * PATCH /collections/{name} and the vector-name calls as changes of a collection's creation body:
 * each returns the new body, validated as a creation body, which the engine logs and applies
 * with `Collection.reconfigure`. Nothing else changes (vectors keep their size and distance).
 */

const quantizationDiff = z.union([quantization, z.literal('Disabled')]);

const updateSchema = z
  .object({
    vectors: z
      .record(
        z.string(),
        z
          .object({
            hnsw_config: hnswDiff.nullish(),
            quantization_config: quantizationDiff.nullish(),
            on_disk: z.boolean().nullish(),
          })
          .strict(),
      )
      .nullish(),
    optimizers_config: optimizersDiff.nullish(),
    params: z
      .object({
        replication_factor: z.number().int().min(1).nullish(),
        write_consistency_factor: z.number().int().min(1).nullish(),
        read_fan_out_factor: z.number().int().nonnegative().nullish(),
        on_disk_payload: z.boolean().nullish(),
      })
      .strict()
      .nullish(),
    hnsw_config: hnswDiff.nullish(),
    quantization_config: quantizationDiff.nullish(),
    sparse_vectors: z.record(z.string(), sparseParams).nullish(),
    strict_mode_config: z.record(z.string(), z.unknown()).nullish(),
    metadata: z.record(z.string(), z.unknown()).nullish(),
  })
  .strict();

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** `base` with the set (non-null) fields of `diff` written over it. */
function merge(base: unknown, diff: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = isObject(base) ? { ...base } : {};
  for (const [k, v] of Object.entries(diff)) if (v !== undefined && v !== null) out[k] = v;
  return out;
}

const validated = (body: unknown): CreateCollectionBody =>
  parseBody(createCollectionSchema, body, 'collection');

/** The body after a PATCH /collections/{name}; 400 for a vector name the collection does not have. */
export function updatedBody(col: Collection, raw: unknown): CreateCollectionBody {
  const diff = parseBody(updateSchema, raw ?? {}, 'collection');
  const body: Record<string, unknown> = structuredClone(col.body) as Record<string, unknown>;
  if (diff.vectors) {
    for (const [name, d] of Object.entries(diff.vectors)) {
      const patch = (params: unknown) => {
        const next = merge(params, {
          hnsw_config: d.hnsw_config
            ? merge((params as Record<string, unknown>).hnsw_config, d.hnsw_config)
            : null,
          on_disk: d.on_disk,
        });
        if (d.quantization_config === 'Disabled') delete next.quantization_config;
        else if (d.quantization_config) next.quantization_config = d.quantization_config;
        return next;
      };
      if (col.unnamed && name === '') body.vectors = patch(body.vectors);
      else if (!col.unnamed && isObject(body.vectors) && isObject(body.vectors[name]))
        body.vectors = { ...body.vectors, [name]: patch(body.vectors[name]) };
      else throw wrongInput(`Not existing vector name error: ${name}`);
    }
  }
  if (diff.optimizers_config) body.optimizers_config = merge(body.optimizers_config, diff.optimizers_config);
  if (diff.hnsw_config) body.hnsw_config = merge(body.hnsw_config, diff.hnsw_config);
  if (diff.quantization_config === 'Disabled') delete body.quantization_config;
  else if (diff.quantization_config) body.quantization_config = diff.quantization_config;
  if (diff.params) {
    for (const k of ['replication_factor', 'write_consistency_factor', 'on_disk_payload'] as const)
      if (diff.params[k] !== undefined && diff.params[k] !== null) body[k] = diff.params[k];
  }
  if (diff.sparse_vectors) {
    const current = isObject(body.sparse_vectors) ? body.sparse_vectors : {};
    for (const [name, params] of Object.entries(diff.sparse_vectors)) {
      if (!isObject(current[name])) throw wrongInput(`Not existing vector name error: ${name}`);
      current[name] = merge(current[name], params);
    }
    body.sparse_vectors = current;
  }
  if (diff.strict_mode_config)
    body.strict_mode_config = merge(body.strict_mode_config, diff.strict_mode_config);
  // Metadata keys are merged into the existing ones; a key set to null is removed.
  if (diff.metadata) {
    const meta = merge(body.metadata, diff.metadata);
    for (const [k, v] of Object.entries(diff.metadata)) if (v === null) delete meta[k];
    body.metadata = meta;
  }
  return validated(body);
}

const vectorNameSchema = z.union([
  z.object({ dense: vectorParams }).strict(),
  z.object({ sparse: sparseParams }).strict(),
]);

/** The body after PUT /collections/{name}/vectors/{vector}: a new dense or sparse vector name. */
export function withVectorName(col: Collection, name: string, raw: unknown): CreateCollectionBody {
  const spec = parseBody(vectorNameSchema, raw, 'dense');
  if (name === '') throw wrongInput('vector name must not be empty');
  if (col.dense.has(name) || col.multi.has(name) || col.sparseNames.has(name))
    throw new LocalQdrantError(409, `Wrong input: Vector name \`${name}\` already exists`);
  const body = structuredClone(col.body) as Record<string, unknown>;
  if ('dense' in spec) {
    if (col.unnamed)
      throw wrongInput(
        `Can't add named vector \`${name}\` to a collection with a single unnamed vector; create the collection with named vectors`,
      );
    body.vectors = { ...(isObject(body.vectors) ? body.vectors : {}), [name]: spec.dense };
  } else {
    body.sparse_vectors = {
      ...(isObject(body.sparse_vectors) ? body.sparse_vectors : {}),
      [name]: spec.sparse,
    };
  }
  return validated(body);
}

/** The body after DELETE /collections/{name}/vectors/{vector}; 400 for a name that does not exist. */
export function withoutVectorName(col: Collection, name: string): CreateCollectionBody {
  const body = structuredClone(col.body) as Record<string, unknown>;
  if (col.sparseNames.has(name) && isObject(body.sparse_vectors)) {
    const { [name]: _gone, ...rest } = body.sparse_vectors;
    body.sparse_vectors = rest;
  } else if (!col.unnamed && (col.dense.has(name) || col.multi.has(name)) && isObject(body.vectors)) {
    const { [name]: _gone, ...rest } = body.vectors;
    body.vectors = rest;
  } else {
    throw wrongInput(`Not existing vector name error: ${name}`);
  }
  return validated(body);
}
