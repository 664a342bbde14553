// Spans without an OpenTelemetry SDK: none is started and no context is made (the hot path of
// every store call); once an SDK is registered, the same calls record spans.
import { context, trace } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, describe, expect, it } from 'vitest';
import {
  endSpan,
  startFlowSpan,
  startStoreCallSpan,
  storeCallSpan,
  tracing,
} from '../../src/metrics/tracing.js';

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const search = { system: 'qdrant', operation: 'search', target: 'character_memories' } as const;

afterAll(async () => {
  trace.disable();
  await provider.shutdown();
});

describe('spans with and without an OpenTelemetry SDK', () => {
  it('makes no span and no context until an SDK is registered, then records them', async () => {
    expect(tracing()).toBe(false);
    const flow = startFlowSpan('characterInteraction');
    expect(flow.span.isRecording()).toBe(false);
    expect(flow.ctx).toBe(context.active());
    // The same non-recording span every time: nothing allocated per store call.
    expect(startStoreCallSpan(search)).toBe(startStoreCallSpan(search));
    const run = () => Promise.resolve(42);
    const result = storeCallSpan(search, run);
    await expect(result).resolves.toBe(42);

    trace.setGlobalTracerProvider(provider);
    expect(tracing()).toBe(true);
    const span = startStoreCallSpan(search);
    expect(span.isRecording()).toBe(true);
    endSpan(span);
    await storeCallSpan(search, run);
    expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual([
      'search character_memories',
      'search character_memories',
    ]);
  });
});
