// Empties the MonsterOS tables (development resets, the seed's --reset). The list is checked
// against the schema at compile time: a new table must be placed here (or kept, like the
// configuration) before this compiles.
import type { Database } from '@monsteros/schema';
import type pg from 'pg';
import { mapDatabaseError } from './errors.js';

/** Tables a reset leaves alone: the configuration (the environment mark lives there). */
type Kept = 'system_config';

/** Our data tables; children first, for readers of the list (TRUNCATE takes them together). */
export const DATA_TABLES = [
  'outbox',
  'memory_operations',
  'memory_synonym_edges',
  'memory_triples',
  'memory_entities',
  'memory_passages',
  'memory_graph_changes',
  'memory_graph_versions',
  'user_achievements',
  'achievements',
  'user_quest_progress',
  'character_interactions',
  'session_summaries',
  'quest_definitions',
  'user_profiles',
  'character_agents',
] as const satisfies readonly (keyof Database)[];

// Fails to compile when the schema gains a table that is neither listed nor kept.
type Unlisted = Exclude<keyof Database, (typeof DATA_TABLES)[number] | Kept>;
const everyTableListed: [Unlisted] extends [never] ? true : Unlisted = true;
void everyTableListed;

/**
 * Truncates every MonsterOS data table in one statement (identities restarted); keeps
 * `system_config` and the migration history. Returns the tables emptied.
 */
export async function resetTables(pool: pg.Pool): Promise<string[]> {
  try {
    await pool.query(`truncate ${DATA_TABLES.join(', ')} restart identity`);
    return [...DATA_TABLES];
  } catch (error) {
    throw mapDatabaseError(error, 'reset tables');
  }
}
