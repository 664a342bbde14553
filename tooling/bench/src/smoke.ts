// Smoke runs: every bench script also runs with `--smoke` (tiny sizes) in the tests, so benches
// do not rot; their figures mean nothing.
import { execFile } from 'node:child_process';

/**
 * True when the script runs as a smoke test (`--smoke` or `BENCH_SMOKE=1`): tiny sizes, only to
 * prove the script still runs (CI); its figures mean nothing.
 */
export const smoke = process.argv.includes('--smoke') || process.env.BENCH_SMOKE === '1';

/**
 * Runs one bench script of a package with `--smoke` (the smoke tests' way to keep benches from
 * rotting), its results written to `resultsDir`; rejects with the script's stderr when it fails.
 * @example await runSmoke(join(import.meta.dirname, '..'), 'bench/scale.ts', tmp);
 */
export function runSmoke(
  packageDir: string,
  script: string,
  resultsDir: string,
  timeoutMs = 180_000,
): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', script, '--smoke'],
      { cwd: packageDir, env: { ...process.env, BENCH_RESULTS_DIR: resultsDir }, timeout: timeoutMs },
      (error, _stdout, stderr) =>
        error ? reject(new Error(`${script} --smoke: ${stderr || error.message}`)) : resolve(),
    );
  });
}
