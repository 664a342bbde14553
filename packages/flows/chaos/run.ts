// `pnpm chaos`: the chaos run (minutes; by hand or in a nightly-style job, never in `pnpm test`).
//   pnpm chaos [--interactions N] [--quests N] [--ingests N] [--concurrency N] [--faults-per-kind N]
//              [--down-ms N] [--faults a,b,…] [--seed N] [--smoke] [--json FILE]
// Exits 1 when a write was lost or duplicated, a caller saw an error other than UNAVAILABLE /
// TIMEOUT, an operation was never acknowledged, or reconcile still finds drift after its repair.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { type ChaosOptions, DEFAULTS, formatChaos, runChaos, SMOKE } from './chaos.js';
import { FAULT_KINDS, type FaultKind } from './plan.js';

const { values } = parseArgs({
  options: {
    interactions: { type: 'string' },
    quests: { type: 'string' },
    ingests: { type: 'string' },
    concurrency: { type: 'string' },
    'faults-per-kind': { type: 'string' },
    'down-ms': { type: 'string' },
    faults: { type: 'string' },
    seed: { type: 'string' },
    smoke: { type: 'boolean' },
    json: { type: 'string' },
    help: { type: 'boolean' },
  },
});
if (values.help) {
  console.log(
    `pnpm chaos [--interactions ${DEFAULTS.interactions}] [--quests ${DEFAULTS.quests}] [--ingests ${DEFAULTS.ingests}] [--concurrency ${DEFAULTS.concurrency}] [--faults-per-kind ${DEFAULTS.faultsPerKind}] [--down-ms ${DEFAULTS.downMs}] [--faults ${FAULT_KINDS.join(',')}] [--seed N] [--smoke] [--json FILE]`,
  );
  process.exit(0);
}
const whole = (name: string, value: string | undefined, min: number): number | undefined => {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) {
    console.error(`chaos: --${name} must be a whole number of at least ${min}`);
    process.exit(2);
  }
  return n;
};
const faults = values.faults?.split(',').map((f) => f.trim()) as FaultKind[] | undefined;
const unknown = faults?.filter((f) => !FAULT_KINDS.includes(f));
if (unknown?.length) {
  console.error(`chaos: unknown fault kind ${unknown.join(', ')} (known: ${FAULT_KINDS.join(', ')})`);
  process.exit(2);
}
const options: Partial<ChaosOptions> = {
  ...(values.smoke ? SMOKE : {}),
  ...Object.fromEntries(
    Object.entries({
      interactions: whole('interactions', values.interactions, 0),
      quests: whole('quests', values.quests, 0),
      ingests: whole('ingests', values.ingests, 0),
      concurrency: whole('concurrency', values.concurrency, 1),
      faultsPerKind: whole('faults-per-kind', values['faults-per-kind'], 1),
      downMs: whole('down-ms', values['down-ms'], 0),
      seed: whole('seed', values.seed, 0),
      faults,
    }).filter(([, v]) => v !== undefined),
  ),
};
const report = await runChaos({ ...options, log: (line) => console.error(`chaos: ${line}`) });
console.log(formatChaos(report));
if (values.json) writeFileSync(values.json, `${JSON.stringify(report, null, 2)}\n`);
process.exit(report.ok ? 0 : 1);
