import { type Context, context } from '@opentelemetry/api';
import { StepError } from './errors.js';
import { endSpan, startFlowSpan, startStepSpan } from './metrics/tracing.js';

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

/**
 * Receives every run's timings (the flows wire Redis metrics and memory_operations here), and
 * the run's wall time (`totalMs`, shorter than the sum when steps ran at the same time).
 */
export type TimingRecorder = (
  flow: string,
  timings: readonly StepTiming[],
  totalMs?: number,
) => void | Promise<void>;

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
 * One step of a `concurrently` group: it reads the group's input and returns only what it adds
 * (merged into the input for the next step). Build one with `part(name, store, run, options)`.
 */
export interface StepPart<I, A extends object> {
  readonly name: string;
  readonly store: StepStore;
  readonly run: (input: I) => Promise<A> | A;
  readonly options: StepOptions<I, A>;
}

/**
 * A step for `Pipeline.concurrently`.
 * @example
 * part('session context', 'redis', async (ctx) => ({ session: await sessions.get(ctx.userId) }), { fallback: () => ({ session: null }) })
 */
export function part<I, A extends object>(
  name: string,
  store: StepStore,
  run: (input: I) => Promise<A> | A,
  options: StepOptions<I, A> = {},
): StepPart<I, A> {
  return { name, store, run, options };
}

/** Steps run one after another, or a group run at once. */
type Stage = { kind: 'one'; step: AnyStep } | { kind: 'group'; steps: AnyStep[] };

const anyStep = <I, N>(
  name: string,
  store: StepStore,
  run: (input: I) => unknown,
  options: StepOptions<I, N>,
): AnyStep => ({
  name,
  store,
  run: run as (input: unknown) => unknown,
  fallback: options.fallback as AnyStep['fallback'],
});

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * A flow as a list of typed steps: each names its store and what it does, and its output is
 * the typed input of the next. Every step is timed. Build one with `pipeline(name)`.
 */
export class Pipeline<I, O> {
  private constructor(
    readonly name: string,
    private readonly stages: readonly Stage[],
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
    return new Pipeline<I, N>(this.name, [
      ...this.stages,
      { kind: 'one', step: anyStep(name, store, run, options) },
    ]);
  }

  /**
   * Appends two (or three) independent steps that run at the same time on this pipeline's
   * output; what each returns is merged into it for the next step. Each is timed (from the
   * group's start) and recorded in the order given, and keeps its own fallback; when one without
   * a fallback fails, the run stops with its StepError once all have ended.
   * @example
   * pipeline<{ userId: string }>('greet').concurrently(
   *   part('session', 'redis', async ({ userId }) => ({ session: await sessions.get(userId) })),
   *   part('profile', 'postgres', async ({ userId }) => ({ profile: await users.get(userId) })),
   * );
   */
  concurrently<A extends object, B extends object, C extends object = object>(
    a: StepPart<O, A>,
    b: StepPart<O, B>,
    c?: StepPart<O, C>,
  ): Pipeline<I, O & A & B & C> {
    const steps = [a, b, ...(c ? [c] : [])].map((p) =>
      anyStep(p.name, p.store, p.run as (input: O) => unknown, p.options as StepOptions<O, unknown>),
    );
    return new Pipeline<I, O & A & B & C>(this.name, [...this.stages, { kind: 'group', steps }]);
  }

  /** The steps in order, as `store: name` (for documentation and reports). */
  describe(): string[] {
    return this.stages
      .flatMap((stage) => (stage.kind === 'one' ? [stage.step] : stage.steps))
      .map((s) => `${s.store}: ${s.name}`);
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
    // The run's span (a no-op unless the app registered an OpenTelemetry SDK).
    const flowSpan = startFlowSpan(this.name);
    let failure: unknown;
    try {
      for (const stage of this.stages) {
        const t0 = performance.now();
        const attempts =
          stage.kind === 'one'
            ? [await this.attempt(stage.step, value, t0, flowSpan.ctx)]
            : await Promise.all(stage.steps.map((step) => this.attempt(step, value, t0, flowSpan.ctx)));
        for (const a of attempts) timings.push(a.timing);
        const failed = attempts.find((a) => a.timing.outcome === 'failed');
        if (failed) throw failed.error;
        if (attempts.some((a) => a.timing.outcome === 'degraded')) partial = true;
        value =
          stage.kind === 'one'
            ? attempts[0]!.value
            : Object.assign({}, value, ...attempts.map((a) => a.value as object));
      }
      if (partial) flowSpan.span.setAttribute('monsteros.partial', true);
      return { output: value as O, timings, partial, totalMs: performance.now() - started };
    } catch (error) {
      failure = error;
      throw error;
    } finally {
      endSpan(flowSpan.span, failure);
      // Recording must never fail the flow it measures.
      const totalMs = performance.now() - started;
      if (recorder) await (async () => recorder(this.name, timings, totalMs))().catch(() => {});
    }
  }

  /**
   * Runs one step, timed from `t0`: its output (`ok`), its fallback's (`degraded`), or, when it
   * has no fallback, the StepError to stop the run with (`failed`). Throws only what a fallback throws.
   */
  private async attempt(
    step: AnyStep,
    value: unknown,
    t0: number,
    parent: Context,
  ): Promise<{ value?: unknown; error?: StepError; timing: StepTiming }> {
    const span = startStepSpan(parent, this.name, step.name, step.store);
    try {
      // The step runs in its span's context, so the store calls it makes are its children.
      const out = await context.with(span.ctx, step.run, undefined, value);
      endSpan(span.span);
      return {
        value: out,
        timing: { step: step.name, store: step.store, ms: performance.now() - t0, outcome: 'ok' },
      };
    } catch (error) {
      const ms = performance.now() - t0;
      endSpan(span.span, error, step.fallback !== undefined);
      const base = { step: step.name, store: step.store, ms, error: messageOf(error) };
      if (!step.fallback)
        return {
          error: new StepError(this.name, step.name, step.store, error),
          timing: { ...base, outcome: 'failed' },
        };
      return { value: step.fallback(value, error), timing: { ...base, outcome: 'degraded' } };
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
