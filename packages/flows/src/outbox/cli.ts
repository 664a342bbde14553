// `pnpm db:outbox`: the outbox's backlog and parked events; `--retry-parked` releases parked events
// (all, or `--id N …`) and applies them now; `--work` runs the relay worker until SIGINT/SIGTERM.
import { parseArgs } from 'node:util';
import { createDataLayer } from '../create-data-layer.js';
import { formatOutboxStatus, outboxStatus } from './admin.js';

const USAGE = `usage: pnpm db:outbox [--retry-parked [--id N …]] [--work] [--json]
  (no flag)       the backlog and the parked events with their last errors
  --retry-parked  releases parked events (all, or those given with --id) and applies them now
  --work          runs the relay worker (several are safe) until SIGINT or SIGTERM
  exit code 1 while parked events remain; stores from the environment (DATABASE_URL, REDIS_URL, …)
`;

let values: { 'retry-parked': boolean; id: string[]; work: boolean; json: boolean; help: boolean };
try {
  ({ values } = parseArgs({
    options: {
      'retry-parked': { type: 'boolean', default: false },
      id: { type: 'string', multiple: true, default: [] },
      work: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  }) as { values: typeof values });
} catch (error) {
  process.stderr.write(`outbox: ${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
  process.exit(2);
}
if (values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
const badId = values.id.find((id) => !/^[1-9]\d{0,18}$/.test(id));
if (badId !== undefined || (values.id.length > 0 && !values['retry-parked'])) {
  process.stderr.write(
    `outbox: ${badId !== undefined ? `--id ${badId}: must be an outbox event id (a positive whole number)` : '--id goes with --retry-parked'}\n${USAGE}`,
  );
  process.exit(2);
}

// Listening before the worker starts: a signal never finds the process without its handler.
const stopped = new Promise<void>((resolve) => {
  process.once('SIGINT', resolve);
  process.once('SIGTERM', resolve);
});
const data = await createDataLayer({ relayWorker: values.work });
let code = 0;
try {
  if (values.work) {
    process.stderr.write(
      'outbox: relay worker running; Ctrl-C (SIGINT) or SIGTERM stops it after the round in flight\n',
    );
    await stopped;
  } else {
    let released: number | null = null;
    if (values['retry-parked']) {
      released = await data.relay.retryParked(values.id.length > 0 ? values.id : undefined);
      await data.relay.drain();
    }
    const status = await outboxStatus(data.relational);
    if (values.json) process.stdout.write(`${JSON.stringify({ released, ...status }, null, 2)}\n`);
    else
      process.stdout.write(
        `${released === null ? '' : `released ${released} parked events\n`}${formatOutboxStatus(status)}\n`,
      );
    code = status.backlog.parked > 0 ? 1 : 0;
  }
} catch (error) {
  process.stderr.write(`outbox: ${error instanceof Error ? error.message : String(error)}\n`);
  code = 2;
} finally {
  await data.close();
}
process.exit(code);
