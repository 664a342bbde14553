// DuckDB's cache efficiency as the report shows it: how much of the data the buffer manager holds
// in memory (table blocks vs the database's used blocks), what spilled to temporary storage
// (queries needing more than memory_limit), and the threads. Kept apart from the other readings.
import type { DuckdbBufferStats } from '@monsteros/analytics';
import { bytes } from './format.js';

/** The figures of the DuckDB status line for its buffer manager. */
export function duckdbCacheFigures(b: DuckdbBufferStats): Array<{ label: string; value: string }> {
  const share = b.cachedShare === null ? 'n/a (in memory)' : `${(b.cachedShare * 100).toFixed(1)}%`;
  const top = Object.entries(b.byTag)
    .sort((x, y) => y[1] - x[1])
    .slice(0, 3)
    .map(([tag, n]) => `${tag} ${bytes(n)}`)
    .join(', ');
  return [
    {
      label: 'data cached in memory',
      value: `${share} (${bytes(b.cachedTableBytes)} of ${bytes(b.databaseBytes)})`,
    },
    { label: 'spilled to disk', value: bytes(b.temporaryStorageBytes) },
    { label: 'memory by use', value: top || 'none' },
    { label: 'threads', value: String(b.threads) },
  ];
}
