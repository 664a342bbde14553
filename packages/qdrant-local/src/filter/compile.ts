import { type PointId, parsePointId } from '../engine/ids.js';
import { type Payload, parsePath, rawValuesAt, valuesAt } from '../engine/json-path.js';
import { formatError, validationError } from '../errors.js';
import { compileGeoPolygon, compileSlice } from './extra-conditions.js';

/** What a filter sees of one point. */
export interface PointView {
  id: PointId;
  payload: Payload;
  hasVector(name: string): boolean;
}

/** A compiled filter: true when the point satisfies it. */
export type Predicate = (point: PointView) => boolean;

/** Which payload fields carry a full-text index: `match.text` is then token-based instead of substring. */
export interface FilterContext {
  textIndexed(key: string): boolean;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const tokenize = (s: string): string[] =>
  s
    .toLowerCase()
    .split(/[^\p{L}\p{N}_]+/u)
    .filter(Boolean);

const CANONICAL_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** RFC 3339 (and the looser forms Qdrant accepts: date only, space separator, no zone = UTC). */
export function parseDatetime(s: string): number | null {
  // The form every writer here produces (toISOString, offsets) needs none of the rewrites below.
  if (CANONICAL_DATETIME.test(s)) {
    const ms = Date.parse(s);
    return Number.isNaN(ms) ? null : ms;
  }
  let t = s.trim();
  if (/^\d{4}-\d{2}-\d{2}$/.test(t)) t += 'T00:00:00Z';
  t = t.replace(' ', 'T');
  if (/T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(t)) t += 'Z';
  if (!/^\d{4}-\d{2}-\d{2}T/.test(t)) return null;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? null : ms;
}

const list = (v: unknown): unknown[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]);

/**
 * Compiles a Qdrant filter (must / should / must_not / min_should and every condition kind)
 * into a predicate, validating its shape first so a malformed filter fails before any point
 * is read. `where` names the request field in error messages.
 */
export function compileFilter(filter: unknown, ctx: FilterContext, where = 'filter'): Predicate {
  if (filter === undefined || filter === null) return () => true;
  if (!isObject(filter)) throw formatError(`${where}: invalid type: expected a filter object`);
  for (const key of Object.keys(filter)) {
    if (!['must', 'should', 'must_not', 'min_should'].includes(key)) {
      throw formatError(
        `${where}: unknown field \`${key}\`, expected one of \`should\`, \`min_should\`, \`must\`, \`must_not\``,
      );
    }
  }
  const must = list(filter.must).map((c, i) => compileCondition(c, ctx, `${where}.must[${i}]`));
  const shouldRaw = filter.should;
  const should =
    shouldRaw === undefined || shouldRaw === null
      ? null
      : list(shouldRaw).map((c, i) => compileCondition(c, ctx, `${where}.should[${i}]`));
  const mustNot = list(filter.must_not).map((c, i) => compileCondition(c, ctx, `${where}.must_not[${i}]`));
  let minShould: { conditions: Predicate[]; min: number } | null = null;
  if (filter.min_should !== undefined && filter.min_should !== null) {
    const ms = filter.min_should;
    if (
      !isObject(ms) ||
      !Array.isArray(ms.conditions) ||
      typeof ms.min_count !== 'number' ||
      ms.min_count < 0
    ) {
      throw formatError(`${where}.min_should: expected {conditions: Condition[], min_count: uint}`);
    }
    minShould = {
      conditions: ms.conditions.map((c, i) =>
        compileCondition(c, ctx, `${where}.min_should.conditions[${i}]`),
      ),
      min: ms.min_count,
    };
  }
  return (p) => {
    for (const c of must) if (!c(p)) return false;
    for (const c of mustNot) if (c(p)) return false;
    if (should !== null && !should.some((c) => c(p))) return false;
    if (minShould !== null) {
      let n = 0;
      for (const c of minShould.conditions) if (c(p) && ++n >= minShould.min) break;
      if (n < minShould.min) return false;
    }
    return true;
  };
}

function requireKey(v: unknown, where: string): string {
  if (typeof v !== 'string' || v === '') throw formatError(`${where}: \`key\` must be a non-empty string`);
  // Parsed now so a bad path fails the request before any point is read, even on an empty collection.
  parsePath(v);
  return v;
}

/** Compiles one condition; exported because formula expressions embed conditions. */
export function compileCondition(c: unknown, ctx: FilterContext, where: string): Predicate {
  if (!isObject(c)) throw formatError(`${where}: data did not match any variant of untagged enum Condition`);
  if ('key' in c) return compileFieldCondition(c, ctx, where);
  if ('is_empty' in c) {
    const key = requireKey(isObject(c.is_empty) ? c.is_empty.key : undefined, `${where}.is_empty`);
    return (p) => isEmpty(p.payload, key);
  }
  if ('is_null' in c) {
    const key = requireKey(isObject(c.is_null) ? c.is_null.key : undefined, `${where}.is_null`);
    return (p) => isNull(p.payload, key);
  }
  if ('has_id' in c) {
    if (!Array.isArray(c.has_id)) throw formatError(`${where}.has_id: expected an array of point ids`);
    const ids = new Set<PointId>(c.has_id.map(parsePointId));
    return (p) => ids.has(p.id);
  }
  if ('slice' in c) return compileSlice(c.slice, where);
  if ('has_vector' in c) {
    if (typeof c.has_vector !== 'string') throw formatError(`${where}.has_vector: expected a vector name`);
    const name = c.has_vector;
    return (p) => p.hasVector(name);
  }
  if ('nested' in c) {
    const n = c.nested;
    if (!isObject(n) || typeof n.key !== 'string' || !isObject(n.filter)) {
      throw formatError(`${where}.nested: expected {key: string, filter: Filter}`);
    }
    parsePath(n.key);
    const inner = compileFilter(n.filter, ctx, `${where}.nested.filter`);
    const key = n.key.endsWith('[]') ? n.key : `${n.key}[]`;
    return (p) => {
      for (const el of rawValuesAt(p.payload, key)) {
        if (isObject(el) && inner({ id: p.id, payload: el, hasVector: (name) => p.hasVector(name) }))
          return true;
      }
      return false;
    };
  }
  if ('must' in c || 'should' in c || 'must_not' in c || 'min_should' in c)
    return compileFilter(c, ctx, where);
  throw formatError(`${where}: data did not match any variant of untagged enum Condition`);
}

function isEmpty(payload: Payload, key: string): boolean {
  const raw = rawValuesAt(payload, key);
  for (const v of raw) {
    if (v === null) continue;
    if (Array.isArray(v) && v.length === 0) continue;
    return false;
  }
  return true;
}

/** Only a null value itself is null: `[null]` is an array (as in Qdrant's condition checker). */
function isNull(payload: Payload, key: string): boolean {
  const raw = rawValuesAt(payload, key);
  return raw.length > 0 && raw.every((v) => v === null);
}

type Bounds = { lt?: number | bigint; gt?: number | bigint; lte?: number | bigint; gte?: number | bigint };

function inBounds(x: number | bigint, b: Bounds): boolean {
  return (
    (b.lt === undefined || x < b.lt) &&
    (b.gt === undefined || x > b.gt) &&
    (b.lte === undefined || x <= b.lte) &&
    (b.gte === undefined || x >= b.gte)
  );
}

function compileFieldCondition(c: Record<string, unknown>, ctx: FilterContext, where: string): Predicate {
  const key = requireKey(c.key, where);
  const kinds = [
    'match',
    'range',
    'values_count',
    'is_empty',
    'is_null',
    'geo_bounding_box',
    'geo_radius',
    'geo_polygon',
  ].filter((k) => c[k] !== undefined && c[k] !== null);
  for (const k of Object.keys(c)) {
    if (k !== 'key' && !kinds.includes(k) && c[k] !== null)
      throw formatError(`${where}: unknown field \`${k}\``);
  }
  if (kinds.length === 0) throw validationError(`${where}: At least one field condition must be specified`);
  const preds = kinds.map((k) => compileFieldKind(k, c[k], key, ctx, `${where}.${k}`));
  return preds.length === 1 ? preds[0]! : (p) => preds.every((f) => f(p));
}

function compileFieldKind(
  kind: string,
  spec: unknown,
  key: string,
  ctx: FilterContext,
  where: string,
): Predicate {
  switch (kind) {
    case 'match':
      return compileMatch(spec, key, ctx, where);
    case 'range':
      return compileRange(spec, key, where);
    case 'values_count': {
      const b = numericBounds(spec, where, true);
      return (p) => inBounds(valuesAt(p.payload, key).length, b);
    }
    case 'is_empty': {
      const want = spec === true;
      return (p) => isEmpty(p.payload, key) === want;
    }
    case 'is_null': {
      const want = spec === true;
      return (p) => isNull(p.payload, key) === want;
    }
    case 'geo_radius':
      return compileGeoRadius(spec, key, where);
    case 'geo_bounding_box':
      return compileGeoBox(spec, key, where);
    case 'geo_polygon':
      return compileGeoPolygon(spec, key, where);
    default:
      throw formatError(`${where}: \`${kind}\` conditions are not supported by the local mode`);
  }
}

function numericBounds(spec: unknown, where: string, unsigned = false): Bounds {
  if (!isObject(spec)) throw formatError(`${where}: expected an object with lt/gt/lte/gte`);
  const b: Bounds = {};
  for (const k of ['lt', 'gt', 'lte', 'gte'] as const) {
    const v = spec[k];
    if (v === undefined || v === null) continue;
    if (typeof v === 'bigint' && (!unsigned || v >= 0n)) {
      b[k] = v;
      continue;
    }
    if (typeof v !== 'number' || !Number.isFinite(v) || (unsigned && (v < 0 || !Number.isInteger(v)))) {
      throw formatError(
        `${where}.${k}: invalid value ${JSON.stringify(v)}, expected ${unsigned ? 'an unsigned integer' : 'a number'}`,
      );
    }
    b[k] = v;
  }
  return b;
}

function compileRange(spec: unknown, key: string, where: string): Predicate {
  if (!isObject(spec)) throw formatError(`${where}: expected an object with lt/gt/lte/gte`);
  const isDatetime = ['lt', 'gt', 'lte', 'gte'].some((k) => typeof spec[k] === 'string');
  if (!isDatetime) {
    const b = numericBounds(spec, where);
    return (p) =>
      valuesAt(p.payload, key).some(
        (v) => (typeof v === 'number' || typeof v === 'bigint') && inBounds(v, b),
      );
  }
  const b: Bounds = {};
  for (const k of ['lt', 'gt', 'lte', 'gte'] as const) {
    const v = spec[k];
    if (v === undefined || v === null) continue;
    const ms = typeof v === 'string' ? parseDatetime(v) : null;
    if (ms === null)
      throw formatError(`${where}.${k}: invalid datetime ${JSON.stringify(v)}, expected RFC 3339`);
    b[k] = ms;
  }
  return (p) =>
    valuesAt(p.payload, key).some((v) => {
      if (typeof v !== 'string') return false;
      const ms = parseDatetime(v);
      return ms !== null && inBounds(ms, b);
    });
}

const isScalar = (v: unknown): v is string | number | bigint | boolean =>
  typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean';
/** Integers of a request or payload: `bigint` beyond 2^53 (lossless JSON), compared exactly with numbers. */
const isInteger = (v: unknown): v is number | bigint =>
  typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v));

function compileMatch(spec: unknown, key: string, ctx: FilterContext, where: string): Predicate {
  if (!isObject(spec)) throw formatError(`${where}: data did not match any variant of untagged enum Match`);
  if ('value' in spec) {
    const want = spec.value;
    if (!isScalar(want)) throw formatError(`${where}.value: expected a string, number or bool`);
    return (p) => valuesAt(p.payload, key).some((v) => v === want);
  }
  if ('any' in spec || 'except' in spec) {
    const field = 'any' in spec ? 'any' : 'except';
    const arr = spec[field];
    if (!Array.isArray(arr) || !(arr.every((v) => typeof v === 'string') || arr.every(isInteger))) {
      throw formatError(`${where}.${field}: expected an array of strings or an array of integers`);
    }
    const set = new Set<unknown>(arr);
    if (field === 'any') return (p) => valuesAt(p.payload, key).some((v) => set.has(v));
    return (p) => valuesAt(p.payload, key).some((v) => isScalar(v) && !set.has(v));
  }
  for (const field of ['text', 'text_any', 'phrase', 'prefix'] as const) {
    if (!(field in spec)) continue;
    const q = spec[field];
    if (typeof q !== 'string') throw formatError(`${where}.${field}: expected a string`);
    if (field === 'prefix')
      return (p) => valuesAt(p.payload, key).some((v) => typeof v === 'string' && v.startsWith(q));
    const indexed = ctx.textIndexed(key);
    const qTokens = tokenize(q);
    const test = (s: string): boolean => {
      if (!indexed) return s.includes(q);
      const tokens = tokenize(s);
      if (field === 'text') {
        const have = new Set(tokens);
        return qTokens.every((t) => have.has(t));
      }
      if (field === 'text_any') {
        const have = new Set(tokens);
        return qTokens.some((t) => have.has(t));
      }
      outer: for (let i = 0; i + qTokens.length <= tokens.length; i++) {
        for (let j = 0; j < qTokens.length; j++) if (tokens[i + j] !== qTokens[j]) continue outer;
        return true;
      }
      return false;
    };
    return (p) => valuesAt(p.payload, key).some((v) => typeof v === 'string' && test(v));
  }
  throw formatError(`${where}: data did not match any variant of untagged enum Match`);
}

interface Geo {
  lat: number;
  lon: number;
}
const asGeo = (v: unknown): Geo | null =>
  isObject(v) && typeof v.lat === 'number' && typeof v.lon === 'number' ? { lat: v.lat, lon: v.lon } : null;

/** Haversine distance in meters on Qdrant's earth radius. */
export function geoDistance(a: Geo, b: Geo): number {
  const R = 6_371_008.8;
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * R * Math.asin(Math.min(1, Math.sqrt(h)));
}

function compileGeoRadius(spec: unknown, key: string, where: string): Predicate {
  const center = isObject(spec) ? asGeo(spec.center) : null;
  if (!isObject(spec) || !center || typeof spec.radius !== 'number') {
    throw formatError(`${where}: expected {center: {lat, lon}, radius}`);
  }
  const radius = spec.radius;
  return (p) =>
    valuesAt(p.payload, key).some((v) => {
      const g = asGeo(v);
      return g !== null && geoDistance(center, g) <= radius;
    });
}

function compileGeoBox(spec: unknown, key: string, where: string): Predicate {
  const tl = isObject(spec) ? asGeo(spec.top_left) : null;
  const br = isObject(spec) ? asGeo(spec.bottom_right) : null;
  if (!tl || !br) throw formatError(`${where}: expected {top_left: {lat, lon}, bottom_right: {lat, lon}}`);
  return (p) =>
    valuesAt(p.payload, key).some((v) => {
      const g = asGeo(v);
      return g !== null && g.lat <= tl.lat && g.lat >= br.lat && g.lon >= tl.lon && g.lon <= br.lon;
    });
}
