import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createOpenAIEmbeddings,
  createVectors,
  EmbeddingDimensionError,
  EmbeddingsError,
} from '../src/index.js';

interface Received {
  auth: string | undefined;
  model: string;
  input: string[];
}

/** A small server speaking the OpenAI embeddings protocol; `behaviour` scripts each answer. */
function openAIServer() {
  const received: Received[] = [];
  let behaviour: (body: Received, n: number) => 'ok' | 'wrong-dims' | 'half-index' | 'hang' | number = () =>
    'ok';
  const dims = 4;
  const server: Server = createServer((req: IncomingMessage, res) => {
    let raw = '';
    req.on('data', (c) => {
      raw += c;
    });
    req.on('end', () => {
      if (req.url !== '/v1/embeddings' || req.method !== 'POST') {
        res.writeHead(404).end();
        return;
      }
      const body = JSON.parse(raw) as { model: string; input: string[] };
      const entry = { auth: req.headers.authorization, model: body.model, input: body.input };
      received.push(entry);
      const action = behaviour(entry, received.length);
      if (action === 'hang') return; // never answers: the client's timeout must fire
      if (typeof action === 'number') {
        res.writeHead(action, { 'content-type': 'application/json' }).end('{"error":{"message":"nope"}}');
        return;
      }
      const size = action === 'wrong-dims' ? dims + 1 : dims;
      // Answers out of order, as the protocol allows: the index says which input it is.
      const data = body.input
        .map((text, index) => ({
          object: 'embedding',
          index: action === 'half-index' ? index + 0.5 : index,
          embedding: Array.from({ length: size }, (_, d) => (d === 0 ? text.length : 1)),
        }))
        .reverse();
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ object: 'list', data, model: body.model }));
    });
  });
  return {
    received,
    dims,
    set: (b: typeof behaviour) => {
      behaviour = b;
    },
    start: () =>
      new Promise<string>((resolve) =>
        server.listen(0, '127.0.0.1', () =>
          resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
        ),
      ),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('OpenAI-compatible embeddings provider', () => {
  const srv = openAIServer();
  let url = '';
  beforeAll(async () => {
    url = await srv.start();
  });
  afterAll(() => srv.stop());

  const provider = (over: Partial<Parameters<typeof createOpenAIEmbeddings>[0]> = {}) =>
    createOpenAIEmbeddings({
      url,
      model: 'test-embed',
      dims: srv.dims,
      apiKey: 'sk-secret-key',
      backoffMs: 1,
      ...over,
    });

  it('batches, authenticates, and puts the vectors back in input order', async () => {
    srv.set(() => 'ok');
    srv.received.length = 0;
    const texts = ['a', 'bb', 'ccc', 'dddd', 'eeeee'];
    const vectors = await provider({ batchSize: 2 }).embed(texts);
    expect(srv.received.map((r) => r.input)).toEqual([['a', 'bb'], ['ccc', 'dddd'], ['eeeee']]);
    expect(srv.received.every((r) => r.auth === 'Bearer sk-secret-key' && r.model === 'test-embed')).toBe(
      true,
    );
    expect(vectors.map((v) => v[0])).toEqual([1, 2, 3, 4, 5]);
  });

  it('accepts a base URL ending in /v1', async () => {
    srv.set(() => 'ok');
    const [v] = await provider({ url: `${url}/v1/` }).embed(['xyz']);
    expect(v?.[0]).toBe(3);
  });

  it('retries 5xx and 429 with backoff, then succeeds', async () => {
    srv.received.length = 0;
    srv.set((_b, n) => (n === 1 ? 503 : n === 2 ? 429 : 'ok'));
    const [v] = await provider({ retries: 3 }).embed(['retry']);
    expect(v?.[0]).toBe(5);
    expect(srv.received).toHaveLength(3);
  });

  it('fails with a typed error naming the provider when the dimension is wrong', async () => {
    srv.set(() => 'wrong-dims');
    const error = await provider()
      .embed(['x'])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EmbeddingsError);
    expect(error).toMatchObject({
      reason: 'DIMENSION',
      provider: `openai-compatible test-embed at ${url}`,
      message: expect.stringContaining('returned 5 dimensions, expected 4'),
    });
  });

  it('fails with a typed error when an answer carries a non-integer index', async () => {
    srv.set(() => 'half-index');
    const error = await provider()
      .embed(['x', 'yy'])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EmbeddingsError);
    expect(error).toMatchObject({
      reason: 'BAD_RESPONSE',
      message: expect.stringContaining('index 1.5 is not an integer'),
    });
  });

  it('times out with a typed error after its retries, without leaking the key', async () => {
    srv.received.length = 0;
    srv.set(() => 'hang');
    // Long enough that both attempts reach the server on a loaded machine (50 ms did not, and a
    // late attempt then counted in the next test).
    const error = await provider({ timeoutMs: 500, retries: 1 })
      .embed(['slow'])
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'EmbeddingsError', code: 'TIMEOUT', reason: 'TIMEOUT' });
    expect((error as Error).message).toContain('test-embed');
    expect((error as Error).message).not.toContain('sk-secret-key');
    expect(srv.received).toHaveLength(2);
  });

  it('does not retry a request the server rejects', async () => {
    srv.received.length = 0;
    srv.set(() => 400);
    await expect(provider().embed(['x'])).rejects.toMatchObject({ reason: 'REJECTED' });
    expect(srv.received).toHaveLength(1);
  });

  it('reports an unreachable server as UNAVAILABLE', async () => {
    const down = createOpenAIEmbeddings({ url: 'http://127.0.0.1:1', model: 'm', dims: 4, retries: 0 });
    await expect(down.embed(['x'])).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      provider: 'openai-compatible m at http://127.0.0.1:1',
    });
  });

  it('refuses to start when the model returns another size than its collection, before any write', async () => {
    srv.set(() => 'ok');
    // The server answers with srv.dims dimensions; declare a collection of another size for it.
    const wrong = srv.dims + 1;
    const vectors = await createVectors({
      qdrant: { local: ':memory:' },
      collections: { character_memories: { dims: wrong } },
      embeddings: { providers: { character_memories: provider({ dims: wrong }) } },
    });
    const error = await vectors.ensureCollections().then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(EmbeddingDimensionError);
    expect(error).toMatchObject({
      code: 'DRIFT',
      collection: 'character_memories',
      expected: wrong,
      actual: srv.dims,
      model: expect.stringContaining('test-embed'),
      message: expect.stringMatching(
        new RegExp(`character_memories.*${wrong}.*test-embed.*returns ${srv.dims}`),
      ),
    });
    expect((error as Error).message).not.toContain('sk-secret-key');
    expect((await vectors.client.getCollections()).collections).toEqual([]);
    await vectors.close();
  });

  it('backs a collection of createVectors, whose upserts and searches embed through it', async () => {
    srv.set(() => 'ok');
    srv.received.length = 0;
    const vectors = await createVectors({
      qdrant: { local: ':memory:' },
      collections: { character_memories: { dims: srv.dims } },
      embeddings: { providers: { character_memories: provider() } },
    });
    await vectors.ensureCollections();
    await vectors.upsert('character_memories', [
      {
        text: 'remember the riddle',
        payload: {
          interaction_id: '7c0e4a4e-2f5b-4f0e-9d7e-0a1b2c3d4e5f',
          character_name: 'sage',
          memory_type: 'fact',
          user_context: '',
          learning_value: 1,
          timestamp: '2025-01-01T00:00:00Z',
        },
      },
    ]);
    const hits = await vectors.search('character_memories', 'remember the riddle', { scoreThreshold: null });
    expect(hits.map((h) => h.payload.text)).toEqual(['remember the riddle']);
    // The start-up dimension probe, then the text once: the query was cached from the upsert.
    expect(srv.received.map((r) => r.input)).toEqual([
      ['MonsterOS embedding dimension check'],
      ['remember the riddle'],
    ]);
    await vectors.close();
  });
});
