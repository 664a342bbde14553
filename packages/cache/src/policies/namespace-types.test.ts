// Type tests of the typed namespaces: `cache.policies.<ns>` takes that namespace's key parts and
// gives its schema type, and nothing else type-checks. Checked by `pnpm typecheck` (tsc over the
// tests); at run time `expectTypeOf` does nothing, so this file needs no Redis.
import type { LearningPreferences, QuestDefinition } from '@monsteros/schema';
import { describe, expectTypeOf, it } from 'vitest';
import type { Cache } from '../cache-types.js';
import type { CachedCharacterResponse, CachedMemorySearch, NamespaceName } from './namespaces.js';

type Policies = Cache['policies'];

describe('cache.policies.<namespace> types', () => {
  it('lists exactly the four namespaces of the design', () => {
    expectTypeOf<keyof Policies>().toEqualTypeOf<
      'character_responses' | 'memory_search_results' | 'quest_data' | 'user_preferences'
    >();
    expectTypeOf<NamespaceName>().toEqualTypeOf<keyof Policies>();
  });

  it('gives each namespace its schema value type', () => {
    expectTypeOf<Awaited<ReturnType<Policies['quest_data']['get']>>>().toEqualTypeOf<
      QuestDefinition | undefined
    >();
    expectTypeOf<Awaited<ReturnType<Policies['character_responses']['get']>>>().toEqualTypeOf<
      CachedCharacterResponse | undefined
    >();
    expectTypeOf<Awaited<ReturnType<Policies['memory_search_results']['get']>>>().toEqualTypeOf<
      CachedMemorySearch | undefined
    >();
    expectTypeOf<Awaited<ReturnType<Policies['user_preferences']['get']>>>().toEqualTypeOf<
      LearningPreferences | undefined
    >();
    expectTypeOf<Policies['quest_data']['getOrSet']>()
      .parameter(1)
      .toEqualTypeOf<() => Promise<QuestDefinition>>();
  });

  it("takes each namespace's key parts and refuses another's", () => {
    expectTypeOf<Policies['quest_data']['get']>().parameter(0).toEqualTypeOf<{ questId: string }>();
    expectTypeOf<Policies['character_responses']['delete']>()
      .parameter(0)
      .toEqualTypeOf<{ character: string; hash: string }>();
    expectTypeOf<Policies['user_preferences']['set']>().parameter(0).toEqualTypeOf<{ userId: string }>();
    expectTypeOf<{ userId: string }>().not.toMatchTypeOf<Parameters<Policies['quest_data']['get']>[0]>();
    expectTypeOf<{ questId: string }>().not.toMatchTypeOf<
      Parameters<Policies['character_responses']['get']>[0]
    >();
    // A value of another namespace is not accepted.
    expectTypeOf<CachedMemorySearch>().not.toMatchTypeOf<Parameters<Policies['quest_data']['set']>[1]>();
  });

  it('policy(name) is the same typed policy as policies[name]', () => {
    expectTypeOf<ReturnType<Cache['policy']>>().toEqualTypeOf<Policies[NamespaceName]>();
  });
});
