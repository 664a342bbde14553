import type { z } from 'zod';
import type { Op } from '../engine/ops.js';
import type { EngineState } from '../engine/state.js';
import { collectionNotFound, LocalQdrantError } from '../errors.js';
import type { aliasesSchema } from './schemas.js';

type AliasAction = z.output<typeof aliasesSchema>['actions'][number];

/**
 * POST /collections/aliases, request → op: the actions checked in order against the aliases as
 * the earlier actions leave them, so the whole list applies or none of it does.
 */
export function aliasOp(state: EngineState, actions: AliasAction[]): Op {
  const next = new Map(state.aliases);
  const out: Array<{ set: [string, string] } | { del: string }> = [];
  for (const a of actions) {
    if ('create_alias' in a) {
      const { alias_name, collection_name } = a.create_alias;
      if (!state.collections.has(collection_name)) throw collectionNotFound(collection_name);
      if (state.collections.has(alias_name))
        throw wrongInputConflict(
          `Can't create alias with name ${alias_name}. Collection with the same name already exists`,
        );
      next.set(alias_name, collection_name);
      out.push({ set: [alias_name, collection_name] });
    } else if ('delete_alias' in a) {
      if (!next.has(a.delete_alias.alias_name))
        throw new LocalQdrantError(404, `Not found: Alias \`${a.delete_alias.alias_name}\` doesn't exist!`);
      next.delete(a.delete_alias.alias_name);
      out.push({ del: a.delete_alias.alias_name });
    } else {
      const { old_alias_name, new_alias_name } = a.rename_alias;
      const target = next.get(old_alias_name);
      if (target === undefined)
        throw new LocalQdrantError(404, `Not found: Alias \`${old_alias_name}\` doesn't exist!`);
      next.delete(old_alias_name);
      next.set(new_alias_name, target);
      out.push({ del: old_alias_name }, { set: [new_alias_name, target] });
    }
  }
  return { t: 'alias', actions: out };
}

/** Qdrant's 409 for a name already taken (a collection, or an alias named like one). */
export function wrongInputConflict(detail: string): LocalQdrantError {
  return new LocalQdrantError(409, `Wrong input: ${detail}`);
}
