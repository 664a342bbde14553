// The options of `createRelational`: their type (with the defaults), their checks, and the pool
// settings resolved from them and the environment before any connection is opened.
import type pg from 'pg';
import { z } from 'zod';
import { check } from './validation.js';

/** Options of `createRelational`; every field has a default. */
export interface RelationalOptions {
  /**
   * Connection string.
   * @default DATABASE_URL, else postgresql://postgres@127.0.0.1:5432/monsteros
   */
  databaseUrl?: string;
  /** Use this pool instead of opening one (it is not closed by `close()`). */
  pool?: pg.Pool;
  /**
   * Connections in the pool.
   * @default 10
   */
  poolSize?: number;
  /**
   * Server-side limit for one statement, in ms.
   * @default 10000
   */
  statementTimeoutMs?: number;
  /**
   * Limit for opening a connection, in ms.
   * @default 5000
   */
  connectionTimeoutMs?: number;
  /**
   * Shown in pg_stat_activity.
   * @default 'monsteros-data'
   */
  applicationName?: string;
  /**
   * Read replicas: reads that tolerate lag (`relational.reads`) go there, round robin.
   * @default [] (none)
   */
  replicaUrls?: string[];
}

const OptionsSchema = z.object({
  databaseUrl: z
    .string()
    .refine((u) => /^postgres(ql)?:\/\//.test(u), 'must be a postgres:// or postgresql:// URL')
    .optional(),
  poolSize: z
    .number()
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(500, 'must be at most 500')
    .optional(),
  statementTimeoutMs: z.number().int().min(1, 'must be at least 1 ms').optional(),
  connectionTimeoutMs: z.number().int().min(1, 'must be at least 1 ms').optional(),
  applicationName: z.string().max(63, 'must be at most 63 characters').optional(),
  replicaUrls: z
    .array(z.string().refine((u) => /^postgres(ql)?:\/\//.test(u), 'must be postgres:// URLs'))
    .optional(),
});

/** Every setting of the pools, defaults applied. */
export interface RelationalSettings {
  /** The primary's connection string. */
  connectionString: string;
  replicaUrls: string[];
  /** The configuration of a pool on `url` (the primary's or a replica's). */
  poolConfig(url: string): pg.PoolConfig;
}

/**
 * Checks `options` (a bad one is a RelationalValidationError naming it, `options.poolSize`; a pool
 * you pass is not checked) and applies the defaults and DATABASE_URL.
 */
export function resolveRelationalOptions(options: RelationalOptions): RelationalSettings {
  const opts = check(OptionsSchema, { ...options, pool: undefined }, 'options');
  const statementTimeout = opts.statementTimeoutMs ?? 10_000;
  return {
    connectionString:
      opts.databaseUrl ?? process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/monsteros',
    replicaUrls: opts.replicaUrls ?? [],
    poolConfig: (url) => ({
      connectionString: url,
      max: opts.poolSize ?? 10,
      connectionTimeoutMillis: opts.connectionTimeoutMs ?? 5_000,
      statement_timeout: statementTimeout,
      // The client gives up a little after the server would have: a dead server still ends the wait.
      query_timeout: statementTimeout + 5_000,
      application_name: opts.applicationName ?? 'monsteros-data',
    }),
  };
}
