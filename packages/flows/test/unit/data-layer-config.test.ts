// loadConfig (the environment, defaults, overrides, errors that never show a value) and
// createDataLayer's option checks, which refuse before any store is opened.
import { describe, expect, it } from 'vitest';
import { createDataLayer } from '../../src/create-data-layer.js';
import { loadConfig } from '../../src/data-layer-config.js';
import type { DataLayerOptions } from '../../src/data-layer-types.js';
import { ConfigError } from '../../src/errors.js';

describe('loadConfig', () => {
  it('uses the documented defaults with an empty environment', () => {
    expect(loadConfig({})).toEqual({
      databaseUrl: 'postgresql://postgres@127.0.0.1:5432/monsteros',
      redisUrl: 'redis://127.0.0.1:6379',
      localVectorsPath: '.data/vectors',
      duckdbPath: '.data/analytics.duckdb',
      keyPrefix: 'mos:',
    });
  });

  it('reads the environment, and explicit overrides win over it', () => {
    const config = loadConfig(
      {
        DATABASE_URL: 'postgres://u@db:5432/x',
        QDRANT_URL: 'http://qdrant:6333',
        MONSTEROS_KEY_PREFIX: 'dev:',
      },
      { duckdbPath: ':memory:', keyPrefix: 'test:' },
    );
    expect(config.databaseUrl).toBe('postgres://u@db:5432/x');
    expect(config.qdrantUrl).toBe('http://qdrant:6333');
    expect(config.duckdbPath).toBe(':memory:');
    expect(config.keyPrefix).toBe('test:');
  });

  it('reads the embeddings key and one model per collection', () => {
    const config = loadConfig({
      EMBEDDINGS_URL: 'https://embed.example/v1',
      EMBEDDINGS_MODEL: 'nomic-embed-text',
      EMBEDDINGS_API_KEY: 'sk-hosted',
      EMBEDDINGS_MODEL_CHARACTER_MEMORIES: 'all-minilm',
      EMBEDDINGS_MODEL_DOCUMENT_VECTORS: 'mxbai-embed-large',
    });
    expect(config).toMatchObject({
      embeddingsModel: 'nomic-embed-text',
      embeddingsApiKey: 'sk-hosted',
      embeddingsModelCharacterMemories: 'all-minilm',
      embeddingsModelDocumentVectors: 'mxbai-embed-large',
    });
    expect(config.embeddingsModelMemoryEmbeddings).toBeUndefined();
  });

  it('names the variable and the rule, never the value that may hold a password', () => {
    const error = (() => {
      try {
        loadConfig({ DATABASE_URL: 'mysql://root:hunter2@db/x' });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).code).toBe('CONFIG');
    expect((error as ConfigError).message).toBe(
      'DATABASE_URL: must be a URL with scheme postgres:// or postgresql://',
    );
    expect((error as ConfigError).message).not.toContain('hunter2');
  });

  it('rejects a key prefix that could collide with other keys', () => {
    expect(() => loadConfig({ MONSTEROS_KEY_PREFIX: 'mos' })).toThrow(
      /MONSTEROS_KEY_PREFIX: must be 1-32 characters/,
    );
    expect(() => loadConfig({}, { keyPrefix: 'a{b}:' })).toThrow(/config.keyPrefix/);
  });
});

describe('createDataLayer options', () => {
  it('rejects a bad option with a typed error naming it, before opening any store', async () => {
    // Nothing listens on these: opening a store would fail with another error.
    const config = { databaseUrl: 'postgresql://postgres@127.0.0.1:1/none', redisUrl: 'redis://127.0.0.1:1' };
    const bad: Array<[DataLayerOptions, string]> = [
      [{ memoriesPerResponse: 0 }, 'options.memoriesPerResponse: must be from 1 to 100'],
      [{ maxMessageLength: -1 }, 'options.maxMessageLength: must be from 1 to 1000000'],
      [{ sideEffectGraceMs: 1.5 }, 'options.sideEffectGraceMs: must be a whole number'],
      [{ relay: { idleMs: 0 } }, 'relay idleMs: must be a whole number of at least 1'],
    ];
    for (const [options, message] of bad) {
      await expect(createDataLayer({ ...options, env: {}, config })).rejects.toMatchObject({
        code: 'VALIDATION',
        message,
      });
    }
  });
});
