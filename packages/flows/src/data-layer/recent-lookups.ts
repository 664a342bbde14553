// Characters and users read recently, so a flow does not read the same row on every call.
import type { Relational } from '@monsteros/relational';
import type { CharacterAgent } from '@monsteros/schema';

const LOOKUP_TTL_MS = 10_000;

/**
 * `characterByName` and `userExists` answered from rows read in the last 10 s (bounded maps,
 * oldest dropped first); `clear()` forgets them (after a reset).
 */
export function recentLookups(relational: Relational) {
  const characters = new Map<string, { row: CharacterAgent | null; at: number }>();
  const characterByName = async (name: string) => {
    const hit = characters.get(name);
    if (hit && Date.now() - hit.at < LOOKUP_TTL_MS) return hit.row;
    const row = await relational.characters.getByName(name);
    characters.set(name, { row, at: Date.now() });
    if (characters.size > 10_000) characters.delete(characters.keys().next().value!);
    return row;
  };

  // Users seen recently, so an unknown user fails before any store is read or filled (a deleted
  // one still fails at the interaction's foreign key).
  const users = new Map<string, number>();
  const userExists = async (userId: string) => {
    const seen = users.get(userId);
    if (seen !== undefined && Date.now() - seen < LOOKUP_TTL_MS) return true;
    const found = (await relational.users.getById(userId)) !== null;
    if (found) users.set(userId, Date.now());
    if (users.size > 100_000) users.delete(users.keys().next().value!);
    return found;
  };

  return {
    characterByName,
    userExists,
    clear(): void {
      characters.clear();
      users.clear();
    },
  };
}
