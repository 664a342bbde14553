// `pnpm db:reembed <collection…> [--json]`: re-embeds collections with the embedding model the
// configuration gives them (EMBEDDINGS_URL / EMBEDDINGS_MODEL*, else the built-in embedder) into a
// new version and switches the alias — the fix of EmbeddingModelChangedError at start. Run it
// before the services start (writes meanwhile may miss the new version; db:reconcile repairs).
import { parseArgs } from 'node:util';
import { COLLECTION_NAMES, type CollectionName, createVectors } from '@monsteros/vectors';
import { loadConfig, resolveLocalPaths } from '../data-layer-config.js';
import { vectorsOptionsOf } from '../vectors-port.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
const usage = `usage: pnpm db:reembed <collection…> [--json]\n  collections: ${COLLECTION_NAMES.join(', ')}\n  re-embeds each with its configured model (QDRANT_URL, EMBEDDINGS_URL, EMBEDDINGS_MODEL*) and switches its alias\n`;
if (values.help || positionals.length === 0) {
  process.stdout.write(usage);
  process.exit(values.help ? 0 : 2);
}
const unknown = positionals.filter((p) => !(COLLECTION_NAMES as string[]).includes(p));
if (unknown.length > 0) {
  process.stderr.write(`reembed: unknown collection(s) ${unknown.join(', ')}\n${usage}`);
  process.exit(2);
}

const config = resolveLocalPaths(loadConfig(process.env));
const vectors = await createVectors(vectorsOptionsOf(config));
let code = 0;
try {
  const results = [];
  for (const name of positionals as CollectionName[]) {
    const result = await vectors.reembed(name);
    results.push({ name, result });
    if (!values.json)
      process.stdout.write(
        result === null
          ? `${name}: already embedded by its configured model, nothing to do\n`
          : `${name}: ${result.points} points re-embedded ${result.fromModel ?? '(no recorded model)'} -> ${result.toModel}, ${result.from} -> ${result.to} (alias switched; drop the old version once satisfied)\n`,
      );
  }
  if (values.json) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
} catch (error) {
  process.stderr.write(`reembed: ${error instanceof Error ? error.message : String(error)}\n`);
  code = 1;
} finally {
  await vectors.close();
}
process.exit(code);
