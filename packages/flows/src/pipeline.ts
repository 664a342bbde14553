import { StepError } from './errors.js';

/** Where a step does its work: one of the four stores, the responder, or plain computation. */
export type StepStore = 'postgres' | 'redis' | 'qdrant' | 'duckdb' | 'responder' | 'compute';

/** How long one step took and how it ended. */
export interface StepTiming {
  step: string;
  store: StepStore;
  ms: number;
  /** `ok`, `degraded` (a tolerant step failed and its fallback was used), or `failed`. */
  outcome: 'ok' | 'degraded' | 'failed';
  error?: string;
}

/** What a pipeline run returns: the last step's output and every step's timing. */
export interface PipelineResult<O> {
  output: O;
  timings: StepTiming[];
  /** True when a tolerant step failed and its fallback was used (e.g. no memories: Qdrant down). */
  partial: boolean;
  totalMs: number;
}

/** Receives every run's timings (the flows wire Redis metrics and memory_operations here). */
export type TimingRecorder = (flow: string, timings: readonly StepTiming[]) => void | Promise<void>;

export interface StepOptions<I, O> {
  /**
   * Makes the step tolerant: when it throws, the run continues with `fallback(input, error)`
   * and is flagged `partial`. Only for steps the user-facing result can do without.
   */
  fallback?: (input: I, error: unknown) => O;
}

interface AnyStep {
  name: string;
  store: StepStore;
  run: (input: unknown) => unknown;
  fallback: ((input: unknown, error: unknown) => unknown) | undefined;
}

/**
 * A flow as a list of typed steps: each names its store and what it does, and its output is
 * the typed input of the next. Every step is timed. Build one with `pipeline(name)`.
 */
export class Pipeline<I, O> {
  private constructor(
    readonly name: string,
    private readonly steps: readonly AnyStep[],
  ) {}

  /** @internal use `pipeline(name)`. */
  static start<I>(name: string): Pipeline<I, I> {
    return new Pipeline<I, I>(name, []);
  }

  /**
   * Appends a step that turns this pipeline's output into the next one's input.
   * @example
   * pipeline<{ userId: string }>('greet')
   *   .step('load user', 'postgres', ({ userId }) => users.get(userId))
   *   .step('cache', 'redis', async (user) => { await cache.set(user); return user; });
   */
  step<N>(
    name: string,
    store: StepStore,
    run: (input: O) => Promise<N> | N,
    options: StepOptions<O, N> = {},
  ): Pipeline<I, N> {
    const step: AnyStep = {
      name,
      store,
      run: run as (input: unknown) => unknown,
      fallback: options.fallback as AnyStep['fallback'],
    };
    return new Pipeline<I, N>(this.name, [...this.steps, step]);
  }

  /** The steps in order, as `store: name` (for documentation and reports). */
  describe(): string[] {
    return this.steps.map((s) => `${s.store}: ${s.name}`);
  }

  /**
   * Runs the steps in order. A failing step stops the run with a StepError naming the flow,
   * the step and its store (timings so far are still recorded), unless it has a fallback.
   * @example
   * const { output, timings, partial } = await flow.run(input, recordTimings);
   */
  async run(input: I, recorder?: TimingRecorder): Promise<PipelineResult<O>> {
    const timings: StepTiming[] = [];
    const started = performance.now();
    let value: unknown = input;
    let partial = false;
    try {
      for (const step of this.steps) {
        const t0 = performance.now();
        try {
          value = await step.run(value);
          timings.push({ step: step.name, store: step.store, ms: performance.now() - t0, outcome: 'ok' });
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          if (!step.fallback) {
            timings.push({
              step: step.name,
              store: step.store,
              ms: performance.now() - t0,
              outcome: 'failed',
              error: message,
            });
            throw new StepError(this.name, step.name, step.store, error);
          }
          value = step.fallback(value, error);
          partial = true;
          timings.push({
            step: step.name,
            store: step.store,
            ms: performance.now() - t0,
            outcome: 'degraded',
            error: message,
          });
        }
      }
      return { output: value as O, timings, partial, totalMs: performance.now() - started };
    } finally {
      // Recording must never fail the flow it measures.
      if (recorder) await (async () => recorder(this.name, timings))().catch(() => {});
    }
  }
}

/**
 * Starts a pipeline whose first step receives an `I`.
 * @example
 * const flow = pipeline<{ questId: string }>('questProgress').step('update', 'postgres', updateProgress);
 */
export function pipeline<I>(name: string): Pipeline<I, I> {
  return Pipeline.start<I>(name);
}
