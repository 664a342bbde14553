import { isAbsolute, resolve as resolvePath } from 'node:path';
import { joinInputPath, parseInput } from '@monsteros/schema';
import { z } from 'zod';
import { ConfigError } from './errors.js';

/** The data layer's configuration, validated at start. Defaults follow ARCHITECTURE.md. */
export interface DataLayerConfig {
  /** PostgreSQL connection string. Default `postgresql://postgres@127.0.0.1:5432/monsteros`. */
  databaseUrl: string;
  /** Redis connection string. Default `redis://127.0.0.1:6379`. */
  redisUrl: string;
  /** Qdrant server; unset means the embedded local mode under `localVectorsPath`. */
  qdrantUrl?: string;
  qdrantApiKey?: string;
  /** Directory of the embedded local vector store when `qdrantUrl` is unset. Default `.data/vectors`. */
  localVectorsPath: string;
  /** DuckDB database file, or `:memory:`. Default `.data/analytics.duckdb`. */
  duckdbPath: string;
  /** OpenAI-compatible embeddings server; unset means the built-in lexical embedder. */
  embeddingsUrl?: string;
  /** The model of every collection (default `nomic-embed-text`), unless overridden below. */
  embeddingsModel?: string;
  /** Bearer key of a hosted embeddings endpoint; never logged nor put in error messages. */
  embeddingsApiKey?: string;
  /** Model of `memory_embeddings` (768 dimensions), overriding `embeddingsModel`. */
  embeddingsModelMemoryEmbeddings?: string;
  /** Model of `character_memories` (384 dimensions), overriding `embeddingsModel`. */
  embeddingsModelCharacterMemories?: string;
  /** Model of `document_vectors` (1024 dimensions), overriding `embeddingsModel`. */
  embeddingsModelDocumentVectors?: string;
  /** Prefix of every Redis key. Default `mos:`. */
  keyPrefix: string;
}

const DEFAULTS = {
  databaseUrl: 'postgresql://postgres@127.0.0.1:5432/monsteros',
  redisUrl: 'redis://127.0.0.1:6379',
  localVectorsPath: '.data/vectors',
  duckdbPath: '.data/analytics.duckdb',
  keyPrefix: 'mos:',
} as const;

const ENV = {
  databaseUrl: 'DATABASE_URL',
  redisUrl: 'REDIS_URL',
  qdrantUrl: 'QDRANT_URL',
  qdrantApiKey: 'QDRANT_API_KEY',
  duckdbPath: 'DUCKDB_PATH',
  embeddingsUrl: 'EMBEDDINGS_URL',
  embeddingsModel: 'EMBEDDINGS_MODEL',
  embeddingsApiKey: 'EMBEDDINGS_API_KEY',
  embeddingsModelMemoryEmbeddings: 'EMBEDDINGS_MODEL_MEMORY_EMBEDDINGS',
  embeddingsModelCharacterMemories: 'EMBEDDINGS_MODEL_CHARACTER_MEMORIES',
  embeddingsModelDocumentVectors: 'EMBEDDINGS_MODEL_DOCUMENT_VECTORS',
  keyPrefix: 'MONSTEROS_KEY_PREFIX',
  localVectorsPath: 'MONSTEROS_LOCAL_VECTORS_PATH',
} as const satisfies Record<keyof DataLayerConfig, string>;

const url = (protocols: string[]) =>
  z.string().refine(
    (value) => {
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    `must be a URL with scheme ${protocols.map((p) => p.replace(':', '://')).join(' or ')}`,
  );

/** `overrides` as a whole: an object of plain data (each value is checked by ConfigSchema). */
const Overrides = z.custom<object>(
  (v) => typeof v === 'object' && v !== null && !Array.isArray(v),
  'must be an object',
);

const ConfigSchema = z.object({
  databaseUrl: url(['postgres:', 'postgresql:']),
  redisUrl: url(['redis:', 'rediss:']),
  qdrantUrl: url(['http:', 'https:']).optional(),
  qdrantApiKey: z.string().min(1, 'must not be empty when set').optional(),
  localVectorsPath: z.string().min(1, 'must not be empty'),
  duckdbPath: z.string().min(1, 'must not be empty'),
  embeddingsUrl: url(['http:', 'https:']).optional(),
  embeddingsModel: z.string().min(1, 'must not be empty when set').optional(),
  embeddingsApiKey: z.string().min(1, 'must not be empty when set').optional(),
  embeddingsModelMemoryEmbeddings: z.string().min(1, 'must not be empty when set').optional(),
  embeddingsModelCharacterMemories: z.string().min(1, 'must not be empty when set').optional(),
  embeddingsModelDocumentVectors: z.string().min(1, 'must not be empty when set').optional(),
  keyPrefix: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,32}:$/, 'must be 1-32 characters of letters, digits, _ . - ending with ":"'),
});

/**
 * Reads and validates the configuration: explicit `overrides` first, then the environment,
 * then the defaults. Throws a ConfigError naming the variable and the rule (never its
 * value, which may hold a password).
 * @example
 * const config = loadConfig(process.env, { duckdbPath: ':memory:' });
 */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  overrides: Partial<DataLayerConfig> = {},
): DataLayerConfig {
  // Plain data only: a circular, endlessly nested or throwing `overrides` (or `env`) is a
  // ConfigError naming it, not a TypeError or a silently ignored value.
  const plain = parseInput(Overrides, overrides);
  if (!plain.ok) throw new ConfigError(joinInputPath('config', plain.problem.path), plain.problem.rule);
  const plainEnv = parseInput(Overrides, env);
  if (!plainEnv.ok) throw new ConfigError(joinInputPath('env', plainEnv.problem.path), plainEnv.problem.rule);
  const raw: Record<string, string | undefined> = {};
  for (const [key, variable] of Object.entries(ENV) as Array<[keyof DataLayerConfig, string]>) {
    let fromEnv: unknown;
    try {
      fromEnv = env[variable];
    } catch {
      throw new ConfigError('env', 'must be plain data (reading it threw)');
    }
    if (fromEnv !== undefined && typeof fromEnv !== 'string')
      throw new ConfigError(variable, 'must be a string');
    raw[key] =
      overrides[key] ?? (fromEnv === '' ? undefined : fromEnv) ?? DEFAULTS[key as keyof typeof DEFAULTS];
  }
  const parsed = ConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const key = issue.path[0] as keyof DataLayerConfig;
    const variable = key in overrides ? `config.${key}` : ENV[key];
    throw new ConfigError(variable, issue.message);
  }
  const config: DataLayerConfig = { ...parsed.data };
  for (const key of Object.keys(config) as Array<keyof DataLayerConfig>)
    if (config[key] === undefined) delete config[key];
  return config;
}

/**
 * The configuration with its relative store paths resolved against where the command was
 * started: `pnpm --filter … <script>` runs in the package folder, so relative paths resolve
 * against where pnpm was invoked (INIT_CWD), else the working directory.
 */
export function resolveLocalPaths(
  config: DataLayerConfig,
  env: NodeJS.ProcessEnv = process.env,
): DataLayerConfig {
  const base = env.INIT_CWD ?? process.cwd();
  const local = (p: string) => (p === ':memory:' || isAbsolute(p) ? p : resolvePath(base, p));
  return {
    ...config,
    localVectorsPath: local(config.localVectorsPath),
    duckdbPath: local(config.duckdbPath),
  };
}

/** The PostgreSQL pool size of a data layer when `poolSize` is not given. */
export const DEFAULT_POOL_SIZE = 10;
