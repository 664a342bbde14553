// The seed's own error: a precondition failed and nothing was written.
import { MonsterosError } from '@monsteros/schema/errors';

/** A precondition failed: nothing was written. Says what to do. */
export class SeedError extends MonsterosError<'UNAVAILABLE' | 'NOT_OURS' | 'NOT_DEVELOPMENT' | 'CONFIRM'> {
  override readonly name = 'SeedError';
}
