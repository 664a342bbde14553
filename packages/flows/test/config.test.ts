import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { ConfigError } from '../src/errors.js';

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
