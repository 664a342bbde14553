// OpenTelemetry spans through @opentelemetry/api only: a no-op until the app registers an SDK
// (a tracer provider, and a context manager so store calls nest under their step). Attribute
// names follow the semantic conventions for databases (`db.system`, `db.operation.name`,
// `db.collection.name`).
import {
  type Context,
  context,
  INVALID_SPAN_CONTEXT,
  ProxyTracerProvider,
  type Span,
  SpanKind,
  type SpanOptions,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import type { StepStore } from '../pipeline.js';

/** The instrumentation scope of every MonsterOS span. */
const TRACER_NAME = '@monsteros/flows';

// One proxy tracer: it finds the SDK's tracer once the app registers a provider (before or after
// this module loads); asking the API for it on every store call would allocate a proxy each time.
const provider = trace.getTracerProvider();
const proxy = provider.getTracer(TRACER_NAME);
const tracer = () => proxy;
/** The API's own no-op provider: what a proxy provider delegates to until an SDK is registered. */
const NOOP_PROVIDER = new ProxyTracerProvider().getDelegate();
/** The span handed out while no SDK is registered: records nothing, shared (no allocation). */
const NOOP_SPAN = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

/**
 * False while no OpenTelemetry SDK is registered: every span would then be the API's
 * non-recording one, so none is started and no context is made (the hot path of every store
 * call). Checked on each call, so an SDK registered later is used from then on.
 */
export function tracing(): boolean {
  return !(provider instanceof ProxyTracerProvider) || provider.getDelegate() !== NOOP_PROVIDER;
}

/** `db.system` of a step's store (null for the responder and plain computation). */
const DB_SYSTEM: Record<StepStore, string | null> = {
  postgres: 'postgresql',
  redis: 'redis',
  qdrant: 'qdrant',
  duckdb: 'duckdb',
  responder: null,
  compute: null,
};

/** A store call as the recorders and spans see it. */
export interface StoreCall {
  /** `db.system`: postgresql, redis, qdrant, duckdb. */
  system: 'postgresql' | 'redis' | 'qdrant' | 'duckdb';
  /** `db.operation.name`: query, search, upsert, delete, or the command. */
  operation: string;
  /** `db.collection.name`: the collection, table or key family, when known. */
  target?: string;
}

/** Starts the span of one flow run (the root of its steps). */
export function startFlowSpan(flow: string): { span: Span; ctx: Context } {
  if (!tracing()) return { span: NOOP_SPAN, ctx: context.active() };
  const span = tracer().startSpan(`flow ${flow}`, {
    kind: SpanKind.INTERNAL,
    attributes: { 'monsteros.flow': flow },
  });
  return { span, ctx: trace.setSpan(context.active(), span) };
}

/** Starts the span of one step under its flow's span. */
export function startStepSpan(
  parent: Context,
  flow: string,
  step: string,
  store: StepStore,
): { span: Span; ctx: Context } {
  if (!tracing()) return { span: NOOP_SPAN, ctx: parent };
  const system = DB_SYSTEM[store];
  const span = tracer().startSpan(
    `${flow} ${step}`,
    {
      kind: SpanKind.INTERNAL,
      attributes: {
        'monsteros.flow': flow,
        'monsteros.step': step,
        'monsteros.store': store,
        ...(system ? { 'db.system': system } : {}),
      },
    },
    parent,
  );
  return { span, ctx: trace.setSpan(parent, span) };
}

/** Ends a span, marking it failed with the error (the error's message, never its stack). */
export function endSpan(span: Span, error?: unknown, degraded = false): void {
  if (error !== undefined) {
    span.setStatus({
      code: SpanStatusCode.ERROR,
      message: error instanceof Error ? error.message : String(error),
    });
    if (degraded) span.setAttribute('monsteros.outcome', 'degraded');
  }
  span.end();
}

const spanOptions = new WeakMap<StoreCall, { name: string; options: SpanOptions }>();

/** Starts the client span of one store call (ended by the caller with `endSpan`), under the active span. */
export function startStoreCallSpan(call: StoreCall): Span {
  if (!tracing()) return NOOP_SPAN;
  // Name and attributes built once per class object (the instrumentations reuse them): hot path.
  let built = spanOptions.get(call);
  if (!built) {
    built = {
      name: call.target ? `${call.operation} ${call.target}` : call.operation,
      options: {
        kind: SpanKind.CLIENT,
        attributes: {
          'db.system': call.system,
          'db.operation.name': call.operation,
          ...(call.target ? { 'db.collection.name': call.target } : {}),
        },
      },
    };
    spanOptions.set(call, built);
  }
  return tracer().startSpan(built.name, built.options);
}

/**
 * Runs one store call in a client span named `<operation> <target>` (the convention's span
 * name), under the active span.
 * @example
 * const hits = await storeCallSpan({ system: 'qdrant', operation: 'search', target: 'character_memories' }, () => vectors.search(…));
 */
export function storeCallSpan<T>(call: StoreCall, run: () => Promise<T>): Promise<T> {
  // Without an SDK the call runs as it is: no span, no context, no extra promise.
  return tracing() ? inStoreCallSpan(call, run) : run();
}

async function inStoreCallSpan<T>(call: StoreCall, run: () => Promise<T>): Promise<T> {
  const span = startStoreCallSpan(call);
  try {
    const out = await context.with(trace.setSpan(context.active(), span), run);
    span.end();
    return out;
  } catch (error) {
    endSpan(span, error);
    throw error;
  }
}
