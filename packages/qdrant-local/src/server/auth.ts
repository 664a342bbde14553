import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { LocalQdrantError } from '../errors.js';
import { type Answer, errorAnswer } from './dispatch.js';

/** The keys of a local Qdrant server, as Qdrant's `service.api_key` and `service.read_only_api_key`. */
export interface ApiKeys {
  /** Full access (Qdrant: `QDRANT__SERVICE__API_KEY`). */
  apiKey?: string | undefined;
  /** Reads only (Qdrant: `QDRANT__SERVICE__READ_ONLY_API_KEY`). */
  readOnlyApiKey?: string | undefined;
}

/** What the server answers a request that may not pass: status, and a plain-text or JSON body. */
type AuthRefusal = Answer;

/** Checks one request's key: null when it may pass, else the answer to send. */
export type AuthCheck = (method: string, path: string, headers: IncomingHttpHeaders) => AuthRefusal | null;

const plain = (text: string): Answer => ({
  status: 401,
  contentType: 'text/plain; charset=utf-8',
  body: text,
});

/** Paths Qdrant serves without a key (its health checks and the version banner). */
const OPEN_PATHS = new Set(['/', '/healthz', '/livez', '/readyz']);

/**
 * POST endpoints that only read (Qdrant's list of read-only POST patterns, plus the Query API,
 * facets and the distance matrix that came after it): a read-only key may call them.
 */
const READ_ONLY_POST = [
  /^\/collections\/[^/]+\/points$/,
  /^\/collections\/[^/]+\/facet$/,
  /^\/collections\/[^/]+\/points\/(count|scroll)$/,
  /^\/collections\/[^/]+\/points\/(search|recommend|discover|query)(\/(batch|groups))?$/,
  /^\/collections\/[^/]+\/points\/search\/matrix\/(pairs|offsets)$/,
];

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** Compares a presented key with a configured one in time independent of where they differ. */
function sameKey(presented: Buffer, expected: Buffer | null): boolean {
  return expected !== null && timingSafeEqual(presented, expected);
}

/** True when the request only reads: GET, or one of the read-only POST endpoints. */
function isReadOnlyRequest(method: string, path: string): boolean {
  if (method === 'GET' || method === 'HEAD') return true;
  return method === 'POST' && READ_ONLY_POST.some((re) => re.test(path));
}

/**
 * Checks a request's key the way Qdrant does: the `api-key` header, else `Authorization: Bearer`.
 * No key: 401 "Must provide an API key or an Authorization bearer token"; a key that is neither:
 * 401 "Invalid API key or JWT"; the read-only key on a write: 403 "Forbidden: Global manage
 * access is required". Returns null when the request may pass (always, when no key is set).
 * @example
 * const check = createAuth({ apiKey: 'secret' });
 * check('GET', '/collections', { 'api-key': 'secret' }); // null
 */
export function createAuth(keys: ApiKeys): AuthCheck {
  const full = keys.apiKey ? digest(keys.apiKey) : null;
  const readOnly = keys.readOnlyApiKey ? digest(keys.readOnlyApiKey) : null;
  if (full === null && readOnly === null) return () => null;
  return (method, path, headers) => {
    if (OPEN_PATHS.has(path)) return null;
    const header = headers['api-key'];
    const bearer = headers.authorization?.startsWith('Bearer ') ? headers.authorization.slice(7) : undefined;
    const key = (Array.isArray(header) ? header[0] : header) ?? bearer;
    if (key === undefined) return plain('Must provide an API key or an Authorization bearer token');
    const presented = digest(key);
    // Both comparisons always run, so the time does not tell which key (if any) matched.
    const isFull = sameKey(presented, full);
    const isReadOnly = sameKey(presented, readOnly);
    if (isFull) return null;
    if (!isReadOnly) return plain('Invalid API key or JWT');
    if (isReadOnlyRequest(method, path)) return null;
    // Qdrant answers a read-only key's write in its JSON error shape (a missing key in plain text).
    return errorAnswer(new LocalQdrantError(403, 'Forbidden: Global manage access is required'), 0);
  };
}

/** True for a host name or address that only this machine can reach. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h) || h === '::ffff:127.0.0.1';
}
