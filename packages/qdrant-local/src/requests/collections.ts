import type { Schemas } from '@qdrant/js-client-rest';
import { createIndexSchema } from '../engine/collection-config.js';
import { parsePath } from '../engine/json-path.js';
import type { Op } from '../engine/ops.js';
import type { EngineState } from '../engine/state.js';
import { parseBody } from '../engine/validate.js';
import { badRequest, wrongInput } from '../errors.js';
import { wrongInputConflict } from './aliases.js';

type IndexOp = Extract<Op, { t: 'index' }>;

/** PUT /collections/{name}: 409 when a collection of that name exists, 400 when an alias has it. */
export function createOp(state: EngineState, name: string, body: Extract<Op, { t: 'create' }>['body']): Op {
  if (state.collections.has(name)) throw wrongInputConflict(`Collection \`${name}\` already exists!`);
  if (state.aliases.has(name))
    throw wrongInput(`Can't create collection with name ${name}. Alias with the same name already exists`);
  return { t: 'create', name, body };
}

/** PUT /collections/{name}/index: the field's path and its index spec, checked before the collection is looked up. */
export function parseIndexRequest(body: Schemas['CreateFieldIndex']): Pick<IndexOp, 'field' | 'spec'> {
  const b = parseBody(createIndexSchema, body, 'field_schema');
  parsePath(b.field_name);
  if (b.field_schema === undefined || b.field_schema === null) {
    throw badRequest(`Payload field schema must be specified for field \`${b.field_name}\``);
  }
  const schema = b.field_schema;
  const spec =
    typeof schema === 'string'
      ? { data_type: schema }
      : { data_type: schema.type, params: structuredClone(schema) as Record<string, unknown> };
  return { field: b.field_name, spec };
}
