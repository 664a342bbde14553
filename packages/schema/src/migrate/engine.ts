import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { PrismaPg } from '@prisma/adapter-pg';
import {
  bindMigrationAwareSqlAdapterFactory,
  type SqlMigrationAwareDriverAdapterFactory,
  type SqlQuery,
  type SqlResultSet,
} from '@prisma/driver-adapter-utils';
import * as wasmGlue from '@prisma/schema-engine-wasm/schema_engine_bg';
import pg from 'pg';
import { parseIntoClientConfig } from 'pg-connection-string';

type SchemaEngine = wasmGlue.SchemaEngine;

export type { MigrationList, SchemaFilter } from '@prisma/schema-engine-wasm/schema_engine_bg';

const PG_CHAR_OID = 18;
const PG_TEXT_OID = 25;
/** ColumnTypeEnum.Character of @prisma/driver-adapter-utils: what the engine expects for `"char"`. */
const COLUMN_TYPE_CHARACTER = 6;
type QueryResultLike = { fields?: Array<{ dataTypeID: number }>; rows?: unknown[] };

/** Result rows that had `"char"` columns, and their indices (the adapter returns the same array). */
const charColumns = new WeakMap<object, number[]>();

function retypeChar<T>(result: T): T {
  for (const part of [result].flat() as QueryResultLike[]) {
    const indices: number[] = [];
    part?.fields?.forEach((field, i) => {
      if (field.dataTypeID === PG_CHAR_OID) {
        field.dataTypeID = PG_TEXT_OID;
        indices.push(i);
      }
    });
    if (indices.length > 0 && part.rows) charColumns.set(part.rows, indices);
  }
  return result;
}

/**
 * A pg client that lets catalog queries through the pg driver adapter. The engine reads
 * PostgreSQL's internal one-byte `"char"` type (relkind, contype, …); the adapter has no
 * mapping for it and fails every introspection ("Column type 'char' could not be
 * deserialized"). This client reports those columns as text to the adapter and remembers
 * them, and `typeCharColumns` then tells the engine they are characters.
 */
class CatalogSafeClient extends pg.Client {
  // biome-ignore lint/suspicious/noExplicitAny: pg.Client#query is heavily overloaded; we only wrap its result.
  override query(...args: any[]): any {
    const last = args.length - 1;
    if (typeof args[last] === 'function') {
      const callback = args[last] as (err: unknown, res: unknown) => void;
      args[last] = (err: unknown, res: unknown) => callback(err, err ? res : retypeChar(res));
    }
    // biome-ignore lint/suspicious/noExplicitAny: see above.
    const result = (super.query as (...a: any[]) => any)(...args);
    return result && typeof result.then === 'function' ? result.then(retypeChar) : result;
  }
}

type Queryable = { queryRaw(query: SqlQuery): Promise<SqlResultSet> };

function typeCharColumns<T extends Queryable>(queryable: T): T {
  const queryRaw = queryable.queryRaw.bind(queryable);
  queryable.queryRaw = async (query) => {
    const result = await queryRaw(query);
    for (const i of charColumns.get(result.rows) ?? [])
      result.columnTypes[i] = COLUMN_TYPE_CHARACTER as never;
    return result;
  };
  return queryable;
}

let wasmReady: Promise<void> | undefined;
let lastPanic: string | undefined;

/** The message of the engine's last Rust panic, which the glue reports through this global. */
export function takeEnginePanic(): string | undefined {
  const message = lastPanic;
  lastPanic = undefined;
  return message;
}

/** Node's WebAssembly global, typed for the one call we make (our tsconfig has no DOM lib). */
function wasmRuntime() {
  type Instance = { exports: Record<string, unknown> };
  return (
    globalThis as unknown as {
      WebAssembly: { instantiate(b: Uint8Array, i: object): Promise<{ instance: Instance }> };
    }
  ).WebAssembly;
}

/** Loads the engine's WebAssembly module once per process and hands it to the glue code. */
function loadWasm(): Promise<void> {
  wasmReady ??= (async () => {
    (globalThis as { PRISMA_WASM_PANIC_REGISTRY?: unknown }).PRISMA_WASM_PANIC_REGISTRY = {
      set_message(message: string) {
        lastPanic = message;
      },
    };
    const require = createRequire(import.meta.url);
    const wasmPath = require
      .resolve('@prisma/schema-engine-wasm')
      .replace(/schema_engine\.js$/, 'schema_engine_bg.wasm');
    const { instance } = await wasmRuntime().instantiate(await readFile(wasmPath), {
      './schema_engine_bg.js': wasmGlue,
    });
    wasmGlue.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as (() => void) | undefined)?.();
  })();
  return wasmReady;
}

export interface EngineHandle {
  engine: SchemaEngine;
  /** Frees the engine and closes its connections. */
  close(): Promise<void>;
}

type Adapter = Awaited<ReturnType<PrismaPg['connect']>>;

/**
 * Adapts the pg adapter to the engine: `"char"` columns typed as characters (see
 * CatalogSafeClient), and scripts run whole. It runs a migration script the way Prisma's native engine does: as one simple-protocol
 * query, which PostgreSQL executes as a single implicit transaction. The pg adapter's own
 * `executeScript` splits on every `;`, which breaks `$$`-quoted function bodies and string
 * literals, and leaves a half-applied migration behind when a later statement fails.
 */
function forMigrations(adapter: Adapter): Adapter {
  typeCharColumns(adapter);
  const startTransaction = adapter.startTransaction.bind(adapter);
  adapter.startTransaction = async (isolationLevel) =>
    typeCharColumns(await startTransaction(isolationLevel));
  adapter.executeScript = async (script: string) => {
    try {
      await adapter.underlyingDriver().query(script);
    } catch (error) {
      // The adapter's own error mapping turns pg errors into the engine's error kinds.
      (adapter as unknown as { onError(e: unknown): never }).onError(error);
    }
  };
  return adapter;
}

/**
 * Starts Prisma's schema engine (WebAssembly build) against one database through the pg
 * driver adapter; shadow databases for diffing are created and dropped through the same
 * adapter. Nothing is downloaded. The engine takes Prisma's advisory lock around changes,
 * so this tool and the stock CLI never migrate one database at the same time.
 */
export async function openEngine(
  databaseUrl: string,
  schema: { path: string; content: string },
): Promise<EngineHandle> {
  await loadWasm();
  // Discrete fields, not `connectionString`: pg lets a connection string override
  // `database`, and the adapter derives the shadow database's pool by replacing
  // `database`, so with a connection string the "shadow" would be the real database.
  const { database, host, port, user, password, ssl } = parseIntoClientConfig(databaseUrl);
  const config = { host, port, user, password, ssl, Client: CatalogSafeClient, max: 2 };
  const base = new PrismaPg({ ...config, database });
  const onMainDatabase = async (sql: string) => {
    const client = new pg.Client({ host, port, user, password, ssl, database: database ?? undefined });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  // Every adapter the engine opens is closed with the engine: freeing the engine does not
  // dispose them, and their idle connections would keep the process (and the database) busy.
  const open = new Set<Adapter>();
  const track = (adapter: Adapter): Adapter => {
    const dispose = adapter.dispose.bind(adapter);
    open.add(adapter);
    adapter.dispose = async () => {
      if (open.delete(adapter)) await dispose();
    };
    return adapter;
  };
  const factory: SqlMigrationAwareDriverAdapterFactory = {
    provider: base.provider,
    adapterName: base.adapterName,
    connect: async () => track(forMigrations(await base.connect())),
    // Our own shadow database lifecycle: the adapter's drops the database before closing
    // the pool connected to it, which PostgreSQL refuses ("being accessed by other users").
    connectToShadowDb: async () => {
      const name = `prisma_migrate_shadow_db_${randomUUID()}`;
      await onMainDatabase(`create database ${pg.escapeIdentifier(name)}`);
      const shadow = forMigrations(await new PrismaPg({ ...config, database: name }).connect());
      const dispose = shadow.dispose.bind(shadow);
      shadow.dispose = async () => {
        await dispose();
        await onMainDatabase(`drop database if exists ${pg.escapeIdentifier(name)} with (force)`);
      };
      return track(shadow);
    },
  };
  const engine = await wasmGlue.SchemaEngine.new(
    { datamodels: [[schema.path, schema.content]] },
    () => {},
    bindMigrationAwareSqlAdapterFactory(factory),
  );
  return {
    engine,
    async close() {
      engine.free();
      await Promise.all([...open].map((adapter) => adapter.dispose()));
    },
  };
}
