// Work in flight (flows, imports, memory, reconcile, sync, reset), so close() can wait for it.
import { FlowError } from '../errors.js';
import type { MetricsRecorder } from '../metrics/recorder.js';

/**
 * Wraps the data layer's entry points: each call is tracked until it settles, and refused with an
 * UNAVAILABLE FlowError once `close()` began.
 */
export function workInFlight(metrics: MetricsRecorder) {
  const inFlight = new Set<Promise<unknown>>();
  let closing = false;
  const track =
    <A extends unknown[], R>(what: string, fn: (...args: A) => Promise<R>) =>
    (...args: A): Promise<R> => {
      if (closing) return Promise.reject(new FlowError('UNAVAILABLE', `${what}: the data layer is closing`));
      const p = fn(...args);
      inFlight.add(p);
      const done = () => inFlight.delete(p);
      p.then(done, done);
      return p;
    };
  /** `track`, and the call's time recorded as a memory operation. */
  const trackMemory = <A extends unknown[], R>(
    what: string,
    operation: string,
    fn: (...args: A) => Promise<R>,
  ) =>
    track(what, async (...args: A): Promise<R> => {
      const started = performance.now();
      let ok = false;
      try {
        const out = await fn(...args);
        ok = true;
        return out;
      } finally {
        metrics.memoryOp(operation, performance.now() - started, ok);
      }
    });
  return {
    track,
    trackMemory,
    /** True once `close()` was called. */
    get closing(): boolean {
      return closing;
    },
    /** Refuses new work from now on; resolves once the work in flight settled (failed or not). */
    async close(): Promise<void> {
      closing = true;
      await Promise.allSettled([...inFlight]);
    },
  };
}
