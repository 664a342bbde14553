// `pnpm db:metrics [--serve] [--port N] [--host H]`: every process's real-time metrics totals
// from Redis in Prometheus text format, printed once or served on `/metrics` for a scraper.
// Opens only Redis (REDIS_URL, MONSTEROS_KEY_PREFIX): it can run beside the app anywhere.
import { createServer, type Server } from 'node:http';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { createCache, type RealtimeMetrics } from '@monsteros/cache';
import { loadConfig } from '../data-layer-config.js';
import { FlowValidationError } from '../errors.js';
import { PROMETHEUS_CONTENT_TYPE, prometheusText } from '../metrics/prometheus.js';

const USAGE = `usage: pnpm db:metrics [--serve [--port N] [--host H]]
  (no flag)   prints every process's metrics totals (Redis) in Prometheus text format
  --serve     serves them on http://H:N/metrics until SIGINT or SIGTERM
  --port N    port to listen on (default 9469; 0 picks a free one)
  --host H    address to listen on (default 127.0.0.1)
`;

export interface MetricsArgs {
  serve: boolean;
  port: number;
  host: string;
  help: boolean;
}

/** Parses the command line; a bad option is a FlowValidationError naming it. */
export function parseMetricsArgs(argv: readonly string[]): MetricsArgs {
  let values: { serve: boolean; port?: string; host: string; help: boolean };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        serve: { type: 'boolean', default: false },
        port: { type: 'string' },
        host: { type: 'string', default: '127.0.0.1' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }) as { values: typeof values });
  } catch (error) {
    throw new FlowValidationError('argv', error instanceof Error ? error.message : String(error));
  }
  const port = values.port === undefined ? 9469 : Number(values.port);
  if (values.port !== undefined && (!/^\d{1,5}$/.test(values.port) || port > 65_535))
    throw new FlowValidationError('--port', 'must be a whole number from 0 to 65535');
  if (values.port !== undefined && !values.serve)
    throw new FlowValidationError('--port', 'goes with --serve');
  return { serve: values.serve, port, host: values.host, help: values.help };
}

/**
 * Serves `GET /metrics` (Prometheus text of the shared totals); other paths are 404.
 * @example
 * const server = await serveMetrics(cache.realtime, { port: 9469 }); // curl http://127.0.0.1:9469/metrics
 */
export async function serveMetrics(
  realtime: Pick<RealtimeMetrics, 'totals'>,
  options: { port: number; host?: string },
): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' || path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: GET /metrics\n');
      return;
    }
    prometheusText((metric) => realtime.totals(metric)).then(
      (text) => res.writeHead(200, { 'content-type': PROMETHEUS_CONTENT_TYPE }).end(text),
      (error: unknown) =>
        res
          .writeHead(503, { 'content-type': 'text/plain' })
          .end(`metrics unavailable: ${error instanceof Error ? error.message : String(error)}\n`),
    );
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(options.port, options.host ?? '127.0.0.1', () => ok());
  });
  return server;
}

/** Runs the command; returns the exit code. */
export async function runMetrics(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  io: { out: (text: string) => void; err: (text: string) => void } = {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
  },
  stop: Promise<void> = new Promise((done) => {
    process.once('SIGINT', () => done());
    process.once('SIGTERM', () => done());
  }),
): Promise<number> {
  let args: MetricsArgs;
  try {
    args = parseMetricsArgs(argv);
  } catch (error) {
    io.err(`db:metrics: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    io.out(USAGE);
    return 0;
  }
  const config = loadConfig(env);
  const cache = createCache({ redis: config.redisUrl, prefix: config.keyPrefix });
  try {
    if (!args.serve) {
      io.out(await prometheusText((metric) => cache.realtime.totals(metric)));
      return 0;
    }
    const server = await serveMetrics(cache.realtime, { port: args.port, host: args.host });
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : args.port;
    io.err(`db:metrics: serving http://${args.host}:${port}/metrics (Ctrl-C stops)\n`);
    await stop;
    await new Promise((done) => server.close(done));
    return 0;
  } catch (error) {
    io.err(`db:metrics: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    await cache.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exitCode = await runMetrics(process.argv.slice(2));
}
