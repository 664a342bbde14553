// A second app process of the chaos run: performs the operations of a file at concurrency with its
// own data layer (relay worker on, no DuckDB), printing one JSON line per outcome, until the run
// SIGKILLs it mid-batch. Its outbox leases and half-applied effects are left for the survivors.
import { readFileSync } from 'node:fs';
import { createDataLayer, type DataLayerOptions } from '../src/index.js';
import { perform, runPool } from './perform.js';
import type { Op } from './plan.js';

export interface AppSettings {
  options: DataLayerOptions;
  concurrency: number;
  deadlineMs: number;
  opsFile: string;
}

const settings = JSON.parse(process.env.CHAOS_APP ?? '{}') as AppSettings;
const ops = JSON.parse(readFileSync(settings.opsFile, 'utf8')) as Op[];
const data = await createDataLayer({ ...settings.options, env: {}, analytics: false });
const line = (value: unknown) => process.stdout.write(`${JSON.stringify(value)}\n`);
line({ ready: true });
await runPool(ops, settings.concurrency, async (op) => {
  line({ op: op.id, ...(await perform(data, op, settings.deadlineMs)) });
});
line({ done: true });
await data.close();
