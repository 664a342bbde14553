// Outbox completions shared among the flows that finish together: while one `update outbox`
// runs, the ids of the flows finishing meanwhile wait and go in the next statement, one for all
// of them. Each caller's promise settles with the statement that holds its ids, so a flow still
// returns only once its events are marked: the relay and the readers see exactly what they saw
// with one statement per flow. Alone (nothing in flight), a call starts its statement at once.

/** At most this many ids in one statement (the repository takes up to 10,000). */
const MAX_IDS = 5_000;

interface Waiter {
  ids: string[];
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Wraps `complete` (one statement marking ids done) so that concurrent calls share statements.
 * @example
 * const complete = coalescedCompletion((ids) => relational.outbox.complete(ids));
 * await complete([cacheEventId, embedEventId]);
 */
export function coalescedCompletion(
  complete: (ids: string[]) => Promise<unknown>,
): (ids: string[]) => Promise<void> {
  let queue: Waiter[] = [];
  let running = false;

  async function drain(): Promise<void> {
    running = true;
    while (queue.length > 0) {
      let count = 0;
      let take = 0;
      while (take < queue.length && (take === 0 || count + queue[take]!.ids.length <= MAX_IDS)) {
        count += queue[take]!.ids.length;
        take++;
      }
      const batch = queue.slice(0, take);
      queue = queue.slice(take);
      try {
        await complete(batch.flatMap((w) => w.ids));
        for (const w of batch) w.resolve();
      } catch (error) {
        for (const w of batch) w.reject(error);
      }
    }
    running = false;
  }

  return (ids) => {
    if (ids.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      queue.push({ ids, resolve, reject });
      if (!running) void drain();
    });
  };
}
