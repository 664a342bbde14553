// data.metrics(): the real-time metrics as Prometheus text, this process's or every process's.
import type { Cache } from '@monsteros/cache';
import { z } from 'zod';
import { checkInput } from '../boundary.js';
import { prometheusText } from '../metrics/prometheus.js';

const MetricsOptions = z.object(
  { scope: z.enum(['process', 'shared'], { message: "must be 'process' or 'shared'" }).optional() },
  { message: 'must be an object' },
);

/**
 * This process's aggregates (`scope: 'process'`, the default), or every process's totals from
 * Redis after flushing this one's (`scope: 'shared'`).
 */
export async function metricsText(
  realtime: Cache['realtime'],
  options: { scope?: 'process' | 'shared' },
): Promise<string> {
  const scope = checkInput(MetricsOptions, options, 'options').scope ?? 'process';
  if (scope === 'process') return prometheusText((metric) => realtime.local(metric));
  await realtime.flush();
  return prometheusText((metric) => realtime.totals(metric));
}
