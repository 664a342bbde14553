import { z } from 'zod';
import type { Distance } from './vector-store.js';

const uint = z.number().int().nonnegative();
const positive = (field: string) => z.number().int().min(1, `value must be 1 or larger for ${field}`);

const distance = z.enum(['Cosine', 'Dot', 'Euclid', 'Manhattan']);

export const hnswDiff = z
  .object({
    m: uint.nullish(),
    ef_construct: z.number().int().min(4, 'value must be 4 or larger').nullish(),
    full_scan_threshold: z.number().int().min(10, 'value must be 10 or larger').nullish(),
    max_indexing_threads: uint.nullish(),
    on_disk: z.boolean().nullish(),
    payload_m: uint.nullish(),
    inline_storage: z.boolean().nullish(),
  })
  .strict();

export const quantization = z.union([
  z.object({
    scalar: z
      .object({
        type: z.literal('int8'),
        quantile: z.number().min(0.5).max(1).nullish(),
        always_ram: z.boolean().nullish(),
      })
      .strict(),
  }),
  z.object({
    product: z
      .object({ compression: z.enum(['x4', 'x8', 'x16', 'x32', 'x64']), always_ram: z.boolean().nullish() })
      .strict(),
  }),
  z.object({
    binary: z
      .object({
        always_ram: z.boolean().nullish(),
        encoding: z.enum(['one_bit', 'two_bits', 'one_and_half_bits']).nullish(),
        query_encoding: z.unknown().optional(),
      })
      .strict(),
  }),
]);

export const vectorParams = z
  .object({
    size: z
      .number()
      .int()
      .min(1, 'value 0 invalid, must be 1 or larger')
      .max(65536, 'must be 65536 or smaller'),
    distance,
    hnsw_config: hnswDiff.nullish(),
    quantization_config: quantization.nullish(),
    on_disk: z.boolean().nullish(),
    datatype: z.enum(['float32', 'float16', 'uint8']).nullish(),
    multivector_config: z
      .object({ comparator: z.literal('max_sim') })
      .strict()
      .nullish(),
  })
  .strict();

export const sparseParams = z
  .object({
    index: z
      .object({
        full_scan_threshold: uint.nullish(),
        on_disk: z.boolean().nullish(),
        datatype: z.string().nullish(),
      })
      .strict()
      .nullish(),
    modifier: z.enum(['none', 'idf']).nullish(),
  })
  .strict();

export const optimizersDiff = z
  .object({
    deleted_threshold: z.number().min(0).max(1).nullish(),
    vacuum_min_vector_number: z.number().int().min(100, 'value must be 100 or larger').nullish(),
    default_segment_number: uint.nullish(),
    max_segment_size: uint.nullish(),
    memmap_threshold: uint.nullish(),
    indexing_threshold: uint.nullish(),
    flush_interval_sec: uint.nullish(),
    max_optimization_threads: z.union([uint, z.literal('auto')]).nullish(),
    prevent_unoptimized: z.boolean().nullish(),
  })
  .strict();

const walDiff = z
  .object({
    wal_capacity_mb: z.number().int().min(1).nullish(),
    wal_segments_ahead: uint.nullish(),
    wal_retain_closed: uint.nullish(),
  })
  .strict();

/** Qdrant's CreateCollection body; settings the local engine does not use are validated and kept. */
export const createCollectionSchema = z
  .object({
    vectors: z.union([vectorParams, z.record(z.string(), vectorParams)]).optional(),
    shard_number: positive('shard_number').nullish(),
    sharding_method: z.enum(['auto', 'custom']).nullish(),
    replication_factor: positive('replication_factor').nullish(),
    write_consistency_factor: positive('write_consistency_factor').nullish(),
    on_disk_payload: z.boolean().nullish(),
    payload: z.record(z.string(), z.unknown()).nullish(),
    hnsw_config: hnswDiff.nullish(),
    wal_config: walDiff.nullish(),
    optimizers_config: optimizersDiff.nullish(),
    quantization_config: quantization.nullish(),
    sparse_vectors: z.record(z.string(), sparseParams).nullish(),
    strict_mode_config: z.record(z.string(), z.unknown()).nullish(),
    metadata: z.record(z.string(), z.unknown()).nullish(),
    init_from: z.unknown().optional(),
  })
  .strict();

export type CreateCollectionBody = z.output<typeof createCollectionSchema>;

/** The dense vector declarations of a collection; the unnamed default vector has the name ''. */
export interface DenseSpec {
  name: string;
  size: number;
  distance: Distance;
  /** Several rows per point compared by MaxSim (`multivector_config: {comparator: 'max_sim'}`). */
  multivector?: boolean;
  /** `on_disk`: the float32 originals are kept in a file, not in memory. */
  onDisk?: boolean;
  /** Scalar int8 quantization (the vector's own `quantization_config`, else the collection's). */
  int8?: { quantile: number } | null;
}

type Quantization = z.output<typeof quantization>;

/** The int8 settings of a quantization config, or null (none, or product / binary: searched exactly). */
function int8Of(q: Quantization | null | undefined): { quantile: number } | null {
  if (!q || !('scalar' in q)) return null;
  return { quantile: q.scalar.quantile ?? 1 };
}

export function denseSpecs(body: CreateCollectionBody): { unnamed: boolean; specs: DenseSpec[] } {
  const v = body.vectors;
  if (v === undefined) return { unnamed: false, specs: [] };
  const spec = (name: string, p: z.output<typeof vectorParams>): DenseSpec => ({
    name,
    size: p.size,
    distance: p.distance,
    onDisk: p.on_disk === true,
    int8: int8Of(p.quantization_config ?? body.quantization_config),
    multivector: Boolean(p.multivector_config),
  });
  if ('size' in v && typeof v.size === 'number') {
    return { unnamed: true, specs: [spec('', v as z.output<typeof vectorParams>)] };
  }
  const named = v as Record<string, z.output<typeof vectorParams>>;
  return { unnamed: false, specs: Object.entries(named).map(([name, p]) => spec(name, p)) };
}

const strip = <T extends Record<string, unknown>>(o: T | null | undefined): Partial<T> => {
  const out: Partial<T> = {};
  if (!o) return out;
  for (const [k, v] of Object.entries(o))
    if (v !== undefined && v !== null) (out as Record<string, unknown>)[k] = v;
  return out;
};

/** The `config` of CollectionInfo: Qdrant's defaults overlaid with what the collection was created with. */
export function collectionConfig(body: CreateCollectionBody): Record<string, unknown> {
  const params: Record<string, unknown> = {
    shard_number: body.shard_number ?? 1,
    ...(body.sharding_method ? { sharding_method: body.sharding_method } : {}),
    replication_factor: body.replication_factor ?? 1,
    write_consistency_factor: body.write_consistency_factor ?? 1,
    on_disk_payload: body.on_disk_payload ?? true,
  };
  if (body.vectors !== undefined) params.vectors = body.vectors;
  if (body.sparse_vectors) params.sparse_vectors = body.sparse_vectors;
  if (body.payload) params.payload = body.payload;
  return {
    params,
    hnsw_config: {
      m: 16,
      ef_construct: 100,
      full_scan_threshold: 10000,
      max_indexing_threads: 0,
      on_disk: false,
      ...strip(body.hnsw_config),
    },
    optimizer_config: {
      deleted_threshold: 0.2,
      vacuum_min_vector_number: 1000,
      default_segment_number: 0,
      max_segment_size: null,
      memmap_threshold: null,
      indexing_threshold: 10000,
      flush_interval_sec: 5,
      max_optimization_threads: null,
      ...strip(body.optimizers_config),
    },
    wal_config: {
      wal_capacity_mb: 32,
      wal_segments_ahead: 0,
      wal_retain_closed: 1,
      ...strip(body.wal_config),
    },
    quantization_config: body.quantization_config ?? null,
    strict_mode_config: { enabled: false, ...strip(body.strict_mode_config) },
    ...(body.metadata ? { metadata: body.metadata } : {}),
  };
}

/** Collection names Qdrant accepts: 1..255 characters, none of the path-unsafe ones. */
export function checkCollectionName(name: unknown): string | null {
  if (typeof name !== 'string' || name.length === 0 || name.length > 255) {
    return 'collection name must be between 1 and 255 characters';
  }
  const forbidden = (ch: string) =>
    '<>:"/\\|?*'.includes(ch) || ch.charCodeAt(0) === 0 || ch.charCodeAt(0) === 0x1f;
  if ([...name].some(forbidden) || name === '.' || name === '..') {
    return `collection name cannot contain any of the characters <>:"/\\|?*, nor be "." or ".."`;
  }
  return null;
}

const payloadSchemaTypes = [
  'keyword',
  'integer',
  'float',
  'geo',
  'text',
  'bool',
  'datetime',
  'uuid',
] as const;

/** CreateFieldIndex: `field_schema` is a type name or `{type, ...params}`. */
export const createIndexSchema = z
  .object({
    field_name: z.string().min(1),
    field_schema: z
      .union([z.enum(payloadSchemaTypes), z.looseObject({ type: z.enum(payloadSchemaTypes) })])
      .nullish(),
  })
  .strict();
