// COPY … TO STDOUT as a byte stream, for bulk extraction (the analytics ingestion).
import type { Readable } from 'node:stream';
import type pg from 'pg';
import { to as copyToStream } from 'pg-copy-streams';
import { UnavailableError, ValidationError } from './errors.js';

const COPY_OUT = /^\s*copy\s*\([\s\S]+\)\s*to\s+stdout\b/i;

/**
 * Runs `COPY (<query>) TO STDOUT …` on a pool connection and returns the bytes as they stream.
 * The connection goes back to the pool when the stream ends, and is discarded when it fails
 * or the reader stops early (a connection mid-COPY cannot be reused). Only COPY of a query to
 * STDOUT is accepted: nothing that writes, nothing that reads files or runs programs.
 */
export async function copyOut(pool: pg.Pool, statement: string): Promise<Readable> {
  if (typeof statement !== 'string' || !COPY_OUT.test(statement)) {
    throw new ValidationError('statement', 'must be COPY (<query>) TO STDOUT');
  }
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (error) {
    throw new UnavailableError('copy out: cannot get a PostgreSQL connection', { cause: error });
  }
  const stream = client.query(copyToStream(statement));
  let done = false;
  let released = false;
  const release = (error?: Error) => {
    if (released) return;
    released = true;
    client.release(error);
  };
  stream.on('end', () => {
    done = true;
  });
  stream.on('error', (error: Error) => release(error));
  stream.on('close', () => release(done ? undefined : new Error('COPY stream closed before its end')));
  return stream;
}
