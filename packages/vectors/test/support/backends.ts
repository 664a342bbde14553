import { randomUUID } from 'node:crypto';
import { createVectors, type Vectors, type VectorsOptions } from '../../src/index.js';
import { type LocalQdrantServer, startLocalQdrantServer } from '../../src/local/index.js';

/** How a test reaches Qdrant: the local engine in process, or its REST server through the official client. */
export interface Backend {
  name: string;
  open(options?: Omit<VectorsOptions, 'qdrant'>): Promise<Vectors>;
  close(): Promise<void>;
}

/** A collection prefix of this test only, so tests and files run in parallel on one engine. */
export const uniquePrefix = (tag: string) => `t_${tag}_${randomUUID().slice(0, 8)}_`;

export function inProcessBackend(): Backend {
  const opened: Vectors[] = [];
  return {
    name: 'local in process',
    async open(options = {}) {
      const v = await createVectors({ ...options, qdrant: { local: ':memory:' } });
      opened.push(v);
      return v;
    },
    async close() {
      await Promise.all(opened.map((v) => v.close()));
    },
  };
}

/** One local-mode REST server for the file; each `open` is a new official client against it. */
export function httpBackend(): Backend {
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

/** For `describe.each(backends)('… ($name)', ({ make }) => …)`. */
export const backends = [
  { name: 'local in process', make: inProcessBackend },
  { name: 'local over HTTP', make: httpBackend },
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
