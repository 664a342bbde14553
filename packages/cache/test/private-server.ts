// A redis-server of a test's own on a free port, for tests that pause, stop or restart it
// (never the shared one).
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
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

/** Starts redis-server on `port` over `dir` (no persistence unless `extra` asks for it). */
export function spawnServer(port: number, dir: string, extra: string[] = []): ChildProcess {
  return spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
      ...extra,
    ],
    { stdio: 'ignore' },
  );
}

/** Resolves once the server on `port` answers PING. */
export async function answers(port: number, label: string): Promise<void> {
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

/**
 * A Redis Cluster of `masters` private redis-servers (no replicas) on free ports, its 16,384 slots
 * spread by `redis-cli --cluster create`; resolves once every node reports `cluster_state:ok`.
 */
export async function privateCluster(
  label: string,
  masters = 3,
): Promise<{ nodes: Array<{ host: string; port: number }>; kill(): void }> {
  const dir = mkdtempSync(join(tmpdir(), `mos-cache-${label}-`));
  const servers: ChildProcess[] = [];
  const ports: number[] = [];
  const kill = () => {
    for (const server of servers) server.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < masters; i++) {
      const [port, busPort] = [await freePort(), await freePort()];
      const nodeDir = join(dir, String(i));
      mkdirSync(nodeDir);
      ports.push(port);
      servers.push(
        spawnServer(port, nodeDir, [
          '--cluster-enabled',
          'yes',
          '--cluster-port',
          String(busPort),
          '--cluster-node-timeout',
          '5000',
        ]),
      );
      await answers(port, label);
    }
    const create = spawnSync(
      'redis-cli',
      [
        '--cluster',
        'create',
        ...ports.map((p) => `127.0.0.1:${p}`),
        '--cluster-replicas',
        '0',
        '--cluster-yes',
      ],
      { encoding: 'utf8', timeout: 30_000 },
    );
    if (create.status !== 0)
      throw new Error(`redis-cli --cluster create failed: ${create.stdout}${create.stderr}`);
    for (const port of ports) {
      const probe = new Redis({ port, lazyConnect: true, maxRetriesPerRequest: 0 });
      await eventually(
        async () => /cluster_state:ok/.test(String(await probe.cluster('INFO'))),
        15_000,
        `cluster node ${port} to be ok`,
      );
      probe.disconnect();
    }
  } catch (error) {
    kill();
    throw error;
  }
  return { nodes: ports.map((port) => ({ host: '127.0.0.1', port })), kill };
}
