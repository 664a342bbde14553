import { EmbeddingsError, VectorsValidationError } from '../../errors.js';
import type { EmbeddingProvider } from '../provider.js';

/** Options of an OpenAI-compatible embeddings server (OpenAI, Ollama, vLLM, TEI, LM Studio…). */
export interface OpenAIEmbeddingsOptions {
  /** Base URL: `http://127.0.0.1:11434` or `…/v1`; requests go to `<base>/v1/embeddings`. */
  url: string;
  /** Model name sent in each request. */
  model: string;
  /** The vector size the model produces; every answer is checked against it. */
  dims: number;
  /** Sent as `Authorization: Bearer …`; never logged or put in errors. */
  apiKey?: string;
  /** Texts per request. Default 64. */
  batchSize?: number;
  /** Per-request timeout in milliseconds. Default 30,000. */
  timeoutMs?: number;
  /** Retries after a timeout, a network error, 408, 429 or 5xx. Default 3. */
  retries?: number;
  /** First backoff in milliseconds, doubled per retry with jitter, capped at `maxBackoffMs`. Default 200. */
  backoffMs?: number;
  /** Default 5,000. */
  maxBackoffMs?: number;
  /** Send `dimensions` in the request (OpenAI text-embedding-3 models shorten their vectors). Default false. */
  sendDimensions?: boolean;
}

interface EmbeddingsResponse {
  data?: Array<{ embedding?: unknown; index?: unknown }>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The URL without credentials, query or hash: safe to put in an error message. */
function publicOrigin(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
}

class RetryableFailure extends Error {
  constructor(
    readonly reason: 'TIMEOUT' | 'UNAVAILABLE',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * An embeddings provider speaking the OpenAI `/v1/embeddings` protocol, with batching,
 * per-request timeouts, bounded retries with exponential backoff, and a dimension check of
 * every vector. Errors are `EmbeddingsError`s naming the provider (model and server, no key).
 * @example
 * const embedder = createOpenAIEmbeddings({ url: 'http://127.0.0.1:11434', model: 'nomic-embed-text', dims: 768 });
 */
export function createOpenAIEmbeddings(options: OpenAIEmbeddingsOptions): EmbeddingProvider {
  let base: URL;
  try {
    base = new URL(options.url);
  } catch {
    throw new VectorsValidationError('url', 'must be an absolute http(s) URL');
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:')
    throw new VectorsValidationError('url', 'must be an absolute http(s) URL');
  if (!options.model) throw new VectorsValidationError('model', 'must not be empty');
  if (!Number.isInteger(options.dims) || options.dims < 1)
    throw new VectorsValidationError('dims', 'must be a positive integer');
  const batchSize = options.batchSize ?? 64;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const retries = options.retries ?? 3;
  const backoffMs = options.backoffMs ?? 200;
  const maxBackoffMs = options.maxBackoffMs ?? 5_000;
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new VectorsValidationError('batchSize', 'must be a positive integer');
  if (!(timeoutMs > 0)) throw new VectorsValidationError('timeoutMs', 'must be positive');
  if (!Number.isInteger(retries) || retries < 0)
    throw new VectorsValidationError('retries', 'must be a non-negative integer');

  const origin = publicOrigin(base);
  const endpoint = new URL(base.toString());
  endpoint.username = '';
  endpoint.password = '';
  endpoint.pathname = `${endpoint.pathname.replace(/\/+$/, '')}${/\/v1$/.test(endpoint.pathname.replace(/\/+$/, '')) ? '' : '/v1'}/embeddings`;
  const id = `openai-compatible ${options.model} at ${origin}`;
  const { dims } = options;

  const request = async (input: readonly string[]): Promise<Float32Array[]> => {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    let response: Response;
    try {
      response = await fetch(endpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}),
        },
        body: JSON.stringify({
          model: options.model,
          input,
          encoding_format: 'float',
          ...(options.sendDimensions ? { dimensions: dims } : {}),
        }),
        signal: controller.signal,
      });
    } catch (error) {
      clearTimeout(timer);
      if (controller.signal.aborted)
        throw new RetryableFailure('TIMEOUT', `no answer within ${timeoutMs} ms`, { cause: error });
      throw new RetryableFailure('UNAVAILABLE', 'unreachable', { cause: error });
    }
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      if (controller.signal.aborted)
        throw new RetryableFailure('TIMEOUT', `no answer within ${timeoutMs} ms`, { cause: error });
      throw new RetryableFailure('UNAVAILABLE', 'the connection broke mid-answer', { cause: error });
    } finally {
      clearTimeout(timer);
    }
    if (response.status === 408 || response.status === 429 || response.status >= 500)
      throw new RetryableFailure('UNAVAILABLE', `answered HTTP ${response.status}`);
    if (!response.ok)
      throw new EmbeddingsError(id, 'REJECTED', `answered HTTP ${response.status}: ${text.slice(0, 200)}`);
    let body: EmbeddingsResponse;
    try {
      body = JSON.parse(text) as EmbeddingsResponse;
    } catch (error) {
      throw new EmbeddingsError(id, 'BAD_RESPONSE', 'answered with something that is not JSON', {
        cause: error,
      });
    }
    if (!Array.isArray(body.data) || body.data.length !== input.length)
      throw new EmbeddingsError(
        id,
        'BAD_RESPONSE',
        `expected ${input.length} embeddings in \`data\`, got ${Array.isArray(body.data) ? body.data.length : 'none'}`,
      );
    const out = new Array<Float32Array>(input.length);
    body.data.forEach((item, position) => {
      const index = typeof item.index === 'number' ? item.index : position;
      const e = item.embedding;
      if (!Array.isArray(e) || !e.every((x) => typeof x === 'number' && Number.isFinite(x)))
        throw new EmbeddingsError(
          id,
          'BAD_RESPONSE',
          `data[${position}].embedding is not a list of finite numbers`,
        );
      if (e.length !== dims)
        throw new EmbeddingsError(id, 'DIMENSION', `returned ${e.length} dimensions, expected ${dims}`, {
          actualDims: e.length,
        });
      if (!Number.isInteger(index) || index < 0 || index >= input.length || out[index])
        throw new EmbeddingsError(
          id,
          'BAD_RESPONSE',
          `data[${position}].index ${index} is not an integer, out of range or repeated`,
        );
      out[index] = Float32Array.from(e as number[]);
    });
    return out;
  };

  const withRetries = async (input: readonly string[]): Promise<Float32Array[]> => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await request(input);
      } catch (error) {
        if (!(error instanceof RetryableFailure)) throw error;
        if (attempt >= retries)
          throw new EmbeddingsError(
            id,
            error.reason,
            `${error.message} (after ${attempt + 1} attempt${attempt ? 's' : ''})`,
            { cause: error.cause ?? error },
          );
        const ceiling = Math.min(maxBackoffMs, backoffMs * 2 ** attempt);
        await sleep(ceiling / 2 + Math.random() * (ceiling / 2));
      }
    }
  };

  return {
    id,
    // The model served (and its size), wherever it is served from: moving the server is no change.
    model: `openai-compatible ${options.model}/${dims}`,
    dims,
    async embed(texts) {
      const out: Float32Array[] = [];
      for (let i = 0; i < texts.length; i += batchSize)
        out.push(...(await withRetries(texts.slice(i, i + batchSize))));
      return out;
    },
  };
}
