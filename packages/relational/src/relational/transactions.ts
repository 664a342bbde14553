// relational.transaction and relational.serializable: one connection per transaction, the
// isolation level checked, a lost connection reported UNAVAILABLE, serialization failures retried.
import type { PrismaClient } from '@monsteros/schema';
import type pg from 'pg';
import { z } from 'zod';
import { mapDatabaseError, SerializationError, UnavailableError } from '../errors.js';
import { check } from '../validation.js';
import { type TransactionScope, transactionScope } from './repositories.js';

const Isolation = z.enum(['read committed', 'repeatable read', 'serializable'], {
  message: "must be 'read committed', 'repeatable read' or 'serializable'",
});
export type IsolationLevel = z.output<typeof Isolation>;

const RetryOptionsSchema = z.object({
  attempts: z
    .number({ message: 'must be a number' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(100, 'must be at most 100')
    .optional(),
  baseDelayMs: z
    .number({ message: 'must be a number' })
    .int('must be a whole number')
    .min(0, 'must not be negative')
    .max(60_000, 'must be at most 60000')
    .optional(),
});

/** `transaction` and `serializable` on `pool`, their repositories sharing `prisma`. */
export function transactions(
  pool: pg.Pool,
  prisma: PrismaClient,
): {
  transaction<T>(fn: (tx: TransactionScope) => Promise<T>, isolation?: IsolationLevel): Promise<T>;
  serializable<T>(
    fn: (tx: TransactionScope) => Promise<T>,
    options: { attempts?: number; baseDelayMs?: number },
  ): Promise<T>;
} {
  async function transaction<T>(
    fn: (tx: TransactionScope) => Promise<T>,
    isolation: IsolationLevel = 'read committed',
  ): Promise<T> {
    // The level is written into the BEGIN text (it cannot be bound): only the three names pass.
    const level = check(Isolation, isolation, 'isolation');
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (error) {
      throw new UnavailableError('transaction: cannot get a PostgreSQL connection', { cause: error });
    }
    // While checked out, the pool no longer listens to this client: PostgreSQL ending its backend
    // between two statements (pg_terminate_backend, a failover, an idle timeout) makes it emit
    // 'error' with no query to receive it, which would crash the process. The transaction then
    // fails as UNAVAILABLE (nothing of it committed) and the connection is discarded.
    let lost: Error | undefined;
    const onLost = (error: Error) => {
      lost ??= error;
    };
    client.on('error', onLost);
    let broken: Error | undefined;
    try {
      await client.query(`begin isolation level ${level}`);
      const result = await fn(transactionScope(client, prisma));
      await client.query('commit');
      return result;
    } catch (error) {
      if (!lost) {
        await client.query('rollback').catch((e: Error) => {
          broken = e;
        });
      }
      if (lost) {
        throw new UnavailableError('transaction: the PostgreSQL connection was lost; nothing was committed', {
          cause: lost,
        });
      }
      throw mapDatabaseError(error, 'transaction');
    } finally {
      client.off('error', onLost);
      // A lost connection, or one whose rollback failed, is destroyed, not returned to the pool.
      client.release(lost ?? broken);
    }
  }

  return {
    transaction,
    async serializable(fn, options) {
      const retry = check(RetryOptionsSchema, options, 'options');
      const attempts = retry.attempts ?? 5;
      const base = retry.baseDelayMs ?? 10;
      for (let attempt = 1; ; attempt++) {
        try {
          return await transaction(fn, 'serializable');
        } catch (error) {
          if (!(error instanceof SerializationError) || attempt >= attempts) throw error;
          await new Promise((r) => setTimeout(r, base * 2 ** (attempt - 1) * (0.5 + Math.random())));
        }
      }
    },
  };
}
