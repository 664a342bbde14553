import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';

const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
let out: string;

beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), 'mos-generate-'));
});
afterAll(() => rm(out, { recursive: true, force: true }));

it('generates Prisma Client and Kysely types with every download route pointed at a closed port', async () => {
  // The real schema, generating into a temporary folder (other suites import src/generated).
  const schema = (await readFile(join(packageRoot, 'prisma/schema.prisma'), 'utf8'))
    .replace('"../src/generated/prisma"', JSON.stringify(join(out, 'prisma')))
    .replace('"../src/generated/kysely"', JSON.stringify(join(out, 'kysely')));
  await writeFile(join(out, 'schema.prisma'), schema);
  // A closed port answers "connection refused" at once: any download attempt fails the run.
  const closed = 'http://127.0.0.1:9';
  const result = spawnSync('prisma', ['generate', '--schema', join(out, 'schema.prisma')], {
    cwd: packageRoot,
    encoding: 'utf8',
    env: {
      ...process.env,
      PATH: `${join(packageRoot, 'node_modules/.bin')}:${process.env.PATH}`,
      PRISMA_SCHEMA_ENGINE_BINARY: join(packageRoot, 'bin/no-schema-engine'),
      PRISMA_ENGINES_MIRROR: closed,
      HTTP_PROXY: closed,
      HTTPS_PROXY: closed,
      http_proxy: closed,
      https_proxy: closed,
      NO_PROXY: '',
    },
  });
  expect(result.stderr).not.toMatch(/download/i);
  expect(result.status).toBe(0);
  const kysely = await readFile(join(out, 'kysely/types.ts'), 'utf8');
  expect(kysely).toContain('character_agents: CharacterAgent;');
  const client = await readFile(join(out, 'prisma/client.ts'), 'utf8');
  expect(client).toContain('export const PrismaClient');
});
