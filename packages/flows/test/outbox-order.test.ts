// Order per user of the Redis effects when the relay applies an interaction's effects late (its
// flow could not): a later interaction of the same user, applied by its own flow meanwhile, stays
// the one the session records.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { questionPatternHash } from '../src/caching/response-cache.js';
import { createWorld, type World } from './fixtures/world.js';

let world: World;
beforeAll(async () => {
  world = await createWorld('flows_outbox_order', { relayWorker: false });
});
afterAll(() => world?.close());

describe('late Redis effects', () => {
  it('leave the session of a later interaction in place, and still cache the late response', async () => {
    const { data, users } = world;
    const userId = users[0]!;
    const first = await data.flows.characterInteraction({
      userId,
      character: 'sage',
      message: 'first question',
    });
    // As when Redis was down for the first interaction: its cache event still waits for the relay.
    await data.relational.pool.query(
      `update outbox set processed_at = null where event_type = 'interaction.cache' and payload ->> 'interactionId' = $1`,
      [first.interactionId],
    );
    await data.cache.policies.character_responses.invalidateTag('character:sage');
    const second = await data.flows.characterInteraction({
      userId,
      character: 'spark',
      message: 'second question',
    });
    expect(second.partial).toBe(false);

    await data.relational.pool.query('update outbox set available_at = now() where processed_at is null');
    expect(await data.relay.drain()).toMatchObject({ applied: 1, retried: 0, parked: 0 });
    expect(await data.cache.sessions.users.get(userId)).toMatchObject({
      activeCharacter: 'spark',
      sessionData: { last_interaction_id: second.interactionId },
    });
    // Cached under the question's pattern, where the next asking of it looks first.
    expect(
      await data.cache.policies.character_responses.get({
        character: 'sage',
        hash: questionPatternHash('first question'),
      }),
    ).toMatchObject({ response: first.response });
  });
});
