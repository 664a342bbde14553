/**
 * Turns texts into vectors of a declared size. Implementations: the built-in local embedder
 * (`createLocalEmbedder`), an OpenAI-compatible HTTP server (`createOpenAIEmbeddings`), or your own.
 */
export interface EmbeddingProvider {
  /** Names the model and where it runs, for error messages and cache keys (never a secret). */
  readonly id: string;
  /**
   * What the vectors depend on — the model and its size, not where it is served — recorded with
   * each collection it fills (`EMBEDDING_MODEL_KEY`); a change at start is `EmbeddingModelChangedError`.
   * Default `id`.
   */
  readonly model?: string;
  /** The size of every vector `embed` returns. */
  readonly dims: number;
  /** One vector per text, in order. */
  embed(texts: readonly string[]): Promise<Float32Array[]>;
}
