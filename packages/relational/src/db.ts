import type { Database } from '@monsteros/schema';
import { Kysely, PostgresDialect, type PostgresPool, type PostgresPoolClient } from 'kysely';
import type pg from 'pg';

/** Something that runs queries: the pool, or one connection inside a transaction. */
export type Runner = Pick<pg.Pool, 'query'> | Pick<pg.PoolClient, 'query'>;

/**
 * A Kysely instance over one already-checked-out connection, so repository code written in
 * Kysely runs inside our transactions: every query goes to that connection, none is released.
 */
export function kyselyOnConnection(client: pg.PoolClient): Kysely<Database> {
  const single: PostgresPool = {
    connect: async () =>
      ({ query: client.query.bind(client), release: () => {} }) as unknown as PostgresPoolClient,
    end: async () => {},
    options: {},
  };
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool: single }) });
}

/** The two ways repositories reach the database, bound to the pool or to a transaction. */
export interface Db {
  /** Runs named prepared statements and raw SQL. */
  runner: Runner;
  /** Kysely over the same pool or connection. */
  kysely: Kysely<Database>;
  /** True inside `transaction(...)`. */
  inTransaction: boolean;
}
