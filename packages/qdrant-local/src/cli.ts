import { parseArgs } from 'node:util';
import { startLocalQdrantServer } from './server/http-server.js';

// `pnpm qdrant:local [--path DIR] [--port N] [--host H] [--api-key K]` (at the root; `pnpm serve` in
// this package): a Qdrant REST endpoint over a data directory, for tools that expect a Qdrant server.
const USAGE = `Usage: pnpm qdrant:local [options]   (in packages/qdrant-local: pnpm serve [options])

Serves the local Qdrant engine over Qdrant's REST API (for @qdrant/js-client-rest or any Qdrant tool).

Options:
  --path DIR                 data directory, or :memory: (env QDRANT_LOCAL_PATH; default .data/qdrant)
  --port N                   port, 0 for a free one (env QDRANT_LOCAL_PORT; default 6333)
  --host H                   interface to listen on (default 127.0.0.1); any other than loopback
                             needs an API key
  --api-key K                key for full access, sent as the api-key header or Authorization: Bearer
                             (env QDRANT__SERVICE__API_KEY; default none: open to this machine)
  --read-only-api-key K      key for reads only (env QDRANT__SERVICE__READ_ONLY_API_KEY)
  -h, --help                 this text

Ctrl-C (SIGINT) or SIGTERM folds the log into a snapshot and stops.`;

let values: {
  path: string;
  port: string;
  host: string;
  'api-key'?: string | undefined;
  'read-only-api-key'?: string | undefined;
  help?: boolean | undefined;
};
try {
  ({ values } = parseArgs({
    options: {
      path: { type: 'string', default: process.env.QDRANT_LOCAL_PATH ?? '.data/qdrant' },
      port: { type: 'string', default: process.env.QDRANT_LOCAL_PORT ?? '6333' },
      host: { type: 'string', default: '127.0.0.1' },
      'api-key': { type: 'string' },
      'read-only-api-key': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  }));
} catch (e) {
  console.error(`${(e as Error).message}\n\n${USAGE}`);
  process.exit(2);
}
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}

const port = Number(values.port);
if (!/^\d+$/.test(values.port) || port > 65535) {
  console.error(`--port: expected an integer between 0 and 65535, got ${values.port}`);
  process.exit(2);
}

// An empty variable counts as unset, as an unset key in Qdrant's config does.
const apiKey = values['api-key'] || process.env.QDRANT__SERVICE__API_KEY || undefined;
const readOnlyApiKey =
  values['read-only-api-key'] || process.env.QDRANT__SERVICE__READ_ONLY_API_KEY || undefined;

const server = await startLocalQdrantServer({
  path: values.path,
  port,
  host: values.host,
  ...(apiKey ? { apiKey } : {}),
  ...(readOnlyApiKey ? { readOnlyApiKey } : {}),
}).catch((e: unknown) => {
  // E.g. the directory is locked by another engine, the port is taken, or no key for a public host: say so, without a stack.
  console.error(`local Qdrant could not start: ${(e as Error).message}`);
  process.exit(1);
});
const access = apiKey || readOnlyApiKey ? 'API key required' : 'no API key (loopback only)';
console.log(`local Qdrant ${values.path} listening on ${server.url} (${access})`);

let stopping = false;
const stop = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`${signal}: folding the log into a snapshot and stopping`);
  try {
    await server.close();
    process.exit(0);
  } catch (e) {
    // The log still holds every acknowledged write; the next start replays it.
    console.error(`stopping failed: ${(e as Error).message}`);
    process.exit(1);
  }
};
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
