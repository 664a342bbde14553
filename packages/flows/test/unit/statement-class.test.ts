// The class each PostgreSQL statement is recorded under (`store_call` operation and target):
// pure, no services.
import { describe, expect, it } from 'vitest';
import { statementClass } from '../../src/metrics/instrument-postgres.js';

describe('statement classes', () => {
  it('names the operation and the main table of what Kysely, Prisma and raw SQL send', () => {
    expect(statementClass('select "id" from "public"."character_agents" where "name" = $1')).toEqual({
      system: 'postgresql',
      operation: 'select',
      target: 'character_agents',
    });
    expect(statementClass('INSERT INTO "user_profiles" ("username") VALUES ($1)')).toMatchObject({
      operation: 'insert',
      target: 'user_profiles',
    });
    expect(statementClass('update quest_progress set status = $1')).toMatchObject({
      operation: 'update',
      target: 'quest_progress',
    });
    expect(
      statementClass('with moved as (select id from outbox_events) delete from outbox_events where id = 1'),
    ).toMatchObject({ operation: 'delete', target: 'outbox_events' });
    expect(statementClass('BEGIN')).toEqual({ system: 'postgresql', operation: 'begin' });
  });
});
