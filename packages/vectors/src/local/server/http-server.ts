import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { badRequest, formatError, LocalQdrantError } from '../errors.js';
import { LocalQdrant } from '../local-qdrant.js';
import { QDRANT_VERSION, routes } from './routes.js';

/** Options of `startLocalQdrantServer`. */
export interface LocalQdrantServerOptions {
  /** The engine to serve; when absent one is opened over `path`. */
  engine?: LocalQdrant;
  /** Data directory (or `':memory:'`) of the engine opened when `engine` is absent. Default `':memory:'`. */
  path?: string;
  /** Interface to listen on. Default `127.0.0.1`. */
  host?: string;
  /** Port; 0 picks a free one. Default 6333, Qdrant's REST port. */
  port?: number;
  /** Largest accepted request body in bytes. Default 64 MiB. */
  maxBodyBytes?: number;
}

/** A running local Qdrant REST server. */
export interface LocalQdrantServer {
  /** Base URL to give a Qdrant client, e.g. `http://127.0.0.1:6333`. */
  url: string;
  port: number;
  engine: LocalQdrant;
  /** Stops accepting requests, then closes the engine if the server opened it. */
  close(): Promise<void>;
}

const HEALTH = new Map([
  ['/healthz', 'healthz check passed'],
  ['/livez', 'livez check passed'],
  ['/readyz', 'all shards are ready'],
]);

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit)
      throw new LocalQdrantError(413, `Payload too large: the request body exceeds ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string, required: boolean): unknown {
  if (text.trim() === '') {
    if (required) throw formatError('EOF while parsing a value at line 1 column 0');
    return undefined;
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw formatError((e as Error).message);
  }
}

/** A percent-decoded path segment; a malformed escape (`%E0%A4%A`) is the client's mistake: 400. */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw badRequest(`malformed percent-encoding in the URL path segment \`${segment}\``);
  }
}

/** Answers one request: `{result, status: 'ok', time}` on success, `{status: {error}, time}` on failure. */
async function handle(
  engine: LocalQdrant,
  req: IncomingMessage,
  res: ServerResponse,
  maxBody: number,
): Promise<void> {
  const started = process.hrtime.bigint();
  const time = () => Number(process.hrtime.bigint() - started) / 1e9;
  const url = new URL(req.url ?? '/', 'http://localhost');
  const method = (req.method ?? 'GET').toUpperCase();
  try {
    if (method === 'GET' && url.pathname === '/') {
      send(res, 200, {
        title: 'qdrant - vector search engine',
        version: QDRANT_VERSION,
        commit: 'monsteros-local',
      });
      return;
    }
    const health = method === 'GET' ? HEALTH.get(url.pathname) : undefined;
    if (health) {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(health);
      return;
    }
    for (const r of routes) {
      if (r.method !== method) continue;
      const m = r.pattern.exec(url.pathname);
      if (!m) continue;
      const params: Record<string, string> = {};
      r.names.forEach((name, i) => {
        params[name] = decodeSegment(m[i + 1]!);
      });
      const body = parseJson(await readBody(req, maxBody), r.body);
      const result = await r.handle(engine, { params, query: url.searchParams, body });
      send(res, 200, { result, status: 'ok', time: time() });
      return;
    }
    // Qdrant (actix) answers an unknown path with an empty 404.
    res.writeHead(404);
    res.end();
  } catch (e) {
    if (e instanceof LocalQdrantError) {
      send(res, e.status, { status: { error: e.message }, time: time() });
    } else {
      send(res, 500, { status: { error: `Service internal error: ${(e as Error).message}` }, time: time() });
    }
  }
}

/**
 * Serves a local Qdrant engine over Qdrant's REST API, so `@qdrant/js-client-rest` (or any Qdrant
 * client) talks to it unchanged. Use it in development and tests where no Qdrant server runs.
 * @example
 * const server = await startLocalQdrantServer({ path: '.data/qdrant', port: 6333 });
 * const client = new QdrantClient({ url: server.url });
 */
export async function startLocalQdrantServer(
  options: LocalQdrantServerOptions = {},
): Promise<LocalQdrantServer> {
  const owned = options.engine === undefined;
  const engine = options.engine ?? (await LocalQdrant.open(options.path ?? ':memory:'));
  const maxBody = options.maxBodyBytes ?? 64 * 1024 * 1024;
  const server: Server = createServer((req, res) => {
    void handle(engine, req, res, maxBody);
  });
  server.keepAliveTimeout = 10_000;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 6333, options.host ?? '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (e) {
    // A port in use must not leave the engine we opened holding its data directory's lock.
    if (owned) await engine.close();
    throw e;
  }
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    engine,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      if (owned) await engine.close();
    },
  };
}
