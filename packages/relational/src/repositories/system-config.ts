import { type JsonValue, JsonValueSchema } from '@monsteros/schema';
import { z } from 'zod';
import type { Db } from '../db.js';
import { ConflictError, mapDatabaseError } from '../errors.js';
import { run, STATEMENTS } from '../statements.js';
import { check } from '../validation.js';

const Key = z
  .string({ message: 'must be a string' })
  .regex(
    /^[a-z0-9][a-z0-9_.:-]{0,99}$/,
    'must be 1-100 characters of a-z, 0-9, _ . : - starting with a letter or digit',
  );

/** A configuration entry and the version to compare against when writing it. */
export interface ConfigEntry<T extends JsonValue = JsonValue> {
  key: string;
  value: T;
  version: number;
  updated_at: Date;
}

/** Versioned system configuration with optimistic concurrency. */
export function configRepository(db: Db) {
  return {
    /** The entry, or null. */
    async get<T extends JsonValue = JsonValue>(key: string): Promise<ConfigEntry<T> | null> {
      const k = check(Key, key, 'key');
      try {
        const [row] = await run(db.runner, STATEMENTS.getConfig, [k]);
        return (row as ConfigEntry<T> | undefined) ?? null;
      } catch (error) {
        throw mapDatabaseError(error, `get config ${k}`);
      }
    },

    /**
     * Writes the value if nobody changed it since `expectedVersion` (0: the key must not exist
     * yet). Returns the new entry (version + 1). A stale version is a ConflictError that
     * names the key: re-read and retry.
     * @example
     * const current = await relational.config.get('memory.threshold');
     * await relational.config.set('memory.threshold', 0.85, current?.version ?? 0);
     */
    async set<T extends JsonValue>(key: string, value: T, expectedVersion: number): Promise<ConfigEntry<T>> {
      const k = check(Key, key, 'key');
      const v = check(JsonValueSchema, value, 'value');
      const expected = check(
        z.number().int().min(0, 'must not be negative'),
        expectedVersion,
        'expectedVersion',
      );
      try {
        const rows =
          expected === 0
            ? await run(db.runner, STATEMENTS.insertConfig, [k, JSON.stringify(v)])
            : await run(db.runner, STATEMENTS.updateConfig, [k, JSON.stringify(v), expected]);
        if (rows.length === 0) {
          throw new ConflictError(
            `config ${k}: version ${expected} is stale (changed by someone else); re-read and retry`,
            undefined,
          );
        }
        return rows[0] as ConfigEntry<T>;
      } catch (error) {
        throw mapDatabaseError(error, `set config ${k}`);
      }
    },
  };
}
export type ConfigRepository = ReturnType<typeof configRepository>;
