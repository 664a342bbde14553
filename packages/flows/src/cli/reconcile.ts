// `pnpm db:reconcile [--repair] [--json]`: compares Qdrant and DuckDB with PostgreSQL and reports
// drift; --repair re-emits what is missing (applied by the relay before exit) and removes orphans.
import { parseArgs } from 'node:util';
import { createDataLayer } from '../create-data-layer.js';
import { formatReconcile } from '../reconcile.js';

const { values } = parseArgs({
  options: {
    repair: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  process.stdout.write(
    'usage: pnpm db:reconcile [--repair] [--json]\n  compares Qdrant and DuckDB with PostgreSQL (DATABASE_URL, QDRANT_URL, DUCKDB_PATH)\n',
  );
  process.exit(0);
}

const data = await createDataLayer({ relayWorker: false });
let code = 0;
try {
  const report = await data.reconcile({ repair: values.repair });
  if (values.repair) await data.relay.drain();
  process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatReconcile(report)}\n`);
  code = report.ok || values.repair ? 0 : 1;
} catch (error) {
  process.stderr.write(`reconcile: ${error instanceof Error ? error.message : String(error)}\n`);
  code = 2;
} finally {
  await data.close();
}
process.exit(code);
