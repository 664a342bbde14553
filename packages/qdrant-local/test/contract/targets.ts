import { randomUUID } from 'node:crypto';
import { QdrantClient } from '@qdrant/js-client-rest';
import { expect } from 'vitest';
import { parseLosslessJson, stringifyLosslessJson } from '../../src/engine/lossless-json.js';
import {
  createLocalQdrantClient,
  dispatchRequest,
  LocalQdrant,
  type QdrantClientLike,
  RequestStats,
  startLocalQdrantServer,
} from '../../src/index.js';

/** A raw REST answer: for requests the official client cannot send (or reads differently). */
export interface RestAnswer {
  status: number;
  contentType: string;
  text: string;
  /** The body's bytes (a snapshot download). */
  bytes: Buffer;
  /** The body parsed losslessly (integers beyond 2^53 as bigint), or null when it is not JSON. */
  json: unknown;
}

/** Sends one raw REST request to the target: method, path with query string, JSON body text. */
export type Rest = (
  method: string,
  path: string,
  body?: unknown,
  headers?: Record<string, string>,
) => Promise<RestAnswer>;

/** Where the contract suite runs: a client with the official client's methods, raw REST, and how to release it. */
export interface ContractTarget {
  name: string;
  client: QdrantClientLike;
  rest: Rest;
  /** True for the local mode (in process or over HTTP), false for a real Qdrant. */
  local: boolean;
  close(): Promise<void>;
}

const bodyText = (body: unknown): string | Buffer | undefined =>
  body === undefined
    ? undefined
    : typeof body === 'string' || Buffer.isBuffer(body)
      ? body
      : stringifyLosslessJson(body);

function answer(status: number, contentType: string, bytes: Buffer): RestAnswer {
  const text = bytes.toString('utf8');
  let json: unknown = null;
  try {
    json = contentType.includes('json') ? parseLosslessJson(text) : null;
  } catch {
    json = null;
  }
  return { status, contentType, text, bytes, json };
}

/** Raw REST over HTTP with fetch (the body sent exactly as given). */
function fetchRest(base: string, apiKey?: string): Rest {
  return async (method, path, body, headers = {}) => {
    const text = bodyText(body);
    const response = await fetch(`${base}${path}`, {
      method,
      headers: {
        ...(text === undefined ? {} : { 'content-type': 'application/json' }),
        ...(apiKey ? { 'api-key': apiKey } : {}),
        ...headers,
      },
      ...(text === undefined ? {} : { body: text }),
    });
    return answer(
      response.status,
      response.headers.get('content-type') ?? '',
      Buffer.from(await response.arrayBuffer()),
    );
  };
}

/** The local engine called in process through the official client's method signatures. */
export async function inProcessTarget(): Promise<ContractTarget> {
  const engine = await LocalQdrant.open(':memory:');
  const stats = new RequestStats();
  const rest: Rest = async (method, url, body, headers = {}) => {
    const text = bodyText(body);
    const a = await dispatchRequest(
      engine,
      { method, url, headers, ...(text === undefined ? {} : { body: text }) },
      { stats },
    );
    return answer(a.status, a.contentType, Buffer.from(a.body));
  };
  return {
    name: 'in-process',
    client: createLocalQdrantClient(engine),
    rest,
    local: true,
    close: () => engine.close(),
  };
}

/** The local engine behind its REST server, driven by the unmodified official client. */
export async function httpTarget(): Promise<ContractTarget> {
  const server = await startLocalQdrantServer({ port: 0 });
  const client = new QdrantClient({ url: server.url, checkCompatibility: false });
  return {
    name: `http ${server.url}`,
    client,
    rest: fetchRest(server.url),
    local: true,
    close: () => server.close(),
  };
}

/** A real Qdrant server (QDRANT_URL), for checking that the suite's expectations are Qdrant's. */
export async function realQdrantTarget(url: string): Promise<ContractTarget> {
  const apiKey = process.env.QDRANT_API_KEY;
  const client = new QdrantClient({ url, apiKey, checkCompatibility: false });
  return { name: `qdrant ${url}`, client, rest: fetchRest(url, apiKey), local: false, close: async () => {} };
}

/** A collection name of this test only, so files and targets run in parallel. */
export const uniqueName = (tag: string) => `contract_${tag}_${randomUUID().slice(0, 8)}`;

/** What the official client's `ApiError` and our `LocalQdrantError` both carry. */
interface QdrantFailure {
  status: number;
  data: { status: { error: string } };
}

/**
 * Asserts that a call fails the way Qdrant fails: the HTTP status and `{status: {error}}` body
 * whose message matches `message`.
 */
export async function expectQdrantError(
  call: Promise<unknown>,
  status: number,
  message: RegExp,
): Promise<void> {
  const error = await call.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error, 'expected the call to fail').not.toBeNull();
  const failure = error as QdrantFailure;
  expect({ status: failure.status, error: failure.data?.status?.error }).toEqual({
    status,
    error: expect.stringMatching(message),
  });
}
