// The chaos run at smoke size (`pnpm chaos --smoke`): every fault kind injected once against
// private servers, and nothing acknowledged lost or duplicated in any store. The full run
// (`pnpm chaos`, minutes) is not part of `pnpm test`.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { runChaos, SMOKE } from '../chaos/chaos.js';
import { FAULT_KINDS } from '../chaos/plan.js';
import { postgresBinDir } from './fixtures/processes.js';

const hasServers = (() => {
  try {
    postgresBinDir();
  } catch {
    return false;
  }
  return spawnSync('redis-server', ['--version']).status === 0;
})();

describe.skipIf(!hasServers)('chaos run (smoke size)', () => {
  it('injects every fault kind and loses, duplicates and leaves unexplained nothing in any store', async () => {
    const report = await runChaos({ ...SMOKE, selfCheck: true });
    const injected = Object.fromEntries(report.phases.map((p) => [p.fault, p.injected]));
    for (const fault of FAULT_KINDS) expect(injected[fault], fault).toBe(fault === 'none' ? 0 : 1);
    const total = SMOKE.interactions! + SMOKE.quests! + SMOKE.ingests!;
    expect(report.phases.reduce((n, p) => n + p.acknowledged, 0)).toBe(total);
    expect(report.failures).toEqual([]);
    for (const check of report.checks) {
      expect(check.expected, `${check.store}: ${check.what}`).toBeGreaterThan(0);
      expect(
        { lost: check.lost, duplicated: check.duplicated, unexplained: check.unexplained },
        `${check.store}: ${check.what}`,
      ).toEqual({ lost: 0, duplicated: 0, unexplained: 0 });
    }
    expect(Object.keys(report.errors).filter((e) => !/ (UNAVAILABLE|TIMEOUT)$/.test(e))).toEqual([]);
    expect(report.reconcile.after.ok).toBe(true);
    expect(report.ok).toBe(true);
    // The checks can fail: a point deleted, a row doubled and a row nobody wrote are each seen.
    expect(report.selfCheck?.lost).toBeGreaterThanOrEqual(1);
    expect(report.selfCheck?.duplicated).toBeGreaterThanOrEqual(1);
    expect(report.selfCheck?.unexplained).toBeGreaterThanOrEqual(1);
  }, 300_000);
});
