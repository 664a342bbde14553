import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LocalQdrantError } from '../errors.js';
import { LocalQdrant } from '../local-qdrant.js';
import { type AuthCheck, createAuth, isLoopback } from './auth.js';
import { type Answer, dispatchRequest, errorAnswer } from './dispatch.js';
import { RequestStats } from './telemetry.js';

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
  /** Largest accepted request body in bytes (413 beyond). Default 32 MiB, as Qdrant's `service.max_request_size_mb`. */
  maxBodyBytes?: number;
  /**
   * Key for full access (Qdrant's `service.api_key`), checked against the `api-key` header or
   * `Authorization: Bearer`. Required to listen on anything but loopback. Default: none (open).
   */
  apiKey?: string;
  /** Key for reads only (Qdrant's `service.read_only_api_key`). Default: none. */
  readOnlyApiKey?: string;
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

function send(res: ServerResponse, answer: Answer): void {
  res.writeHead(answer.status, {
    'content-type': answer.contentType,
    'content-length': Buffer.byteLength(answer.body),
  });
  res.end(answer.body);
}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit)
      throw new LocalQdrantError(413, `Payload too large: the request body exceeds ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

async function handle(
  engine: LocalQdrant,
  req: IncomingMessage,
  res: ServerResponse,
  maxBody: number,
  auth: AuthCheck,
  stats: RequestStats,
): Promise<void> {
  const method = (req.method ?? 'GET').toUpperCase();
  const target = req.url ?? '/';
  // The key is checked before the body is read: a refused client does not get to upload 32 MiB.
  const refusal = auth(method, new URL(target, 'http://localhost').pathname, req.headers);
  if (refusal) {
    req.resume();
    send(res, refusal);
    return;
  }
  let body: Buffer;
  try {
    body = await readBody(req, maxBody);
  } catch (e) {
    send(res, errorAnswer(e, 0));
    return;
  }
  send(res, await dispatchRequest(engine, { method, url: target, headers: req.headers, body }, { stats }));
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
  const maxBody = options.maxBodyBytes ?? 32 * 1024 * 1024;
  const host = options.host ?? '127.0.0.1';
  if (!isLoopback(host) && !options.apiKey && !options.readOnlyApiKey) {
    if (owned) await engine.close();
    throw new LocalQdrantError(
      400,
      `Bad request: refusing to listen on ${host} without an API key: anyone who can reach it could read and change every collection; set apiKey (--api-key or QDRANT__SERVICE__API_KEY) or listen on 127.0.0.1`,
    );
  }
  const auth = createAuth({ apiKey: options.apiKey, readOnlyApiKey: options.readOnlyApiKey });
  const stats = new RequestStats();
  const server: Server = createServer((req, res) => {
    void handle(engine, req, res, maxBody, auth, stats);
  });
  server.keepAliveTimeout = 10_000;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 6333, host, () => {
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
  const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${shown}:${address.port}`,
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
