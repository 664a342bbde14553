// The seed's own error: a precondition failed and nothing was written.
/** A precondition failed: nothing was written. Says what to do. */
export class SeedError extends Error {
  override readonly name = 'SeedError';
  constructor(
    readonly code: 'UNAVAILABLE' | 'NOT_OURS' | 'NOT_DEVELOPMENT' | 'CONFIRM',
    message: string,
  ) {
    super(message);
  }
}
