import { randomUUID } from 'node:crypto';
import { link, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DataDirectoryLockedError } from '../errors.js';

const LOCK = 'LOCK';

/** The lock an engine holds on its data directory while it is open. */
export interface DirectoryLock {
  /** Removes the lock file if it is still this engine's. */
  release(): Promise<void>;
}

const holderOf = (text: string): number | null => {
  const pid = Number(text.split('\n', 1)[0]);
  return Number.isInteger(pid) && pid > 0 ? pid : null;
};

/** Whether a process with this pid exists (EPERM: it exists, under another user). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const readHolder = async (path: string): Promise<string | null> =>
  readFile(path, 'utf8').catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return null;
    throw e;
  });

/**
 * Takes `dir/LOCK` for this engine: the file is written under a private name and hard-linked into
 * place, so it appears atomically with its content (pid and a token) or not at all. A lock whose
 * pid no longer runs (a crashed engine) is taken over; a live holder, this process included,
 * makes it fail with `DataDirectoryLockedError`.
 */
export async function lockDirectory(dir: string): Promise<DirectoryLock> {
  const path = join(dir, LOCK);
  const token = `${process.pid}\n${randomUUID()}\n`;
  const mine = join(dir, `${LOCK}.${process.pid}.${randomUUID()}`);
  await writeFile(mine, token, { flush: true });
  try {
    // Bounded: each round either links, fails on a live holder, or removes one stale lock.
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        await link(mine, path);
        return {
          async release() {
            if ((await readHolder(path)) === token) await unlink(path);
          },
        };
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      const held = await readHolder(path);
      if (held === null) continue;
      const pid = holderOf(held);
      if (pid !== null && alive(pid)) throw new DataDirectoryLockedError(dir, pid);
      // Stale (its process is gone): remove it unless someone replaced it meanwhile.
      if ((await readHolder(path)) === held) await unlink(path).catch(() => undefined);
    }
    throw new DataDirectoryLockedError(dir, null);
  } finally {
    await unlink(mine).catch(() => undefined);
  }
}
