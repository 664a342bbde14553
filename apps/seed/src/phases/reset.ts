// --reset: every store emptied through data.reset().
import type { DataLayer } from '@monsteros/flows';
import type { SeedRunOptions } from '../seed.js';

export async function reset(data: DataLayer, options: SeedRunOptions): Promise<void> {
  const phase = options.progress.phase('reset', 1);
  const emptied = await data.reset();
  phase.tick();
  const points = Object.values(emptied.vectorPoints).reduce((a, b) => a + b, 0);
  phase.done(
    `${emptied.tables.length} tables, ${emptied.redisKeys} Redis keys, ${points} vectors${emptied.analytics ? ', DuckDB' : ''} emptied`,
  );
}
