import type { IncomingHttpHeaders } from 'node:http';
import { checkCollectionName } from '../engine/collection-config.js';
import { parseLosslessJson, stringifyLosslessJson } from '../engine/lossless-json.js';
import {
  badRequest,
  formatError,
  LocalQdrantError,
  pathValidationError,
  queryValidationError,
} from '../errors.js';
import type { LocalQdrant } from '../local-qdrant.js';
import { QDRANT_VERSION, RawResponse, routes } from './routes.js';
import { metricsText, type RequestStats, telemetryData } from './telemetry.js';

/** One REST request as the dispatcher sees it (the socket already read). */
export interface RestRequest {
  method: string;
  /** Path and query string, e.g. `/collections/x/points/query?timeout=5`. */
  url: string;
  headers?: IncomingHttpHeaders;
  body?: Buffer | string;
}

/** One REST answer: status, content type and the bytes to send. */
export interface Answer {
  status: number;
  contentType: string;
  body: string | Buffer;
}

const JSON_TYPE = 'application/json';

const json = (status: number, value: unknown): Answer => ({
  status,
  contentType: JSON_TYPE,
  body: stringifyLosslessJson(value),
});

/** Qdrant's error shape `{status: {error}, time}` for a thrown error (500 for anything unexpected). */
export function errorAnswer(e: unknown, time: number): Answer {
  if (e instanceof LocalQdrantError) return json(e.status, { status: { error: e.message }, time });
  return json(500, { status: { error: `Service internal error: ${(e as Error).message}` }, time });
}

const HEALTH = new Map([
  // Qdrant answers /livez with the same text as /healthz.
  ['/healthz', 'healthz check passed'],
  ['/livez', 'healthz check passed'],
  ['/readyz', 'all shards are ready'],
]);

function parseJson(text: string, required: boolean): unknown {
  if (text.trim() === '') {
    if (required) throw formatError('EOF while parsing a value at line 1 column 0');
    return undefined;
  }
  try {
    return parseLosslessJson(text);
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

/** The collection-level calls on which Qdrant validates `?timeout=` (at least 1 second). */
const TIMEOUT_CHECKED = /^\/collections(\/aliases|\/[^/]+)$/;

/** `?timeout=`: digits, and at least 1 where Qdrant says so (its 400 and 422 wordings). */
function checkTimeout(query: URLSearchParams, path: string, method: string): void {
  const raw = query.get('timeout');
  if (raw === null) return;
  if (!/^\d+$/.test(raw))
    throw new LocalQdrantError(400, 'Deserialize error in query parameters: invalid digit found in string');
  if (Number(raw) === 0 && method !== 'GET' && TIMEOUT_CHECKED.test(path))
    throw queryValidationError('timeout: value 0 invalid, must be 1 or larger');
}

/**
 * Answers one REST request of Qdrant's API from the engine: `{result, status: 'ok', time}` on
 * success, `{status: {error}, time}` on failure, a JSON 404 naming the call for what the local
 * mode does not serve. The HTTP server calls it for each request (after the key check); tests
 * call it in process to send bodies the official client cannot.
 * @example
 * await dispatchRequest(engine, { method: 'GET', url: '/collections' });
 * // { status: 200, contentType: 'application/json', body: '{"result":{"collections":[]},…}' }
 */
export async function dispatchRequest(
  engine: LocalQdrant,
  req: RestRequest,
  options: DispatchOptions = {},
): Promise<Answer> {
  const started = process.hrtime.bigint();
  const time = () => Number(process.hrtime.bigint() - started) / 1e9;
  const method = req.method.toUpperCase();
  let endpoint = 'unknown';
  const answer = await answerRequest(engine, req, method, time, options, (e) => {
    endpoint = e;
  });
  options.stats?.record(method, endpoint, answer.status, time());
  return answer;
}

/** Options of `dispatchRequest`. */
export interface DispatchOptions {
  /** Where response counts and durations go (served by /telemetry and /metrics). */
  stats?: RequestStats;
}

async function answerRequest(
  engine: LocalQdrant,
  req: RestRequest,
  method: string,
  time: () => number,
  options: DispatchOptions,
  matched: (endpoint: string) => void,
): Promise<Answer> {
  try {
    const url = new URL(req.url, 'http://localhost');
    if (method === 'GET' && url.pathname === '/') {
      return json(200, {
        title: 'qdrant - vector search engine',
        version: QDRANT_VERSION,
        commit: 'monsteros-local',
      });
    }
    const health = method === 'GET' ? HEALTH.get(url.pathname) : undefined;
    if (health) return { status: 200, contentType: 'text/plain; charset=utf-8', body: health };
    if (method === 'GET' && url.pathname === '/telemetry') {
      matched('/telemetry');
      return json(200, {
        result: telemetryData(engine.telemetry(), options.stats ?? null),
        status: 'ok',
        time: time(),
      });
    }
    if (method === 'GET' && url.pathname === '/metrics') {
      matched('/metrics');
      return {
        status: 200,
        contentType: 'text/plain; version=0.0.4',
        body: metricsText(engine.telemetry(), options.stats ?? null),
      };
    }
    for (const r of routes) {
      if (r.method !== method) continue;
      const m = r.pattern.exec(url.pathname);
      if (!m) continue;
      matched(r.path);
      const params: Record<string, string> = {};
      r.names.forEach((name, i) => {
        params[name] = decodeSegment(m[i + 1]!);
      });
      // Qdrant validates the collection name of every path before it looks the collection up.
      const nameError =
        params.collection_name === undefined ? null : checkCollectionName(params.collection_name);
      if (nameError) throw pathValidationError(`name: ${nameError}`);
      checkTimeout(url.searchParams, url.pathname, method);
      const raw = req.body === undefined ? Buffer.alloc(0) : Buffer.from(req.body);
      const body = r.body === 'raw' ? raw : parseJson(raw.toString('utf8'), r.body);
      const result = await r.handle(engine, {
        params,
        query: url.searchParams,
        body,
        headers: req.headers ?? {},
      });
      if (result instanceof RawResponse)
        return { status: 200, contentType: result.contentType, body: result.body };
      return json(200, { result, status: 'ok', time: time() });
    }
    // Qdrant (actix) answers an unknown path with an empty 404, which clients show as a bare
    // "Not Found": say which call the local mode does not serve instead.
    return json(404, {
      status: {
        error: `Not found: the local Qdrant mode does not support ${method} ${url.pathname} (see the feature table in the @monsteros/qdrant-local README)`,
      },
      time: time(),
    });
  } catch (e) {
    return errorAnswer(e, time());
  }
}
