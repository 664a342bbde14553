import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { LocalQdrant } from '../../src/index.js';

/** A `dataDir()` for the file's tests: a fresh temporary directory each call, removed after each test. */
export function dataDirs(prefix: string): () => Promise<string> {
  const dirs: string[] = [];
  afterEach(async () => {
    for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
  });
  return async () => {
    const dir = await mkdtemp(join(tmpdir(), prefix));
    dirs.push(dir);
    return dir;
  };
}

/**
 * A pid no process can have: above Linux's PID_MAX_LIMIT (2^22) and every other system's pid
 * range. A pid of a process that has exited could be reused before the engine checks it.
 */
const DEAD_PID = 2 ** 22 + 1;

/**
 * Makes a data directory look as if its engine's process had crashed: the engine object stays
 * open (its log handle too), but its directory lock now names a process that is gone, so the next
 * `LocalQdrant.open` takes it over as it would after a real crash.
 */
export async function simulateCrash(dir: string): Promise<void> {
  await writeFile(join(dir, 'LOCK'), `${DEAD_PID}\n`);
}

/** The ids a new engine finds in `collection` after the engine over `dir` crashed. */
export async function idsAfterCrash(dir: string, collection: string): Promise<unknown[]> {
  await simulateCrash(dir);
  const reopened = await LocalQdrant.open(dir);
  try {
    return (await reopened.scrollPoints(collection, { limit: 100 })).points.map((p) => p.id);
  } finally {
    await reopened.close();
  }
}
