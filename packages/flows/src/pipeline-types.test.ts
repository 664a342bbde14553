// Type tests of pipeline contexts: each step's input is the previous step's output, and a
// concurrent group merges what each part returns. Checked by `pnpm typecheck` (tsc over the
// tests); at run time `expectTypeOf` does nothing.
import { describe, expectTypeOf, it } from 'vitest';
import { type Pipeline, part, pipeline } from './pipeline.js';

describe('pipeline context types', () => {
  it('passes each step its predecessor output', () => {
    const flow = pipeline<{ userId: string }>('greet')
      .step('load user', 'postgres', (input) => {
        expectTypeOf(input).toEqualTypeOf<{ userId: string }>();
        return { ...input, name: 'Ada' };
      })
      .step('greet', 'compute', (ctx) => {
        expectTypeOf(ctx).toEqualTypeOf<{ userId: string; name: string }>();
        return `hello ${ctx.name}`;
      });
    expectTypeOf(flow).toEqualTypeOf<Pipeline<{ userId: string }, string>>();
    expectTypeOf(flow.run).parameter(0).toEqualTypeOf<{ userId: string }>();
    expectTypeOf<Awaited<ReturnType<typeof flow.run>>['output']>().toEqualTypeOf<string>();
  });

  it('merges what concurrent parts return into the context', () => {
    const flow = pipeline<{ userId: string }>('context').concurrently(
      part('session', 'redis', async () => ({ session: null as string | null })),
      part('memories', 'qdrant', async () => ({ memories: [1, 2] })),
      part('hit', 'redis', async () => ({ hit: undefined as number | undefined })),
    );
    type Out = Awaited<ReturnType<typeof flow.run>>['output'];
    expectTypeOf<Out>().toEqualTypeOf<
      { userId: string } & { session: string | null } & { memories: number[] } & {
        hit: number | undefined;
      }
    >();
  });

  it('types a fallback as the step it stands in for', () => {
    pipeline<{ n: number }>('fallback').step('double', 'compute', (x) => ({ n: x.n * 2 }), {
      fallback: (input) => {
        expectTypeOf(input).toEqualTypeOf<{ n: number }>();
        return { n: 0 };
      },
    });
    // @ts-expect-error a fallback must return the step's own output type
    pipeline<{ n: number }>('bad').step('double', 'compute', (x) => ({ n: x.n * 2 }), {
      fallback: () => 'zero',
    });
  });
});
