import type { PointId } from '../engine/ids.js';
import { valuesAt } from '../engine/json-path.js';
import { formatError, validationError } from '../errors.js';
import type { Predicate } from './compile.js';
import { siphash24 } from './siphash.js';

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

interface Geo {
  lat: number;
  lon: number;
}

const asGeo = (v: unknown): Geo | null =>
  isObject(v) && typeof v.lat === 'number' && typeof v.lon === 'number' ? { lat: v.lat, lon: v.lon } : null;

function ring(v: unknown, where: string): Geo[] {
  const points = isObject(v) && Array.isArray(v.points) ? v.points.map(asGeo) : null;
  if (!points || points.some((p) => p === null))
    throw formatError(`${where}: expected {points: [{lon, lat}, …]}`);
  const ps = points as Geo[];
  // Qdrant's rules for a GeoLineString of a polygon: closed, and at least 4 points.
  if (ps.length < 4) throw validationError(`${where}.points: polygon invalid, the size must be at least 4`);
  const [first, last] = [ps[0]!, ps[ps.length - 1]!];
  if (first.lat !== last.lat || first.lon !== last.lon)
    throw validationError(
      `${where}.points: polygon invalid, the first and the last points should be the same to form a closed line`,
    );
  return ps;
}

/** Even-odd ray casting on the (lon, lat) plane, as a flat polygon (points on an edge count as inside). */
function inRing(p: Geo, r: Geo[]): boolean {
  let inside = false;
  for (let i = 0, j = r.length - 1; i < r.length; j = i++) {
    const a = r[i]!;
    const b = r[j]!;
    const cross = (b.lon - a.lon) * (p.lat - a.lat) - (b.lat - a.lat) * (p.lon - a.lon);
    const onSegment =
      cross === 0 &&
      p.lon >= Math.min(a.lon, b.lon) &&
      p.lon <= Math.max(a.lon, b.lon) &&
      p.lat >= Math.min(a.lat, b.lat) &&
      p.lat <= Math.max(a.lat, b.lat);
    if (onSegment) return true;
    if (
      a.lat > p.lat !== b.lat > p.lat &&
      p.lon < ((b.lon - a.lon) * (p.lat - a.lat)) / (b.lat - a.lat) + a.lon
    )
      inside = !inside;
  }
  return inside;
}

/** `geo_polygon: {exterior, interiors}`: a geo point inside the exterior ring and outside every hole. */
export function compileGeoPolygon(spec: unknown, key: string, where: string): Predicate {
  if (!isObject(spec)) throw formatError(`${where}: expected {exterior, interiors}`);
  const exterior = ring(spec.exterior, `${where}.exterior`);
  const interiors = (Array.isArray(spec.interiors) ? spec.interiors : []).map((r, i) =>
    ring(r, `${where}.interiors[${i}]`),
  );
  return (p) =>
    valuesAt(p.payload, key).some((v) => {
      const g = asGeo(v);
      return g !== null && inRing(g, exterior) && !interiors.some((hole) => inRing(g, hole));
    });
}

/** The canonical bytes of an id: 8 little-endian bytes for an integer, the 16 RFC 4122 bytes of a UUID. */
function idBytes(id: PointId): Uint8Array {
  if (typeof id === 'string') return Uint8Array.from(Buffer.from(id.replaceAll('-', ''), 'hex'));
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(id), true);
  return out;
}

/** The 64-bit slice hash of a point id (SipHash-2-4, zero key). */
const sliceHash = (id: PointId): bigint => siphash24(idBytes(id));

/** `slice: {total, index}`: the points whose id hash falls in slice `index` of `total`. */
export function compileSlice(spec: unknown, where: string): Predicate {
  if (!isObject(spec) || typeof spec.total !== 'number' || typeof spec.index !== 'number')
    throw formatError(`${where}.slice: expected {total, index}`);
  const { total, index } = spec;
  if (!Number.isInteger(total) || total < 1 || total > 0xffffffff)
    throw validationError(`${where}.slice.total: value ${total} invalid, must be 1 or larger`);
  if (!Number.isInteger(index) || index < 0 || index >= total)
    throw validationError(`${where}.slice.index: must be smaller than total (${total})`);
  const t = BigInt(total);
  const i = BigInt(index);
  return (p) => sliceHash(p.id) % t === i;
}
