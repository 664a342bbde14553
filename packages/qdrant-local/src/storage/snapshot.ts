import { open, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { Collection, type IndexSpec, type SparseVector } from '../engine/collection.js';
import type { CreateCollectionBody } from '../engine/collection-config.js';
import type { PointId } from '../engine/ids.js';
import type { Payload } from '../engine/json-path.js';
import { parseLosslessJson, stringifyLosslessJson } from '../engine/lossless-json.js';

const MAGIC = 'MOSQLOC1';

interface CollectionHeader {
  name: string;
  body: CreateCollectionBody;
  indexes: Array<[string, IndexSpec]>;
  lastOp: number;
  ids: PointId[];
  payloads: Payload[];
  versions: number[];
  sparse: Array<Record<string, SparseVector> | null>;
  dense: Array<{ name: string; dim: number }>;
  /** Multivectors per name: each point's flat rows in base64 float32 (absent in older snapshots). */
  multi?: Array<{ name: string; rows: Array<string | null> }>;
}

interface Header {
  seq: number;
  aliases: Array<[string, string]>;
  collections: CollectionHeader[];
}

export interface SnapshotState {
  seq: number;
  aliases: Map<string, string>;
  collections: Map<string, Collection>;
}

/**
 * The bytes of a snapshot of `state` (the whole engine, or one collection for the snapshots API):
 * a JSON header (config, ids, payloads, versions) followed by each vector name's presence bytes
 * and packed float32 data, so loading is a straight copy into the vector arrays.
 */
export function encodeSnapshot(state: SnapshotState): Buffer[] {
  const header: Header = { seq: state.seq, aliases: [...state.aliases], collections: [] };
  const blobs: Uint8Array[] = [];
  for (const col of state.collections.values()) {
    const slots = col.sortedSlots();
    header.collections.push({
      name: col.name,
      body: col.body,
      indexes: [...col.indexes],
      lastOp: col.lastOp,
      ids: slots.map((s) => col.ids[s]!),
      payloads: slots.map((s) => col.payloads[s]!),
      versions: slots.map((s) => col.versions[s]!),
      sparse: slots.map((s) => col.sparse[s] ?? null),
      dense: [...col.dense].map(([name, store]) => ({ name, dim: store.dim })),
      multi: [...col.multi].map(([name, store]) => ({
        name,
        rows: slots.map((s) => {
          const v = store.get(s);
          return v ? Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') : null;
        }),
      })),
    });
    for (const store of col.dense.values()) {
      const present = new Uint8Array(slots.length);
      const data = new Float32Array(slots.length * store.dim);
      slots.forEach((slot, i) => {
        const v = store.get(slot);
        if (v) {
          present[i] = 1;
          data.set(v, i * store.dim);
        }
      });
      blobs.push(present, new Uint8Array(data.buffer));
    }
  }
  const headerBytes = Buffer.from(stringifyLosslessJson(header), 'utf8');
  const prefix = Buffer.alloc(16);
  prefix.write(MAGIC, 0, 'latin1');
  prefix.writeUInt32LE(headerBytes.length, 8);
  return [prefix, headerBytes, ...blobs.map((b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength))];
}

/** Writes `encodeSnapshot(state)` to `snapshot.bin` atomically (temp file, fsync, rename, fsync of the directory). */
export async function writeSnapshot(dir: string, state: SnapshotState): Promise<void> {
  const tmp = join(dir, 'snapshot.bin.tmp');
  const parts = encodeSnapshot(state);
  const handle = await open(tmp, 'w');
  try {
    for (const part of parts) await handle.write(part);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(tmp, join(dir, 'snapshot.bin'));
  const d = await open(dir, 'r');
  try {
    await d.sync();
  } finally {
    await d.close();
  }
}

/** Loads `snapshot.bin` if there is one; a missing snapshot is an empty engine at sequence 0. */
export async function readSnapshot(dir: string): Promise<SnapshotState> {
  let buf: Buffer;
  try {
    buf = await readFile(join(dir, 'snapshot.bin'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT')
      return { seq: 0, aliases: new Map(), collections: new Map() };
    throw e;
  }
  return decodeSnapshot(buf, join(dir, 'snapshot.bin'));
}

/** Reads the state `encodeSnapshot` wrote; `source` names it in the error for bytes that are not one. */
export function decodeSnapshot(buf: Buffer, source: string): SnapshotState {
  if (buf.length < 16 || buf.toString('latin1', 0, 8) !== MAGIC)
    throw new Error(`${source} is not a local Qdrant snapshot`);
  const headerLen = buf.readUInt32LE(8);
  const header = parseLosslessJson(buf.toString('utf8', 16, 16 + headerLen)) as Header;
  let off = 16 + headerLen;
  const collections = new Map<string, Collection>();
  for (const h of header.collections) {
    const col = new Collection(h.name, h.body);
    for (const [field, spec] of h.indexes) col.createIndex(field, spec);
    const n = h.ids.length;
    const vectors: Array<{ name: string; dim: number; present: Uint8Array; data: Float32Array }> = [];
    for (const d of h.dense) {
      const present = buf.subarray(off, off + n);
      off += n;
      const bytes = n * d.dim * 4;
      const data = new Float32Array(buf.buffer.slice(buf.byteOffset + off, buf.byteOffset + off + bytes));
      off += bytes;
      vectors.push({ name: d.name, dim: d.dim, present, data });
    }
    for (let i = 0; i < n; i++) {
      const vs: Record<string, Float32Array> = {};
      for (const v of vectors) if (v.present[i]) vs[v.name] = v.data.subarray(i * v.dim, (i + 1) * v.dim);
      for (const m of h.multi ?? []) {
        const b64 = m.rows[i];
        if (!b64) continue;
        const bytes = Buffer.from(b64, 'base64');
        const flat = new Float32Array(bytes.length / 4);
        new Uint8Array(flat.buffer).set(bytes);
        vs[m.name] = flat;
      }
      const sparse = h.sparse[i];
      col.upsert(
        [{ id: h.ids[i]!, vectors: vs, payload: h.payloads[i]!, ...(sparse ? { sparse } : {}) }],
        h.versions[i]!,
      );
    }
    col.lastOp = h.lastOp;
    collections.set(h.name, col);
  }
  return { seq: header.seq, aliases: new Map(header.aliases), collections };
}
