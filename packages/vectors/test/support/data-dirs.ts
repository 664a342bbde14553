import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The pid of a process that has already exited. */
export function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '']);
  if (child.pid === undefined) throw new Error('could not start a short-lived process');
  return child.pid;
}

/**
 * Makes a data directory look as if its engine's process had crashed: the engine object stays
 * open (its log handle too), but its directory lock now names a process that is gone, so the next
 * `LocalQdrant.open` takes it over as it would after a real crash.
 */
export async function simulateCrash(dir: string): Promise<void> {
  await writeFile(join(dir, 'LOCK'), `${deadPid()}\n`);
}
