// The chaos run: private servers (redis-server, a PostgreSQL cluster, the local Qdrant server) as
// child processes, the plan's operations performed at concurrency phase by phase while each phase
// injects its fault, then settle, reconcile with repair, and check every store.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { deployMigrations } from '@monsteros/schema/migrate';
import pg from 'pg';
import {
  createDataLayer,
  type DataLayer,
  type DataLayerOptions,
  type ReconcileReport,
} from '../src/index.js';
import { freePort, PrivatePostgres, PrivateQdrant, PrivateRedis } from '../test/fixtures/processes.js';
import type { AppSettings } from './app.js';
import { type Ack, type Outcome, perform, runPool } from './perform.js';
import {
  type ChaosWorld,
  createChaosWorld,
  FAULT_KINDS,
  type FaultKind,
  type Op,
  planOps,
  type Sizes,
} from './plan.js';
import { type StoreCheck, verify } from './verify.js';

export interface ChaosOptions extends Sizes {
  /** Operations in flight at once in each app process. Default 16. */
  concurrency: number;
  /** Faults injected per fault kind (spread over its phase). Default 2. */
  faultsPerKind: number;
  /** How long a killed Redis or Qdrant stays down before its restart. Default 1,500 ms. */
  downMs: number;
  /** The fault kinds, one phase each (default all, `none` first as the baseline). */
  faults: readonly FaultKind[];
  seed: number;
  /** How long one operation is retried before the client gives up. Default 120,000 ms. */
  opDeadlineMs: number;
  /**
   * After the checks, damage the stores on purpose (a Qdrant point deleted, an interaction row
   * doubled, a row nobody wrote) and check again: the checks must see each (the test's proof that
   * they can fail). Default false.
   */
  selfCheck?: boolean;
  log(line: string): void;
}

export interface PhaseRow {
  fault: FaultKind;
  injected: number;
  acknowledged: number;
  /** Calls that failed (typed UNAVAILABLE / TIMEOUT) and were retried. */
  retried: number;
  /** Acknowledged while some store was down: the result said `partial`. */
  partial: number;
  /** Operations never acknowledged (the client gave up, or a non-retriable error). */
  failed: number;
  lost: number;
  duplicated: number;
}

export interface ChaosReport {
  ok: boolean;
  durationMs: number;
  phases: PhaseRow[];
  checks: StoreCheck[];
  /** Errors the callers saw, by type and code (only UNAVAILABLE and TIMEOUT are acceptable). */
  errors: Record<string, number>;
  failures: string[];
  /** Reconcile before its repair (drift the faults left), and after the repair was applied. */
  reconcile: { before: ReconcileReport; after: ReconcileReport };
  outbox: { pending: number; parked: number };
  settleMs: number;
  /** With `selfCheck`: what the checks found after the deliberate damage. */
  selfCheck?: { lost: number; duplicated: number; unexplained: number };
}

export const DEFAULTS: Omit<ChaosOptions, 'log'> = {
  interactions: 3_000,
  quests: 600,
  ingests: 400,
  concurrency: 16,
  faultsPerKind: 2,
  downMs: 1_500,
  faults: FAULT_KINDS,
  seed: 17,
  opDeadlineMs: 120_000,
};

/** What a small machine or a CI test runs in well under a minute. */
export const SMOKE: Partial<ChaosOptions> = {
  interactions: 140,
  quests: 42,
  ingests: 28,
  concurrency: 8,
  faultsPerKind: 1,
  downMs: 500,
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The servers of one run, started and killed by PID (PostgreSQL through pg_ctl). */
class Servers {
  readonly dir = mkdtempSync(join(tmpdir(), 'mos-chaos-'));
  redis!: PrivateRedis;
  postgres!: PrivatePostgres;
  qdrant!: PrivateQdrant;
  async start(): Promise<void> {
    this.redis = new PrivateRedis(await freePort());
    await this.redis.start();
    this.postgres = new PrivatePostgres(await freePort());
    this.postgres.start();
    this.qdrant = new PrivateQdrant(await freePort(), join(this.dir, 'qdrant'));
    await this.qdrant.start();
  }
  async stop(): Promise<void> {
    await this.redis?.stop().catch(() => {});
    await this.qdrant?.stop().catch(() => {});
    try {
      this.postgres?.destroy();
    } finally {
      rmSync(this.dir, { recursive: true, force: true });
    }
  }
}

/** Terminates every backend of `database` but the caller's; returns how many. */
async function terminateBackends(url: string, database: string): Promise<number> {
  const admin = new pg.Client({ connectionString: url });
  admin.on('error', () => {});
  await admin.connect();
  try {
    const { rows } = await admin.query<{ n: string }>(
      `select count(*) filter (where pg_terminate_backend(pid)) as n
         from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()`,
      [database],
    );
    return Number(rows[0]!.n);
  } finally {
    await admin.end();
  }
}

export async function runChaos(partial: Partial<ChaosOptions> = {}): Promise<ChaosReport> {
  const o: ChaosOptions = { ...DEFAULTS, log: () => {}, ...partial };
  const started = performance.now();
  const servers = new Servers();
  let data: DataLayer | null = null;
  const children = new Set<ChildProcess>();
  const cleanup = () => {
    for (const child of children) child.kill('SIGKILL');
  };
  process.once('exit', cleanup);
  try {
    o.log(`starting redis-server, PostgreSQL (${'pg_ctl'}) and the local Qdrant server in ${servers.dir}`);
    await servers.start();
    const database = 'monsteros_chaos';
    {
      const admin = new pg.Client({ connectionString: servers.postgres.url() });
      await admin.connect();
      await admin.query(`create database ${database}`);
      await admin.end();
    }
    await deployMigrations({ databaseUrl: servers.postgres.url(database) });
    const options: DataLayerOptions = {
      env: {},
      config: {
        databaseUrl: servers.postgres.url(database),
        redisUrl: servers.redis.url,
        qdrantUrl: servers.qdrant.url,
        keyPrefix: 'chaos:',
        duckdbPath: join(servers.dir, 'analytics.duckdb'),
        localVectorsPath: join(servers.dir, 'unused-vectors'),
      },
      consolidateEvery: 0,
      // Short leases and retries, so a killed process's events and a store's outage are caught up
      // within the run; eight attempts over ~16 s, so a long outage parks events (reconcile's job).
      relay: { leaseMs: 10_000, baseDelayMs: 200, maxDelayMs: 5_000, maxAttempts: 8, idleMs: 200 },
      sideEffectGraceMs: 1_000,
    };
    data = await createDataLayer(options);
    const world = await createChaosWorld(data, o);
    const ops = planOps(world, o, o.faults, o.seed);
    o.log(
      `${ops.length} operations (${o.interactions} interactions, ${o.quests} quest completions, ${o.ingests} memory ingests), concurrency ${o.concurrency}, ${o.faults.length} phases`,
    );

    const acks = new Map<string, Ack>();
    const errors: Record<string, number> = {};
    const failures: string[] = [];
    const phases: PhaseRow[] = [];
    for (const fault of o.faults) {
      const row: PhaseRow = {
        fault,
        injected: 0,
        acknowledged: 0,
        retried: 0,
        partial: 0,
        failed: 0,
        lost: 0,
        duplicated: 0,
      };
      phases.push(row);
      const phaseOps = ops.filter((op) => op.phase === fault);
      const record = (op: Op, outcome: Outcome | { ack: null; errors: string[] }) => {
        for (const e of outcome.errors) errors[e] = (errors[e] ?? 0) + 1;
        if ('ack' in outcome && outcome.ack === null) return;
        if ('ack' in outcome && outcome.ack) {
          acks.set(op.id, outcome.ack);
          row.acknowledged++;
          row.retried += outcome.ack.attempts - 1;
          if (outcome.ack.partial) row.partial++;
        } else {
          row.failed++;
          row.retried += outcome.attempts - 1;
          failures.push(`${fault} ${op.id} (${op.kind}): ${outcome.failed}`);
        }
      };
      const phaseStarted = performance.now();
      await runPhase(data!, fault, phaseOps, o, servers, database, options, children, record, row);
      o.log(
        `phase ${fault}: ${row.acknowledged}/${phaseOps.length} acknowledged, ${row.injected} faults, ${row.retried} retried calls, ${Math.round(performance.now() - phaseStarted)} ms`,
      );
    }

    // Everything is up again: the relay catches up, reconcile repairs what it could not.
    const settleStarted = performance.now();
    let backlog = await data.relay.settle({ timeoutMs: 300_000 });
    const before = await data.reconcile({ repair: true });
    backlog = await data.relay.settle({ timeoutMs: 300_000 });
    const after = await data.reconcile();
    const settleMs = performance.now() - settleStarted;
    o.log(`settled and reconciled in ${Math.round(settleMs)} ms`);

    const verification = await verify(data, world, ops, acks);
    for (const row of phases) {
      const ids = new Set(ops.filter((op) => op.phase === row.fault).map((op) => op.id));
      row.lost = [...verification.lostOps].filter((id) => ids.has(id)).length;
      row.duplicated = [...verification.duplicatedOps].filter((id) => ids.has(id)).length;
    }
    const selfCheck = o.selfCheck ? await damageAndCheck(data, world, ops, acks) : undefined;
    const acceptable = (label: string) => / (UNAVAILABLE|TIMEOUT)$/.test(label);
    const ok =
      verification.checks.every((c) => c.lost === 0 && c.duplicated === 0 && c.unexplained === 0) &&
      phases.every((p) => p.failed === 0) &&
      Object.keys(errors).every(acceptable) &&
      after.ok;
    return {
      ok,
      durationMs: performance.now() - started,
      phases,
      checks: verification.checks,
      errors,
      failures,
      reconcile: { before, after },
      outbox: { pending: backlog.pending, parked: backlog.parked },
      settleMs,
      ...(selfCheck ? { selfCheck } : {}),
    };
  } finally {
    cleanup();
    process.removeListener('exit', cleanup);
    await data?.close().catch(() => {});
    await servers.stop();
  }
}

/**
 * Damages the stores the way a defect would: one acknowledged interaction's point deleted from
 * Qdrant (lost), another's row doubled in PostgreSQL (duplicated), and a row nobody acknowledged
 * (unexplained); then checks again and sums what the checks found.
 */
async function damageAndCheck(
  data: DataLayer,
  world: ChaosWorld,
  ops: readonly Op[],
  acks: ReadonlyMap<string, Ack>,
): Promise<{ lost: number; duplicated: number; unexplained: number }> {
  const acked = ops.filter((op) => op.kind === 'interaction' && acks.has(op.id));
  const [first, second] = [acks.get(acked[0]!.id)!, acks.get(acked[1]!.id)!];
  await data.vectors.forget([first.interactionId!]);
  await data.relational.pool.query(
    `insert into character_interactions (character_id, user_id, message, response, response_time_ms)
     select character_id, user_id, message, response, response_time_ms from character_interactions where id = $1
     union all
     select character_id, user_id, 'chaos nobody: a row no call wrote', response, response_time_ms
       from character_interactions where id = $1`,
    [second.interactionId],
  );
  const again = await verify(data, world, ops, acks);
  const sum = (k: 'lost' | 'duplicated' | 'unexplained') => again.checks.reduce((n, c) => n + c[k], 0);
  return { lost: sum('lost'), duplicated: sum('duplicated'), unexplained: sum('unexplained') };
}

/** Waits until `done()` reaches `target` or `finished` resolves. */
async function until(done: () => number, target: number, finished: { value: boolean }): Promise<void> {
  while (done() < target && !finished.value) await sleep(25);
}

async function runPhase(
  data: DataLayer,
  fault: FaultKind,
  ops: Op[],
  o: ChaosOptions,
  servers: Servers,
  database: string,
  options: DataLayerOptions,
  children: Set<ChildProcess>,
  record: (op: Op, outcome: Outcome | { ack: null; errors: string[] }) => void,
  row: PhaseRow,
): Promise<void> {
  let done = 0;
  const finished = { value: false };
  const mine = fault === 'app-sigkill' ? ops.filter((_, i) => i % 2 === 0) : ops;
  const theirs = fault === 'app-sigkill' ? ops.filter((_, i) => i % 2 === 1) : [];
  const pool = runPool(mine, o.concurrency, async (op) => {
    record(op, await perform(data, op, o.opDeadlineMs));
    done++;
  }).finally(() => {
    finished.value = true;
  });

  const inject = async () => {
    if (fault === 'none' || fault === 'app-sigkill') return;
    for (let i = 1; i <= o.faultsPerKind; i++) {
      // Mid-batch by progress, whatever the machine's speed.
      await until(() => done, Math.floor((mine.length * i) / (o.faultsPerKind + 1)), finished);
      switch (fault) {
        case 'redis-restart-empty':
          await servers.redis.stop();
          await sleep(o.downMs);
          await servers.redis.start();
          break;
        case 'pg-terminate-backends':
          o.log(`  terminated ${await terminateBackends(servers.postgres.url(), database)} backends`);
          break;
        case 'pg-restart-fast':
          servers.postgres.restart('fast');
          break;
        case 'pg-restart-immediate':
          servers.postgres.restart('immediate');
          break;
        case 'qdrant-restart':
          await servers.qdrant.stop();
          await sleep(o.downMs);
          await servers.qdrant.start();
          break;
      }
      row.injected++;
    }
  };

  // app-sigkill: the other half of the phase runs in second app processes, one per fault,
  // SIGKILLed once they have acknowledged 40% of their share; what they did not acknowledge is
  // retried here (the same idempotency keys, passages and completions: a client's retry).
  const killed = async () => {
    if (fault !== 'app-sigkill') return;
    const shares = Array.from({ length: o.faultsPerKind }, (_, i) =>
      theirs.slice(
        Math.floor((i * theirs.length) / o.faultsPerKind),
        Math.floor(((i + 1) * theirs.length) / o.faultsPerKind),
      ),
    );
    for (const share of shares) {
      const unacked = new Map(share.map((op) => [op.id, op]));
      const wasKilled = await appProcess(share, o, options, children, (op, outcome) => {
        // What the killed process did not acknowledge is retried below; its errors are counted.
        if ('ack' in outcome) {
          unacked.delete(op.id);
          record(op, outcome);
        } else record(op, { ack: null, errors: outcome.errors });
      });
      if (wasKilled) row.injected++;
      await runPool([...unacked.values()], o.concurrency, async (op) => {
        record(op, await perform(data, op, o.opDeadlineMs));
      });
    }
  };
  await Promise.all([pool, inject(), killed()]);
}

/**
 * Runs `share` in a second app process; SIGKILLs it once 40% of the share is acknowledged.
 * Resolves true when it was killed (false when it finished first).
 */
async function appProcess(
  share: Op[],
  o: ChaosOptions,
  options: DataLayerOptions,
  children: Set<ChildProcess>,
  onOutcome: (op: Op, outcome: Outcome) => void,
): Promise<boolean> {
  if (!share.length) return false;
  const dir = mkdtempSync(join(tmpdir(), 'mos-chaos-app-'));
  const opsFile = join(dir, 'ops.json');
  writeFileSync(opsFile, JSON.stringify(share));
  const settings: AppSettings = { options, concurrency: o.concurrency, deadlineMs: o.opDeadlineMs, opsFile };
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'app.ts')], {
    cwd: join(import.meta.dirname, '..'),
    env: { ...process.env, CHAOS_APP: JSON.stringify(settings) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.add(child);
  const byId = new Map(share.map((op) => [op.id, op]));
  const killAt = Math.max(1, Math.floor(share.length * 0.4));
  let acked = 0;
  let wasKilled = false;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  for await (const line of createInterface({ input: child.stdout! })) {
    const msg = JSON.parse(line) as { op?: string } & Partial<Outcome>;
    if (!msg.op) continue;
    onOutcome(byId.get(msg.op)!, msg as Outcome);
    if ('ack' in msg && ++acked >= killAt && !wasKilled) {
      child.kill('SIGKILL');
      wasKilled = true;
    }
  }
  await exited;
  children.delete(child);
  rmSync(dir, { recursive: true, force: true });
  return wasKilled;
}

const pad = (cells: string[], widths: number[]) =>
  cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [
    pad(header, widths),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...rows.map((r) => pad(r, widths)),
  ].join('\n');
}

/** The report as text: faults and what they cost, then store by store. */
export function formatChaos(report: ChaosReport): string {
  const phases = table(
    ['fault kind', 'injected', 'acknowledged', 'partial', 'retried', 'failed', 'lost', 'duplicated'],
    report.phases.map((p) => [
      p.fault,
      String(p.injected),
      String(p.acknowledged),
      String(p.partial),
      String(p.retried),
      String(p.failed),
      String(p.lost),
      String(p.duplicated),
    ]),
  );
  const checks = table(
    ['store / what', 'expected', 'present', 'lost', 'duplicated', 'unexplained'],
    report.checks.map((c) => [
      `${c.store}: ${c.what}`,
      String(c.expected),
      String(c.present),
      String(c.lost),
      String(c.duplicated),
      String(c.unexplained),
    ]),
  );
  const drift = report.reconcile.before.rows
    .filter((r) => r.missing || r.orphans)
    .map((r) => `${r.aggregate}: ${r.missing} missing, ${r.orphans} orphans`);
  const errors = Object.entries(report.errors)
    .sort((a, b) => b[1] - a[1])
    .map(([e, n]) => `${e} × ${n}`);
  return [
    phases,
    '',
    checks,
    '',
    `errors seen by callers (retried): ${errors.join(', ') || 'none'}`,
    `reconcile before repair: ${drift.join('; ') || 'no drift'}; after repair: ${report.reconcile.after.ok ? 'no drift' : 'DRIFT'}`,
    `outbox after settle: ${report.outbox.pending} pending, ${report.outbox.parked} parked; settle + reconcile ${(report.settleMs / 1000).toFixed(1)} s`,
    ...report.failures.slice(0, 10).map((f) => `failed: ${f}`),
    `${report.ok ? 'OK: nothing lost, nothing duplicated' : 'FAILED'} in ${(report.durationMs / 1000).toFixed(1)} s`,
  ].join('\n');
}
