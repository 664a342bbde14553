// A redis-server of a test's own on a free port, for tests that pause, stop or restart it
// (never the shared one).
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { eventually } from './helpers.js';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function spawnServer(port: number, dir: string): ChildProcess {
  return spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    { stdio: 'ignore' },
  );
}

async function answers(port: number, label: string): Promise<void> {
  const probe = new Redis({ port, lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
  probe.on('error', () => {});
  await eventually(
    async () => {
      try {
        await probe.connect();
        return (await probe.ping()) === 'PONG';
      } catch {
        probe.disconnect();
        return false;
      }
    },
    10_000,
    `private redis-server (${label}) to start`,
  );
  probe.disconnect();
}

/**
 * Starts redis-server (no persistence) on a free port and waits until it answers PING. `freeze`
 * stops the process (SIGSTOP: connections stay open, nothing is answered), `thaw` resumes it,
 * `restart` kills it and starts an empty one on the same port, `kill` ends it and removes its files.
 */
export async function privateRedis(label: string): Promise<{
  port: number;
  url: string;
  freeze(): void;
  thaw(): void;
  restart(): Promise<void>;
  kill(): void;
}> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), `mos-cache-${label}-`));
  let server = spawnServer(port, dir);
  await answers(port, label);
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    freeze() {
      server.kill('SIGSTOP');
    },
    thaw() {
      server.kill('SIGCONT');
    },
    async restart() {
      const exited = new Promise((resolve) => server.once('exit', resolve));
      server.kill('SIGKILL');
      await exited;
      server = spawnServer(port, dir);
      await answers(port, label);
    },
    kill() {
      server.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
