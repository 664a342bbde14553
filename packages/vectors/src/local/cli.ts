import { parseArgs } from 'node:util';
import { startLocalQdrantServer } from './server/http-server.js';

// `pnpm --filter @monsteros/vectors qdrant:local [--path DIR] [--port N] [--host H]`: a Qdrant REST
// endpoint over a data directory, for tools that expect a Qdrant server in development.
const { values } = parseArgs({
  options: {
    path: { type: 'string', default: process.env.QDRANT_LOCAL_PATH ?? '.data/qdrant' },
    port: { type: 'string', default: process.env.QDRANT_LOCAL_PORT ?? '6333' },
    host: { type: 'string', default: '127.0.0.1' },
  },
});

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port: expected an integer between 0 and 65535, got ${values.port}`);
  process.exit(2);
}

const server = await startLocalQdrantServer({ path: values.path, port, host: values.host }).catch(
  (e: unknown) => {
    // E.g. the directory is locked by another engine, or the port is taken: say so, without a stack.
    console.error(`local Qdrant could not start: ${(e as Error).message}`);
    process.exit(1);
  },
);
console.log(`local Qdrant ${values.path} listening on ${server.url}`);

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
