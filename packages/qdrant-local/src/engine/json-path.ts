import { formatError } from '../errors.js';

/** One step of a payload path: a key, optionally followed by `[]` (every element) or `[n]`. */
interface PathStep {
  key: string;
  index: 'all' | number | null;
}

export type Payload = Record<string, unknown>;

const cache = new Map<string, PathStep[]>();
/** Paths longer than this are parsed every time instead of being kept in the cache. */
const CACHED_PATH_CHARS = 1_024;
const SEPARATOR = /[.[]/g;

/**
 * Parses Qdrant's payload key syntax: `a.b`, `a[].b`, `a[0].b`, and `"quoted.key"` segments.
 * Throws a 400 naming the path when it cannot be parsed.
 */
export function parsePath(path: string): PathStep[] {
  const hit = cache.get(path);
  if (hit) return hit;
  const steps: PathStep[] = [];
  let i = 0;
  const fail = () =>
    formatError(`invalid payload key \`${path}\`: expected \`key\`, \`key.sub\`, \`key[]\` or \`key[N]\``);
  while (i < path.length) {
    let key = '';
    if (path[i] === '"') {
      const end = path.indexOf('"', i + 1);
      if (end < 0) throw fail();
      key = path.slice(i + 1, end);
      i = end + 1;
    } else {
      // One native scan to the next separator (a character-by-character loop took seconds on a 10 MB key).
      SEPARATOR.lastIndex = i;
      const end = SEPARATOR.exec(path)?.index ?? path.length;
      key = path.slice(i, end);
      i = end;
    }
    if (key === '') throw fail();
    steps.push({ key, index: null });
    while (path[i] === '[') {
      const end = path.indexOf(']', i);
      if (end < 0) throw fail();
      const inner = path.slice(i + 1, end);
      if (inner === '') steps.push({ key: '', index: 'all' });
      else if (/^\d+$/.test(inner)) steps.push({ key: '', index: Number(inner) });
      else throw fail();
      i = end + 1;
    }
    if (i < path.length) {
      if (path[i] !== '.') throw fail();
      i++;
      if (i === path.length) throw fail();
    }
  }
  if (steps.length === 0) throw fail();
  if (path.length > CACHED_PATH_CHARS) return steps;
  if (cache.size > 10_000) cache.clear();
  cache.set(path, steps);
  return steps;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The raw values a path reaches (before array flattening): `a[].b` fans out over the elements of
 * `a`, an intermediate key on a non-object reaches nothing.
 */
export function rawValuesAt(payload: Payload, path: string): unknown[] {
  let current: unknown[] = [payload];
  for (const step of parsePath(path)) {
    const next: unknown[] = [];
    for (const v of current) {
      if (step.index === null) {
        if (isObject(v) && Object.hasOwn(v, step.key)) next.push(v[step.key]);
      } else if (Array.isArray(v)) {
        if (step.index === 'all') next.push(...v);
        else if (step.index < v.length) next.push(v[step.index]);
      }
    }
    current = next;
    if (current.length === 0) break;
  }
  return current;
}

/** The values a condition is tested against: arrays at the end of the path count element-wise. */
export function valuesAt(payload: Payload, path: string): unknown[] {
  const raw = rawValuesAt(payload, path);
  if (raw.length === 1 && !Array.isArray(raw[0])) return raw;
  const out: unknown[] = [];
  for (const v of raw) {
    if (Array.isArray(v)) out.push(...v);
    else out.push(v);
  }
  return out;
}

/**
 * Whether `valuesAt(payload, path)` would be non-empty, without building the values: a reached
 * value counts unless it is an empty array. For counting the points that carry a field.
 */
export function hasValuesAt(payload: Payload, path: string): boolean {
  return reaches(payload, parsePath(path), 0);
}

function reaches(v: unknown, steps: PathStep[], i: number): boolean {
  if (i === steps.length) return !(Array.isArray(v) && v.length === 0);
  const step = steps[i]!;
  if (step.index === null)
    return isObject(v) && Object.hasOwn(v, step.key) && reaches(v[step.key], steps, i + 1);
  if (!Array.isArray(v)) return false;
  if (step.index !== 'all') return step.index < v.length && reaches(v[step.index], steps, i + 1);
  for (const e of v) if (reaches(e, steps, i + 1)) return true;
  return false;
}

/**
 * Deep-copies JSON data so stored payloads never alias caller objects. Plain objects, arrays and
 * primitives are copied by hand (several times faster than structuredClone on small payloads);
 * anything else (a Date, a typed array, a cycle deeper than any payload) by structuredClone.
 */
export const cloneJson = <T>(v: T): T => copyJson(v, 0) as T;

const MAX_HAND_DEPTH = 64;

function copyJson(v: unknown, depth: number): unknown {
  // structuredClone refuses functions and symbols (DataCloneError): so does this.
  if (typeof v === 'function' || typeof v === 'symbol') return structuredClone(v);
  if (typeof v !== 'object' || v === null) return v;
  if (depth > MAX_HAND_DEPTH) return structuredClone(v);
  if (Array.isArray(v)) {
    if (Object.getPrototypeOf(v) !== Array.prototype) return structuredClone(v);
    const out = new Array<unknown>(v.length);
    for (let i = 0; i < v.length; i++) if (i in v) out[i] = copyJson(v[i], depth + 1);
    return out;
  }
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return structuredClone(v);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(v)) {
    const value = copyJson((v as Record<string, unknown>)[key], depth + 1);
    // An own "__proto__" key (JSON.parse makes them) stays a key, as structuredClone keeps it.
    if (key === '__proto__')
      Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
    else out[key] = value;
  }
  return out;
}

/** Writes `value`'s keys into the object at `path` (created when missing), as set_payload with `key` does. */
export function mergeAt(payload: Payload, path: string, value: Payload): void {
  const targets = objectsAt(payload, parsePath(path), true);
  for (const t of targets) Object.assign(t, cloneJson(value));
}

function objectsAt(root: Payload, steps: PathStep[], create: boolean): Record<string, unknown>[] {
  let current: unknown[] = [root];
  for (const step of steps) {
    const next: unknown[] = [];
    for (const v of current) {
      if (step.index === null) {
        if (!isObject(v)) continue;
        if (!isObject(v[step.key]) && !Array.isArray(v[step.key])) {
          if (!create) continue;
          v[step.key] = {};
        }
        next.push(v[step.key]);
      } else if (Array.isArray(v)) {
        if (step.index === 'all') next.push(...v);
        else if (step.index < v.length) next.push(v[step.index]);
      }
    }
    current = next;
  }
  return current.filter(isObject);
}

/** Removes the value at `path` (every match for `[]` paths), as delete_payload does. */
export function deleteAt(payload: Payload, path: string): void {
  const steps = parsePath(path);
  const last = steps[steps.length - 1]!;
  const parents = steps.length === 1 ? [payload] : objectsOrArraysAt(payload, steps.slice(0, -1));
  for (const p of parents) {
    if (last.index === null) {
      if (isObject(p)) delete p[last.key];
    } else if (Array.isArray(p)) {
      if (last.index === 'all') p.length = 0;
      else if (last.index < p.length) p.splice(last.index, 1);
    }
  }
}

function objectsOrArraysAt(root: Payload, steps: PathStep[]): unknown[] {
  let current: unknown[] = [root];
  for (const step of steps) {
    const next: unknown[] = [];
    for (const v of current) {
      if (step.index === null) {
        if (isObject(v) && Object.hasOwn(v, step.key)) next.push(v[step.key]);
      } else if (Array.isArray(v)) {
        if (step.index === 'all') next.push(...v);
        else if (step.index < v.length) next.push(v[step.index]);
      }
    }
    current = next;
  }
  return current;
}

/** Copies only the given paths out of a payload, keeping their nesting (with_payload include lists). */
export function includePaths(payload: Payload, paths: string[]): Payload {
  const out: Payload = {};
  for (const path of paths) copyPath(payload, out, parsePath(path));
  return out;
}

function copyPath(src: unknown, dst: Record<string, unknown>, steps: PathStep[]): void {
  const [step, ...rest] = steps;
  if (!step || !isObject(src) || step.index !== null || !Object.hasOwn(src, step.key)) return;
  const value = src[step.key];
  const next = rest[0];
  if (!next) {
    dst[step.key] = cloneJson(value);
  } else if (next.index !== null) {
    // `a[].b` keeps the array shape and projects every element.
    if (!Array.isArray(value)) return;
    const elementSteps = rest.slice(1);
    const picked = (next.index === 'all' ? value : value.slice(next.index, next.index + 1)).map((el) => {
      if (elementSteps.length === 0) return cloneJson(el);
      const o: Record<string, unknown> = {};
      copyPath(el, o, elementSteps);
      return o;
    });
    dst[step.key] = picked;
  } else {
    const sub = isObject(dst[step.key]) ? (dst[step.key] as Record<string, unknown>) : {};
    copyPath(value, sub, rest);
    if (Object.keys(sub).length > 0) dst[step.key] = sub;
  }
}

/** A copy of the payload without the given paths (with_payload exclude lists). */
export function excludePaths(payload: Payload, paths: string[]): Payload {
  const out = cloneJson(payload);
  for (const path of paths) deleteAt(out, path);
  return out;
}
