import { badRequest, formatError } from '../errors.js';
import {
  compileCondition,
  type FilterContext,
  geoDistance,
  type PointView,
  parseDatetime,
} from '../filter/compile.js';
import { valuesAt } from './json-path.js';

/** What a formula sees of one candidate: the point and its score in each prefetch (if it was there). */
interface FormulaInput {
  point: PointView;
  prefetchScore(index: number): number | undefined;
}

export type CompiledFormula = (input: FormulaInput) => number;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const EXPRESSION_KEYS = new Set([
  'mult',
  'sum',
  'neg',
  'abs',
  'div',
  'sqrt',
  'pow',
  'exp',
  'log10',
  'ln',
  'lin_decay',
  'exp_decay',
  'gauss_decay',
  'geo_distance',
  'datetime',
  'datetime_key',
]);

const finite = (v: number, what: string): number => {
  if (!Number.isFinite(v)) throw badRequest(`The expression ${what} produced a non-finite number`);
  return v;
};

/**
 * Compiles Qdrant's score formula (`$score`, `$score[i]`, payload variables, conditions, arithmetic,
 * datetimes in seconds, and the lin/exp/gauss decays) into a function evaluated per candidate.
 * `defaults` supplies values for variables a point's payload lacks.
 */
export function compileFormula(
  expr: unknown,
  defaults: Record<string, unknown>,
  ctx: FilterContext,
): CompiledFormula {
  const c = (e: unknown, where: string): CompiledFormula => {
    if (typeof e === 'number') return () => e;
    if (typeof e === 'string') return compileVariable(e, defaults);
    if (!isObject(e))
      throw formatError(`${where}: data did not match any variant of untagged enum Expression`);
    const key = Object.keys(e).find((k) => EXPRESSION_KEYS.has(k));
    if (key === undefined) {
      const pred = compileCondition(e, ctx, where);
      return ({ point }) => (pred(point) ? 1 : 0);
    }
    const arg = e[key];
    switch (key) {
      case 'mult':
      case 'sum': {
        if (!Array.isArray(arg)) throw formatError(`${where}.${key}: expected an array of expressions`);
        const parts = arg.map((x, i) => c(x, `${where}.${key}[${i}]`));
        if (key === 'sum') return (inp) => parts.reduce((s, f) => s + f(inp), 0);
        return (inp) => {
          let prod = 1;
          for (const f of parts) {
            const v = f(inp);
            if (v === 0) return 0;
            prod *= v;
          }
          return prod;
        };
      }
      case 'neg': {
        const f = c(arg, `${where}.neg`);
        return (inp) => -f(inp);
      }
      case 'abs': {
        const f = c(arg, `${where}.abs`);
        return (inp) => Math.abs(f(inp));
      }
      case 'sqrt': {
        const f = c(arg, `${where}.sqrt`);
        return (inp) => finite(Math.sqrt(f(inp)), 'sqrt');
      }
      case 'exp': {
        const f = c(arg, `${where}.exp`);
        return (inp) => finite(Math.exp(f(inp)), 'exp');
      }
      case 'ln': {
        const f = c(arg, `${where}.ln`);
        return (inp) => finite(Math.log(f(inp)), 'ln');
      }
      case 'log10': {
        const f = c(arg, `${where}.log10`);
        return (inp) => finite(Math.log10(f(inp)), 'log10');
      }
      case 'pow': {
        if (!isObject(arg)) throw formatError(`${where}.pow: expected {base, exponent}`);
        const b = c(arg.base, `${where}.pow.base`);
        const x = c(arg.exponent, `${where}.pow.exponent`);
        return (inp) => finite(b(inp) ** x(inp), 'pow');
      }
      case 'div': {
        if (!isObject(arg)) throw formatError(`${where}.div: expected {left, right, by_zero_default?}`);
        const l = c(arg.left, `${where}.div.left`);
        const r = c(arg.right, `${where}.div.right`);
        const byZero = typeof arg.by_zero_default === 'number' ? arg.by_zero_default : null;
        return (inp) => {
          const left = l(inp);
          if (left === 0) return 0;
          const right = r(inp);
          if (right === 0) {
            if (byZero !== null) return byZero;
            throw badRequest(`The expression ${left}/${right} produced a non-finite number`);
          }
          return finite(left / right, `${left}/${right}`);
        };
      }
      case 'datetime': {
        if (typeof arg !== 'string') throw formatError(`${where}.datetime: expected an RFC 3339 string`);
        const ms = parseDatetime(arg);
        if (ms === null) throw formatError(`${where}.datetime: invalid datetime ${JSON.stringify(arg)}`);
        return () => ms / 1000;
      }
      case 'datetime_key': {
        if (typeof arg !== 'string') throw formatError(`${where}.datetime_key: expected a payload key`);
        return ({ point }) => {
          const v = lookup(point, arg, defaults);
          const ms = typeof v === 'string' ? parseDatetime(v) : null;
          if (ms === null)
            throw badRequest(
              `Expected a datetime value for \`${arg}\` in the payload or the formula defaults`,
            );
          return ms / 1000;
        };
      }
      case 'geo_distance': {
        if (!isObject(arg) || !isObject(arg.origin) || typeof arg.to !== 'string') {
          throw formatError(`${where}.geo_distance: expected {origin: {lat, lon}, to: string}`);
        }
        const origin = { lat: Number(arg.origin.lat), lon: Number(arg.origin.lon) };
        const to = arg.to;
        return ({ point }) => {
          const v = lookup(point, to, defaults);
          if (!isObject(v) || typeof v.lat !== 'number' || typeof v.lon !== 'number') {
            throw badRequest(`Expected a geo point for \`${to}\` in the payload or the formula defaults`);
          }
          return geoDistance(origin, { lat: v.lat, lon: v.lon });
        };
      }
      default:
        return compileDecay(key, arg, `${where}.${key}`, c);
    }
  };
  return c(expr, 'formula');
}

function compileDecay(
  kind: string,
  arg: unknown,
  where: string,
  c: (e: unknown, where: string) => CompiledFormula,
): CompiledFormula {
  if (!isObject(arg) || arg.x === undefined)
    throw formatError(`${where}: expected {x, target?, scale?, midpoint?}`);
  const x = c(arg.x, `${where}.x`);
  const target = arg.target === undefined || arg.target === null ? () => 0 : c(arg.target, `${where}.target`);
  const scale = typeof arg.scale === 'number' ? arg.scale : 1;
  const midpoint = typeof arg.midpoint === 'number' ? arg.midpoint : 0.5;
  if (!(scale > 0)) throw formatError(`${where}.scale: must be a non-zero positive number`);
  if (!(midpoint > 0 && midpoint < 1))
    throw formatError(`${where}.midpoint: must be between 0 and 1 (exclusive)`);
  if (kind === 'lin_decay') {
    const slope = (1 - midpoint) / scale;
    return (inp) => Math.max(0, 1 - slope * Math.abs(x(inp) - target(inp)));
  }
  if (kind === 'exp_decay') {
    const lambda = Math.log(midpoint) / scale;
    return (inp) => Math.exp(lambda * Math.abs(x(inp) - target(inp)));
  }
  const lambda = Math.log(midpoint) / (scale * scale);
  return (inp) => {
    const d = x(inp) - target(inp);
    return Math.exp(lambda * d * d);
  };
}

function lookup(point: PointView, key: string, defaults: Record<string, unknown>): unknown {
  let values: unknown[] = valuesAt(point.payload, key);
  if (values.length === 0 && defaults[key] !== undefined && defaults[key] !== null) {
    const d = defaults[key];
    values = Array.isArray(d) ? d : [d];
  }
  if (values.length === 1) return values[0];
  return values.length === 0 ? undefined : values;
}

function compileVariable(name: string, defaults: Record<string, unknown>): CompiledFormula {
  if (name.startsWith('$score')) {
    const m = /^\$score(?:\[(\d+)\])?$/.exec(name);
    if (!m)
      throw formatError(`formula: invalid score variable \`${name}\`, expected \`$score\` or \`$score[N]\``);
    const index = m[1] === undefined ? 0 : Number(m[1]);
    const fallback = typeof defaults[name] === 'number' ? (defaults[name] as number) : 0;
    return ({ prefetchScore }) => prefetchScore(index) ?? fallback;
  }
  return ({ point }) => {
    const v = lookup(point, name, defaults);
    if (typeof v !== 'number') {
      if (v === undefined)
        throw badRequest(`No value found in a payload nor defaults for variable \`${name}\``);
      throw badRequest(`Expected number value for \`${name}\` in the payload and/or in the formula defaults`);
    }
    return v;
  };
}
