// Opens Prisma Studio (`pnpm studio`) in headless Chromium, selects a table and checks that
// its rows are on the page; saves a screenshot. Needs Debian's chromium (apt-get install chromium).
//   node scripts/check-studio.mjs [table] [expected text]     (defaults: character_agents, any row)
// Give the expected text: a UUID alone is also on the first table Studio opens.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';

const table = process.argv[2] ?? 'character_agents';
const expected = process.argv[3];
const port = process.env.STUDIO_PORT ?? '5566';
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (!existsSync(executablePath)) {
  console.error(
    `check-studio: no Chromium at ${executablePath}; apt-get install chromium (or set CHROMIUM_PATH)`,
  );
  process.exit(2);
}

const studio = spawn('pnpm', ['--filter', '@monsteros/schema', 'studio', '--port', port], {
  stdio: ['ignore', 'pipe', 'inherit'],
  detached: true,
});
const stop = () => {
  try {
    process.kill(-studio.pid, 'SIGTERM');
  } catch {}
};
let code = 1;
try {
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('Prisma Studio did not start within 60 s')), 60_000);
    studio.stdout.on('data', (chunk) => {
      if (String(chunk).includes('Prisma Studio is running')) {
        clearTimeout(timer);
        resolve();
      }
    });
    studio.on('exit', (c) => reject(new Error(`Prisma Studio exited with ${c}`)));
  });
  const browser = await chromium.launch({
    executablePath,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(`http://127.0.0.1:${port}/`);
  await page.getByText(table, { exact: true }).first().click();
  if (expected) await page.getByText(expected).first().waitFor({ timeout: 15_000 });
  else await page.locator('text=/[0-9a-f]{8}-[0-9a-f]{4}-/').first().waitFor({ timeout: 15_000 });
  const shot = `/tmp/studio-${table}.png`;
  await page.screenshot({ path: shot });
  console.log(`check-studio: ${table} rows visible in Prisma Studio; screenshot ${shot}`);
  await browser.close();
  code = 0;
} catch (error) {
  console.error(`check-studio: ${error.message}`);
} finally {
  stop();
}
process.exit(code);
