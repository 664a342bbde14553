// `pnpm test`: every package's vitest suite, both projects (unit and integration), through
// Turborepo (in parallel, each test on its own database / key prefix / collection), then one
// closing line with the totals, read from the JSON report each package writes (test-results.json).
// `--unit` runs only the unit projects (no PostgreSQL, Redis or Qdrant needed: `pnpm test:unit`),
// `--integration` only the integration projects; any other argument goes to turbo (--filter …).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const reports = ['packages', 'apps'].flatMap((group) =>
  readdirSync(join(root, group)).map((name) => join(root, group, name, 'test-results.json')),
);
for (const file of reports) rmSync(file, { force: true });

const args = process.argv.slice(2);
const project = args.includes('--unit') ? 'unit' : args.includes('--integration') ? 'integration' : undefined;
const task = project ? `test:${project}` : 'test';
const turboArgs = args.filter((arg) => arg !== '--unit' && arg !== '--integration');
// The workspace's own turbo, so `node scripts/test-all.mjs` works outside `pnpm` too (no turbo on PATH).
const localTurbo = join(root, 'node_modules', '.bin', 'turbo');
const turbo = spawnSync(
  existsSync(localTurbo) ? localTurbo : 'turbo',
  ['run', task, '--continue', ...turboArgs],
  {
    cwd: root,
    stdio: 'inherit',
  },
);
if (turbo.error) {
  console.error(`test-all: could not start turbo (${turbo.error.message}); run \`pnpm install\` first`);
  process.exit(1);
}

let passed = 0;
let failed = 0;
let skipped = 0;
const missing = [];
for (const file of reports) {
  if (!existsSync(file)) {
    if (existsSync(join(file, '..', 'package.json'))) missing.push(file);
    continue;
  }
  const report = JSON.parse(readFileSync(file, 'utf8'));
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  skipped += report.numPendingTests + report.numTodoTests;
  // A suite that failed to load (syntax error, failing beforeAll) has no failed tests but is a failure.
  failed += report.testResults.filter((r) => r.status === 'failed' && r.assertionResults.length === 0).length;
}
const packagesWithoutReport = missing.length;
if (packagesWithoutReport > 0) console.log(`\n${packagesWithoutReport} package(s) wrote no test report`);
console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(turbo.status !== 0 || failed > 0 ? 1 : 0);
