// The second process of the peers bench's cross-process stampede: reads one JSON line per round
// ({ contender, key, at, callers }), starts `callers` concurrent getOrSet calls of that key at
// the wall-clock time `at`, and answers with how many times its loader ran.
import { createInterface } from 'node:readline';
import { contenders, LOADER_MS } from './contenders.js';

const [url, prefix] = process.argv.slice(2) as [string, string];
const built = contenders(url, prefix);
const value = {
  character_id: '7f1c0a52-3f0e-4c53-9a57-0e5f1d2f6b11',
  response: 'Welcome back, traveller. Today we continue the quest on closures.',
  response_time_ms: 180,
  request_hash: 'a3f1c2',
  created_at: new Date(),
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
process.stdout.write('ready\n');
for await (const line of createInterface({ input: process.stdin })) {
  if (line === 'exit') break;
  const round = JSON.parse(line) as { contender: string; key: string; at: number; callers: number };
  const contender = built.all.find((c) => c.name === round.contender)!;
  let loads = 0;
  const loader = async () => {
    loads++;
    await sleep(LOADER_MS);
    return value;
  };
  await sleep(Math.max(0, round.at - Date.now()));
  await Promise.all(Array.from({ length: round.callers }, () => contender.getOrSet(round.key, loader)));
  process.stdout.write(`${JSON.stringify({ loads })}\n`);
}
await built.close();
