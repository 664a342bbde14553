import { Collection } from './collection.js';
import type { Op } from './ops.js';
import type { EngineState } from './state.js';

/**
 * Applies one op, already validated and logged, to the state: the only place the state changes.
 * Returns the op's operation id (the collection's version after it; 0 for collection and alias
 * ops, and for an op on a collection that no longer exists, which replay may meet).
 */
export function applyOp(state: EngineState, op: Op): number {
  switch (op.t) {
    case 'create':
      state.collections.set(op.name, new Collection(op.name, op.body));
      return 0;
    case 'drop':
      state.collections.delete(op.name);
      for (const [alias, target] of state.aliases) if (target === op.name) state.aliases.delete(alias);
      return 0;
    case 'alias':
      for (const a of op.actions) {
        if ('set' in a) state.aliases.set(a.set[0], a.set[1]);
        else state.aliases.delete(a.del);
      }
      return 0;
    default:
      break;
  }
  const col = state.collections.get(op.c);
  if (!col) return 0;
  const version = ++col.lastOp;
  switch (op.t) {
    case 'reconfig':
      col.reconfigure(op.body);
      break;
    case 'index':
      col.createIndex(op.field, op.spec);
      break;
    case 'unindex':
      col.dropIndex(op.field);
      break;
    case 'upsert':
      col.upsert(op.points, version);
      break;
    case 'delete':
      col.delete(op.ids);
      break;
    case 'set':
      col.setPayload(op.ids, op.payload, op.key, version);
      break;
    case 'overwrite':
      col.overwritePayload(op.ids, op.payload, version);
      break;
    case 'delpay':
      col.deletePayload(op.ids, op.keys, version);
      break;
    case 'clear':
      col.clearPayload(op.ids, version);
      break;
    case 'updvec':
      col.updateVectors(op.points, version);
      break;
    case 'delvec':
      col.deleteVectors(op.ids, op.names, version);
      break;
  }
  return version;
}
