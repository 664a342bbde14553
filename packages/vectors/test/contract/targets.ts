import { randomUUID } from 'node:crypto';
import { QdrantClient } from '@qdrant/js-client-rest';
import { expect } from 'vitest';
import {
  createLocalQdrantClient,
  LocalQdrant,
  type QdrantClientLike,
  startLocalQdrantServer,
} from '../../src/local/index.js';

/** Where the contract suite runs: a client with the official client's methods, and how to release it. */
export interface ContractTarget {
  name: string;
  client: QdrantClientLike;
  close(): Promise<void>;
}

/** The local engine called in process through the official client's method signatures. */
export async function inProcessTarget(): Promise<ContractTarget> {
  const engine = await LocalQdrant.open(':memory:');
  return { name: 'in-process', client: createLocalQdrantClient(engine), close: () => engine.close() };
}

/** The local engine behind its REST server, driven by the unmodified official client. */
export async function httpTarget(): Promise<ContractTarget> {
  const server = await startLocalQdrantServer({ port: 0 });
  const client = new QdrantClient({ url: server.url, checkCompatibility: false });
  return { name: `http ${server.url}`, client, close: () => server.close() };
}

/** A real Qdrant server (QDRANT_URL), for checking that the suite's expectations are Qdrant's. */
export async function realQdrantTarget(url: string): Promise<ContractTarget> {
  const client = new QdrantClient({ url, apiKey: process.env.QDRANT_API_KEY, checkCompatibility: false });
  return { name: `qdrant ${url}`, client, close: async () => {} };
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
