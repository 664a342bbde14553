import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Collection, PreparedPoint } from '../engine/collection.js';
import type { Op } from '../engine/ops.js';
import { badRequest, LocalQdrantError } from '../errors.js';

/** Qdrant's SnapshotDescription. */
export interface SnapshotDescription {
  name: string;
  creation_time: string;
  size: number;
  checksum: string;
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

const snapshotNotFound = (name: string) => new LocalQdrantError(404, `Not found: Snapshot ${name} not found`);

/** A snapshot file name as Qdrant makes them: `<collection>-<UTC date and time>.snapshot`. */
function snapshotName(collection: string, at = new Date()): string {
  const stamp = at.toISOString().replace(/[:T]/g, '-').replace(/\..*$/, '');
  return `${collection}-${stamp}-${String(at.getMilliseconds()).padStart(3, '0')}.snapshot`;
}

/** A file name the snapshots API may touch: no path separators, no `..`. */
function checkName(name: string): void {
  if (name === '' || name.includes('/') || name.includes('\\') || name === '.' || name === '..')
    throw badRequest(`invalid snapshot name \`${name}\``);
}

/**
 * Where collection snapshots live: `<data dir>/snapshots/<collection>/` for an engine over a
 * directory, memory for `:memory:` (gone with the engine).
 */
export class CollectionSnapshots {
  private readonly memory = new Map<string, Map<string, { bytes: Buffer; at: Date }>>();

  constructor(private readonly dir: string | null) {}

  private folder(collection: string): string {
    return join(this.dir!, 'snapshots', collection);
  }

  async save(collection: string, bytes: Buffer): Promise<SnapshotDescription> {
    const at = new Date();
    const name = snapshotName(collection, at);
    if (this.dir === null) {
      let m = this.memory.get(collection);
      if (!m) {
        m = new Map();
        this.memory.set(collection, m);
      }
      m.set(name, { bytes, at });
    } else {
      const folder = this.folder(collection);
      await mkdir(folder, { recursive: true });
      // Written whole, then renamed: a listed snapshot is never a partial file.
      await writeFile(join(folder, `${name}.tmp`), bytes);
      await rename(join(folder, `${name}.tmp`), join(folder, name));
    }
    return {
      name,
      creation_time: at.toISOString().slice(0, 19),
      size: bytes.length,
      checksum: sha256(bytes),
    };
  }

  async list(collection: string): Promise<SnapshotDescription[]> {
    if (this.dir === null) {
      return [...(this.memory.get(collection) ?? new Map<string, { bytes: Buffer; at: Date }>())].map(
        ([name, s]) => ({
          name,
          creation_time: s.at.toISOString().slice(0, 19),
          size: s.bytes.length,
          checksum: sha256(s.bytes),
        }),
      );
    }
    let names: string[];
    try {
      names = (await readdir(this.folder(collection))).filter((n) => n.endsWith('.snapshot')).sort();
    } catch {
      return [];
    }
    return Promise.all(
      names.map(async (name) => {
        const path = join(this.folder(collection), name);
        const [info, bytes] = await Promise.all([stat(path), readFile(path)]);
        return {
          name,
          creation_time: info.mtime.toISOString().slice(0, 19),
          size: info.size,
          checksum: sha256(bytes),
        };
      }),
    );
  }

  async read(collection: string, name: string): Promise<Buffer> {
    checkName(name);
    if (this.dir === null) {
      const s = this.memory.get(collection)?.get(name);
      if (!s) throw snapshotNotFound(name);
      return s.bytes;
    }
    try {
      return await readFile(join(this.folder(collection), name));
    } catch {
      throw snapshotNotFound(name);
    }
  }

  async remove(collection: string, name: string): Promise<void> {
    checkName(name);
    if (this.dir === null) {
      if (!this.memory.get(collection)?.delete(name)) throw snapshotNotFound(name);
      return;
    }
    await this.read(collection, name);
    await rm(join(this.folder(collection), name));
  }

  /**
   * The bytes at a recovery `location`: a `file://` URL inside this engine's snapshots directory
   * (as Qdrant restricts it), or an `http(s)://` URL, fetched.
   */
  async fetch(location: string): Promise<Buffer> {
    let url: URL;
    try {
      url = new URL(location);
    } catch {
      throw badRequest(`location \`${location}\` is not a URL (file:// or http(s)://)`);
    }
    if (url.protocol === 'http:' || url.protocol === 'https:') {
      const response = await fetch(url, { signal: AbortSignal.timeout(60_000) }).catch((e: unknown) => {
        throw badRequest(`could not download the snapshot from ${url.origin}: ${(e as Error).message}`);
      });
      if (!response.ok)
        throw badRequest(`could not download the snapshot: ${url.origin} answered ${response.status}`);
      return Buffer.from(await response.arrayBuffer());
    }
    if (url.protocol !== 'file:')
      throw badRequest(`unsupported snapshot location scheme \`${url.protocol}\``);
    if (this.dir === null)
      throw badRequest('an in-memory engine has no snapshots directory: upload the snapshot instead');
    const root = await realpath(join(this.dir, 'snapshots')).catch(() => join(this.dir!, 'snapshots'));
    const path = await realpath(fileURLToPath(url)).catch(() => {
      throw new LocalQdrantError(404, `Not found: Snapshot file ${url.pathname} does not exist`);
    });
    if (!path.startsWith(root + sep))
      throw new LocalQdrantError(
        403,
        `Forbidden: Snapshot file path must be inside the snapshots directory ${root}`,
      );
    return readFile(path);
  }
}

/** Checks a snapshot against the `checksum` (SHA-256, hex) a recovery was given. */
export function checkChecksum(bytes: Buffer, expected: string | null | undefined): void {
  if (expected === undefined || expected === null) return;
  const actual = sha256(bytes);
  if (actual !== expected.toLowerCase())
    throw badRequest(`Snapshot checksum mismatch: expected ${expected}, got ${actual}`);
}

/**
 * The logged operations that replace collection `name` with the one a snapshot holds: drop it
 * (when it exists), create it with the snapshot's configuration, its payload indexes, its points,
 * and give it back the aliases it had. One write: a crash leaves the old collection or the new one.
 */
export function restoreOps(name: string, snapshot: Collection, exists: boolean, aliases: string[]): Op[] {
  const points: PreparedPoint[] = snapshot.sortedSlots().map((slot) => {
    const vectors: Record<string, Float32Array> = {};
    for (const [vector, store] of [...snapshot.dense, ...snapshot.multi]) {
      const v = store.get(slot);
      if (v) vectors[vector] = Float32Array.from(v);
    }
    const sparse = snapshot.sparse[slot];
    return {
      id: snapshot.ids[slot]!,
      vectors,
      payload: snapshot.payloads[slot]!,
      ...(sparse ? { sparse } : {}),
    };
  });
  const ops: Op[] = [];
  if (exists) ops.push({ t: 'drop', name });
  ops.push({ t: 'create', name, body: snapshot.body });
  for (const [field, spec] of snapshot.indexes) ops.push({ t: 'index', c: name, field, spec });
  if (points.length > 0) ops.push({ t: 'upsert', c: name, points });
  if (aliases.length > 0)
    ops.push({ t: 'alias', actions: aliases.map((a) => ({ set: [a, name] as [string, string] })) });
  return ops;
}
