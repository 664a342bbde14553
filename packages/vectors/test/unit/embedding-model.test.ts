// The embedding-model suite (../suites/embedding-model.ts) over the local engine in process; over HTTP in ../embedding-model.test.ts.
import { describe, expect, it } from 'vitest';
import { createOpenAIEmbeddings } from '../../src/index.js';
import { embeddingModelSuite, modelA, modelB } from '../suites/embedding-model.js';
import { inProcessBackends } from '../support/backends.js';

embeddingModelSuite(inProcessBackends);

describe('the model an embedding provider records', () => {
  it('names the model and size of an OpenAI-compatible server, not where it runs', () => {
    const at = (url: string, model = 'nomic-embed-text', dims = 768) =>
      createOpenAIEmbeddings({ url, model, dims });
    expect(at('http://127.0.0.1:11434').model).toBe('openai-compatible nomic-embed-text/768');
    expect(at('http://embeddings.internal:8080/v1').model).toBe(at('http://127.0.0.1:11434').model);
    expect(at('http://127.0.0.1:11434', 'mxbai-embed-large').model).not.toBe(
      at('http://127.0.0.1:11434').model,
    );
    expect(at('http://127.0.0.1:11434', 'nomic-embed-text', 384).model).not.toBe(
      at('http://127.0.0.1:11434').model,
    );
  });

  it('is the id of the built-in embedder', () => {
    expect(modelA.model ?? modelA.id).toBe('local-hash-v1/384');
    expect(modelB.model ?? modelB.id).toBe('local-hash-v2/384');
  });
});
