import {
  CapabilitiesSchema,
  type CharacterAgent,
  CharacterStatusSchema,
  CurrentStateSchema,
  type PerformanceMetrics,
  PersonalityConfigSchema,
  type PrismaClient,
} from '@monsteros/schema';
import { z } from 'zod';
import type { Db } from '../db.js';
import { mapDatabaseError, NotFoundError } from '../errors.js';
import { run, STATEMENTS } from '../statements.js';
import { CharacterName, check, MetricsPatch, NonEmptyText, Uuid } from '../validation.js';

const NewCharacterSchema = z.object({
  name: CharacterName,
  display_name: NonEmptyText(100),
  role: NonEmptyText(50),
  backend_system: NonEmptyText(50),
  personality_config: PersonalityConfigSchema.optional(),
  capabilities: CapabilitiesSchema.optional(),
  current_state: CurrentStateSchema.optional(),
});
export type NewCharacter = z.input<typeof NewCharacterSchema>;

/** Character agents: Prisma for CRUD, prepared statements for the hot lookups. */
export function charactersRepository(db: Db, prisma: PrismaClient) {
  return {
    /**
     * Creates a character agent. Throws a ConflictError naming `character_agents_name_key`
     * when the name is taken.
     * @example
     * await relational.characters.create({ name: 'sage', display_name: 'Sage', role: 'mentor', backend_system: 'claude' });
     */
    async create(input: NewCharacter): Promise<CharacterAgent> {
      const data = check(NewCharacterSchema, input, 'character');
      try {
        return await prisma.characterAgent.create({ data });
      } catch (error) {
        throw mapDatabaseError(error, `create character ${data.name}`);
      }
    },

    /**
     * The active character with this name, or null (unknown or not active). The hot path of
     * every interaction: a named prepared statement on the partial index of active names.
     * @example
     * const sage = await relational.characters.getByName('sage');
     */
    async getByName(name: string): Promise<CharacterAgent | null> {
      const valid = check(CharacterName, name, 'name');
      try {
        const [row] = await run(db.runner, STATEMENTS.getCharacterByName, [valid]);
        return (row as CharacterAgent | undefined) ?? null;
      } catch (error) {
        throw mapDatabaseError(error, `get character ${valid}`);
      }
    },

    /** A character by id whatever its status, or null. */
    async getById(id: string): Promise<CharacterAgent | null> {
      const valid = check(Uuid, id, 'id');
      try {
        return await prisma.characterAgent.findUnique({ where: { id: valid } });
      } catch (error) {
        throw mapDatabaseError(error, `get character ${valid}`);
      }
    },

    /**
     * Characters, optionally of one role, ordered by name.
     * @example
     * const mentors = await relational.characters.list({ role: 'mentor' });
     */
    async list(filter: { role?: string } = {}): Promise<CharacterAgent[]> {
      const role = filter.role === undefined ? undefined : check(NonEmptyText(50), filter.role, 'role');
      try {
        return await prisma.characterAgent.findMany({
          where: role ? { role } : {},
          orderBy: { name: 'asc' },
        });
      } catch (error) {
        throw mapDatabaseError(error, 'list characters');
      }
    },

    /**
     * Sets the character's status (active, inactive, busy, maintenance), keeping the rest of
     * its current_state. Throws NotFoundError for an unknown name.
     */
    async setStatus(name: string, status: z.input<typeof CharacterStatusSchema>): Promise<CharacterAgent> {
      const validName = check(CharacterName, name, 'name');
      const validStatus = check(CharacterStatusSchema, status, 'status');
      try {
        const rows = await db.kysely
          .updateTable('character_agents')
          .set((eb) => ({
            current_state: eb.fn('jsonb_set', [
              'current_state',
              eb.val('{status}'),
              eb.val(JSON.stringify(validStatus)),
            ]),
          }))
          .where('name', '=', validName)
          .returningAll()
          .execute();
        if (rows.length === 0) throw new NotFoundError('character', validName);
        return rows[0] as CharacterAgent;
      } catch (error) {
        throw mapDatabaseError(error, `set status of character ${validName}`);
      }
    },

    /**
     * Merges `patch` into the character's performance_metrics (`||`), returning the merged
     * metrics; null for an unknown name. A patch that is not an object of finite numbers is
     * a RelationalValidationError and nothing is sent.
     * @example
     * await relational.characters.updateMetrics('sage', { avg_response_ms: 412 });
     */
    async updateMetrics(
      name: string,
      patch: PerformanceMetrics,
    ): Promise<{ id: string; name: string; performance_metrics: PerformanceMetrics } | null> {
      const validName = check(CharacterName, name, 'name');
      const validPatch = check(MetricsPatch, patch, 'patch');
      try {
        const [row] = await run(db.runner, STATEMENTS.updateCharacterMetrics, [
          validName,
          JSON.stringify(validPatch),
        ]);
        return row
          ? { id: row.id, name: row.name, performance_metrics: row.performance_metrics as PerformanceMetrics }
          : null;
      } catch (error) {
        throw mapDatabaseError(error, `update metrics of character ${validName}`);
      }
    },
  };
}
export type CharactersRepository = ReturnType<typeof charactersRepository>;
