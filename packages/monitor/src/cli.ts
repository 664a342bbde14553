// pnpm db:report: the performance report from live data, in the terminal, as JSON (--json) or as
// a self-contained HTML page with charts (--html [file]).
//   tsx packages/monitor/src/cli.ts [--json] [--html [file]] [--hours N] [--samples N]
//       [--threshold name=value]… [--fail-on critical|warning] [--local-vectors] [--no-color]
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Analytics, createAnalytics } from '@monsteros/analytics';
import { createCache } from '@monsteros/cache';
import {
  type DataLayerConfig,
  DEFAULT_POOL_SIZE,
  FlowError,
  loadConfig,
  resolveLocalPaths,
} from '@monsteros/flows';
import { createRelational } from '@monsteros/relational';
import { createVectors, type Vectors } from '@monsteros/vectors';
import { createMonitor } from './create-monitor.js';
import { MonitorValidationError } from './errors.js';
import { renderHtmlReport } from './render/html.js';
import { renderJsonReport } from './render/json.js';
import { renderTextReport } from './render/text.js';
import { parseThresholds, type ThresholdName } from './thresholds.js';
import type { MonitorStores } from './types.js';
import { watchReport } from './watch.js';

const USAGE = `Usage: pnpm db:report [options]

The MonsterOS performance report from the live stores (DATABASE_URL, REDIS_URL, DUCKDB_PATH,
QDRANT_URL): Database Status, Performance Analysis, Integration Recommendations, Optimization
Plan, Monitoring Setup.

Options:
  --json                    print the report as JSON instead of text
  --html [file]             also write a self-contained HTML page (default monsteros-report.html)
  --hours <n>               hours of interaction trends (default 24)
  --samples <n>             round trips timed per store (default 20)
  --window <minutes>        minutes of real-time metrics (every app process's, from Redis) (default 15)
  --watch                   a live view: the text report redrawn in place until Ctrl-C
  --interval <seconds>      seconds between --watch frames (default 5)
  --threshold <name=value>  override a rule's limit (repeatable), e.g. cacheHitRateMin=0.9
  --fail-on <severity>      exit 1 when a finding of this severity (critical|warning) or worse exists
  --local-vectors           open the embedded local vector store (only when no app process holds it)
  --no-color                plain text even on a terminal
  -h, --help                this help
`;

export interface ReportArgs {
  json: boolean;
  html: string | null;
  hours: number;
  samples: number;
  windowMinutes: number;
  watch: boolean;
  intervalSeconds: number;
  thresholds: Partial<Record<ThresholdName, number>>;
  failOn: 'critical' | 'warning' | null;
  localVectors: boolean;
  color: boolean;
  help: boolean;
}

/** Parses the command line; a bad option is a MonitorValidationError naming it. */
export function parseReportArgs(argv: readonly string[]): ReportArgs {
  const args: ReportArgs = {
    json: false,
    html: null,
    hours: 24,
    samples: 20,
    windowMinutes: 15,
    watch: false,
    intervalSeconds: 5,
    thresholds: {},
    failOn: null,
    localVectors: false,
    color: true,
    help: false,
  };
  const value = (i: number, flag: string): string => {
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) throw new MonitorValidationError(flag, 'needs a value');
    return v;
  };
  const int = (text: string, flag: string): number => {
    if (!/^\d+$/.test(text)) throw new MonitorValidationError(flag, 'must be a whole number');
    return Number(text);
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--json') args.json = true;
    else if (arg === '--html') {
      const next = argv[i + 1];
      if (next !== undefined && !next.startsWith('--')) {
        args.html = next;
        i++;
      } else args.html = 'monsteros-report.html';
    } else if (arg === '--hours') args.hours = int(value(i++, arg), arg);
    else if (arg === '--samples') args.samples = int(value(i++, arg), arg);
    else if (arg === '--window') args.windowMinutes = int(value(i++, arg), arg);
    else if (arg === '--watch') args.watch = true;
    else if (arg === '--interval') {
      args.intervalSeconds = int(value(i++, arg), arg);
      if (args.intervalSeconds < 1 || args.intervalSeconds > 3_600)
        throw new MonitorValidationError('--interval', 'must be from 1 to 3600 seconds');
    } else if (arg === '--threshold') {
      const [name, raw] = value(i++, arg).split('=');
      const n = Number(raw);
      if (!name || raw === undefined || raw === '' || !Number.isFinite(n))
        throw new MonitorValidationError(
          '--threshold',
          'must be name=value with a number, e.g. cacheHitRateMin=0.9',
        );
      args.thresholds[name as ThresholdName] = n;
    } else if (arg === '--fail-on') {
      const v = value(i++, arg);
      if (v !== 'critical' && v !== 'warning')
        throw new MonitorValidationError('--fail-on', 'must be critical or warning');
      args.failOn = v;
    } else if (arg === '--local-vectors') args.localVectors = true;
    else if (arg === '--no-color') args.color = false;
    else if (arg === '-h' || arg === '--help') args.help = true;
    else throw new MonitorValidationError(arg, 'is not an option (see --help)');
  }
  if (args.watch && (args.json || args.html || args.failOn))
    throw new MonitorValidationError('--watch', 'cannot be combined with --json, --html or --fail-on');
  return args;
}

/** The stores a report reads, and how to close them. */
export interface ReportStores {
  stores: MonitorStores;
  close(): Promise<void>;
}

/**
 * Opens the stores the report reads. This process is an observer, not the app: DuckDB is opened
 * read-only (its file has one writer), no relay runs, no collection is provisioned, and the
 * embedded local vector store (whose files the app owns) is opened only when asked.
 */
export async function openReportStores(
  config: DataLayerConfig,
  options: { localVectors?: boolean } = {},
): Promise<ReportStores> {
  const relational = createRelational({
    databaseUrl: config.databaseUrl,
    poolSize: 3,
    applicationName: 'monsteros-report',
  });
  const cache = createCache({ redis: config.redisUrl, prefix: config.keyPrefix });
  const notConfigured: NonNullable<MonitorStores['notConfigured']> = {
    relay: 'the relay runs in the app process, not in the report',
    timings: 'no flow ran in the window (the app records its runs into the real-time metrics in Redis)',
  };
  let analytics: Analytics | null = null;
  if (config.duckdbPath !== ':memory:' && !existsSync(config.duckdbPath)) {
    notConfigured.analytics = `no DuckDB file at DUCKDB_PATH (${config.duckdbPath}) yet: run the analytics ingestion first`;
  } else if (config.duckdbPath !== ':memory:') {
    try {
      analytics = await createAnalytics({ path: config.duckdbPath, readOnly: true });
    } catch (error) {
      notConfigured.analytics = `DuckDB cannot be opened for reading: ${error instanceof Error ? error.message : String(error)}`;
    }
  } else notConfigured.analytics = 'DUCKDB_PATH is :memory:, which only its own process can see';
  let vectors: Vectors | null = null;
  if (config.qdrantUrl || options.localVectors) {
    try {
      vectors = await createVectors({
        qdrant: config.qdrantUrl
          ? { url: config.qdrantUrl, ...(config.qdrantApiKey ? { apiKey: config.qdrantApiKey } : {}) }
          : { local: config.localVectorsPath },
      });
    } catch (error) {
      notConfigured.vectors = `the vector store cannot be opened: ${error instanceof Error ? error.message : String(error)}`;
    }
  } else {
    notConfigured.vectors =
      'QDRANT_URL is unset (embedded local mode, whose files the app owns): pass --local-vectors when no app runs';
  }
  return {
    stores: {
      relational,
      cache,
      analytics,
      vectors,
      realtime: cache.realtime,
      notConfigured,
      // The report's own pool is small; the advice is about the app's (createDataLayer's default).
      appPoolSize: DEFAULT_POOL_SIZE,
    },
    async close() {
      await Promise.allSettled([analytics?.close(), vectors?.close(), cache.close(), relational.close()]);
    },
  };
}

/** Where the report writes, and (for --watch) when to stop and how many rows fit. */
export interface ReportIO {
  out: (text: string) => void;
  err: (text: string) => void;
  isTTY: boolean;
  /** Ends `--watch`; default SIGINT or SIGTERM. */
  stop?: Promise<void>;
  /** Terminal rows for `--watch`; default the terminal's. */
  rows?: number;
  /** Ends `--watch` after this many frames (tests). */
  maxFrames?: number;
}

/** Runs the report; returns the exit code. */
export async function runReport(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  io: ReportIO = {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    isTTY: Boolean(process.stdout.isTTY),
  },
): Promise<number> {
  let args: ReportArgs;
  try {
    args = parseReportArgs(argv);
  } catch (error) {
    io.err(`db:report: ${(error as Error).message}\n`);
    return 2;
  }
  if (args.help) {
    io.out(USAGE);
    return 0;
  }
  let opened: ReportStores | undefined;
  try {
    const config = resolveLocalPaths(loadConfig(env), env);
    parseThresholds(args.thresholds); // before connecting to anything
    opened = await openReportStores(config, { localVectors: args.localVectors });
    const monitor = createMonitor({
      ...opened.stores,
      thresholds: args.thresholds,
      trendHours: args.hours,
      latencySamples: args.samples,
      windowMinutes: args.windowMinutes,
    });
    if (args.watch) {
      await watchReport({
        monitor,
        out: io.out,
        intervalMs: args.intervalSeconds * 1000,
        color: args.color && io.isTTY,
        stop:
          io.stop ??
          new Promise<void>((done) => {
            process.once('SIGINT', () => done());
            process.once('SIGTERM', () => done());
          }),
        ...((io.rows ?? process.stdout.rows) ? { rows: io.rows ?? process.stdout.rows } : {}),
        ...(io.maxFrames ? { maxFrames: io.maxFrames } : {}),
      });
      return 0;
    }
    const report = await monitor.report();
    if (args.html) {
      const file = resolve(env.INIT_CWD ?? process.cwd(), args.html);
      await writeFile(file, renderHtmlReport(report));
      if (!args.json) io.err(`db:report: wrote ${file}\n`);
    }
    io.out(
      args.json ? renderJsonReport(report) : renderTextReport(report, { color: args.color && io.isTTY }),
    );
    const order = { warning: 1, critical: 2 } as const;
    if (args.failOn && report.findings.some((f) => order[f.severity] >= order[args.failOn!])) return 1;
    return 0;
  } catch (error) {
    io.err(`db:report: ${error instanceof Error ? error.message : String(error)}\n`);
    // 2: the invocation or configuration is wrong; 1: a store or the report failed.
    return error instanceof FlowError && (error.code === 'VALIDATION' || error.code === 'CONFIG') ? 2 : 1;
  } finally {
    await opened?.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exitCode = await runReport(process.argv.slice(2));
}
