// COPY … TO STDOUT as a byte stream, for bulk extraction (the analytics ingestion).
import { PassThrough, type Readable } from 'node:stream';
import type pg from 'pg';
import { to as copyToStream } from 'pg-copy-streams';
import {
  mapDatabaseError,
  type RelationalError,
  RelationalValidationError,
  UnavailableError,
} from './errors.js';

const COPY_OUT = /^\s*copy\s*\([\s\S]+\)\s*to\s+stdout\b/i;

/**
 * Runs `COPY (<query>) TO STDOUT …` on a pool connection and returns the bytes as they stream.
 * Only one COPY of a query to STDOUT is accepted (no second statement, nothing that reads files or
 * runs programs), and it runs in a READ ONLY transaction, so a query that writes
 * (`DELETE … RETURNING`) fails with RelationalValidationError. The stream ends once the connection is back
 * in the pool; a failed stream, or one the reader stops early, discards its connection (a
 * connection mid-COPY cannot be reused). Errors on the stream are RelationalErrors.
 * @example
 * const csv = await copyOut(pool, 'copy (select id from user_profiles) to stdout with (format csv)');
 */
export async function copyOut(pool: pg.Pool, statement: string): Promise<Readable> {
  if (typeof statement !== 'string' || !COPY_OUT.test(statement)) {
    throw new RelationalValidationError('statement', 'must be COPY (<query>) TO STDOUT');
  }
  const problem = secondStatement(statement);
  if (problem) throw new RelationalValidationError('statement', problem);
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (error) {
    throw new UnavailableError('copy out: cannot get a PostgreSQL connection', { cause: error });
  }
  try {
    await client.query('BEGIN READ ONLY');
  } catch (error) {
    client.release(error as Error);
    throw mapDatabaseError(error, 'copy out');
  }
  const source = client.query(copyToStream(statement));
  const out = new PassThrough();
  let released = false;
  const release = (error?: Error) => {
    if (released) return;
    released = true;
    client.release(error);
  };
  source.on('error', (error: Error) => {
    release(error);
    out.destroy(copyError(error));
  });
  // The reader sees the end only after the transaction ended and the connection is back.
  source.on('end', () => {
    client.query('ROLLBACK').then(
      () => {
        release();
        out.end();
      },
      (error: Error) => {
        release(error);
        out.destroy(mapDatabaseError(error, 'copy out'));
      },
    );
  });
  out.on('close', () => {
    if (released) return;
    release(new Error('COPY stream closed before its end'));
    source.destroy();
  });
  source.pipe(out, { end: false });
  return out;
}

function copyError(error: Error): RelationalError {
  if ((error as { code?: string }).code === '25006') {
    return new RelationalValidationError(
      'statement',
      'must not write (COPY runs in a read-only transaction)',
    );
  }
  return mapDatabaseError(error, 'copy out');
}

/**
 * Why `sql` holds more than one statement (a `;` followed by more than whitespace and comments,
 * outside string literals, quoted names, dollar quotes and comments), or undefined.
 */
function secondStatement(sql: string): string | undefined {
  let ended = false;
  for (let i = 0; i < sql.length; ) {
    const c = sql[i]!;
    const next = sql[i + 1];
    if (c === '-' && next === '-') {
      const eol = sql.indexOf('\n', i);
      i = eol === -1 ? sql.length : eol + 1;
      continue;
    }
    if (c === '/' && next === '*') {
      let depth = 1;
      i += 2;
      while (i < sql.length && depth > 0) {
        const pair = sql.slice(i, i + 2);
        if (pair === '/*' || pair === '*/') {
          depth += pair === '/*' ? 1 : -1;
          i += 2;
        } else i++;
      }
      if (depth > 0) return 'has an unterminated comment';
      continue;
    }
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (ended) return 'must be one statement (nothing may follow its ;)';
    if (c === ';') {
      ended = true;
      i++;
      continue;
    }
    if (c === "'" || c === '"') {
      const escapes = c === "'" && /[eE]/.test(sql[i - 1] ?? '') && !/[\w$]/.test(sql[i - 2] ?? '');
      i++;
      for (;;) {
        if (i >= sql.length) return `has an unterminated ${c === "'" ? 'string literal' : 'quoted name'}`;
        if (escapes && sql[i] === '\\') i += 2;
        else if (sql[i] === c && sql[i + 1] === c) i += 2;
        else if (sql[i] === c) break;
        else i++;
      }
      i++;
      continue;
    }
    if (c === '$' && !/[\w$]/.test(sql[i - 1] ?? '')) {
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i));
      if (tag) {
        const close = sql.indexOf(tag[0], i + tag[0].length);
        if (close === -1) return 'has an unterminated dollar-quoted string';
        i = close + tag[0].length;
        continue;
      }
    }
    i++;
  }
  return undefined;
}
