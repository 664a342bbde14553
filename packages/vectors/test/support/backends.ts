import { randomUUID } from 'node:crypto';
import {
  createLocalQdrantClient,
  LocalQdrant,
  type LocalQdrantServer,
  startLocalQdrantServer,
} from '@monsteros/qdrant-local';
import { createVectors, type Vectors, type VectorsOptions } from '../../src/index.js';

/** How a test reaches Qdrant: the local engine in process, or its REST server through the official client. */
interface Backend {
  name: string;
  open(options?: Omit<VectorsOptions, 'qdrant'>): Promise<Vectors>;
  close(): Promise<void>;
}

/** A collection prefix of this test only, so tests and files run in parallel on one engine. */
export const uniquePrefix = (tag: string) => `t_${tag}_${randomUUID().slice(0, 8)}_`;

/** One local engine for the file, shared by every `open` through the in-process client (like the server below). */
function inProcessBackend(): Backend {
  let engine: LocalQdrant | null = null;
  return {
    name: 'local in process',
    async open(options = {}) {
      engine ??= await LocalQdrant.open(':memory:');
      return createVectors({ ...options, qdrant: { client: createLocalQdrantClient(engine) } });
    },
    async close() {
      await engine?.close();
    },
  };
}

/** One local-mode REST server for the file; each `open` is a new official client against it. */
function httpBackend(): Backend {
  let server: LocalQdrantServer | null = null;
  return {
    name: 'local over HTTP (official client)',
    async open(options = {}) {
      server ??= await startLocalQdrantServer({ port: 0 });
      return createVectors({ ...options, qdrant: { url: server.url } });
    },
    async close() {
      await server?.close();
    },
  };
}

/**
 * A real Qdrant at QDRANT_URL (with QDRANT_API_KEY), to check that what the local mode passes,
 * Qdrant passes too; each test's collections and aliases are deleted afterwards.
 */
function qdrantBackend(url: string): Backend {
  const opened: Array<{ vectors: Vectors; prefix: string }> = [];
  return {
    name: `qdrant ${url}`,
    async open(options = {}) {
      const apiKey = process.env.QDRANT_API_KEY;
      const vectors = await createVectors({ ...options, qdrant: { url, ...(apiKey ? { apiKey } : {}) } });
      opened.push({ vectors, prefix: options.collectionPrefix ?? '' });
      return vectors;
    },
    async close() {
      for (const { vectors, prefix } of opened) {
        if (!prefix) continue;
        const { collections } = await vectors.client.getCollections();
        for (const c of collections)
          if (c.name.startsWith(prefix)) await vectors.client.deleteCollection(c.name);
      }
    },
  };
}

/** One backend of a suite: `describe.each(cases)('… ($name)', ({ make }) => …)`. */
export interface BackendCase {
  name: string;
  make: () => Backend;
}

/** The local engine in process: pure code, so the suites run over it in the unit project. */
export const inProcessBackends: readonly BackendCase[] = [
  { name: 'local in process', make: inProcessBackend },
];

/** The local REST server, and a real Qdrant when QDRANT_URL is set: the suites' integration runs. */
export const serverBackends: readonly BackendCase[] = [
  { name: 'local over HTTP', make: httpBackend },
  ...(process.env.QDRANT_URL
    ? [{ name: 'qdrant', make: () => qdrantBackend(process.env.QDRANT_URL as string) }]
    : []),
];

/** A unit vector at cosine `c` from the first axis, in `dims` dimensions (dims ≥ 2). */
export function atCosine(c: number, dims: number): number[] {
  const v = new Array<number>(dims).fill(0);
  v[0] = c;
  v[1] = Math.sqrt(1 - c * c);
  return v;
}

/** The first axis: the query whose cosine to `atCosine(c)` is c. */
export function axis(dims: number): number[] {
  const v = new Array<number>(dims).fill(0);
  v[0] = 1;
  return v;
}
