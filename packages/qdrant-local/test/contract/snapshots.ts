import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { resultOf, type SuiteContext } from './answers.js';
import { expectQdrantError, uniqueName } from './targets.js';

/** A multipart/form-data body with one `snapshot` file part, as Qdrant's upload expects. */
function multipart(bytes: Buffer): { body: Buffer; headers: Record<string, string> } {
  const boundary = `----snapshot${Date.now()}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="snapshot"; filename="c.snapshot"\r\nContent-Type: application/octet-stream\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return {
    body: Buffer.concat([head, bytes, tail]),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}

/** Collection snapshots: create, list, download, upload to recover, delete. */
export function snapshotCases(ctx: SuiteContext): void {
  describe('collection snapshots', () => {
    const client = () => ctx.target().client;
    const rest = () => ctx.target().rest;

    it('creates, lists, downloads, recovers by upload (keeping aliases) and deletes a snapshot', async () => {
      const name = await ctx.collection('snap', { vectors: { size: 2, distance: 'Dot' } });
      const alias = uniqueName('snap_alias');
      await client().updateCollectionAliases({
        actions: [{ create_alias: { collection_name: name, alias_name: alias } }],
      });
      await client().createPayloadIndex(name, { field_name: 'k', field_schema: 'keyword', wait: true });
      await client().upsert(name, {
        wait: true,
        points: [
          { id: 1, vector: [1, 0], payload: { k: 'one' } },
          { id: 2, vector: [0, 1], payload: { k: 'two' } },
        ],
      });
      const made = await client().createSnapshot(name);
      expect(made).toMatchObject({ name: expect.stringMatching(/\.snapshot$/), size: expect.any(Number) });
      expect((await client().listSnapshots(name)).map((s) => s.name)).toContain(made!.name);

      const download = await rest()(
        'GET',
        `/collections/${name}/snapshots/${encodeURIComponent(made!.name)}`,
      );
      expect(download.status).toBe(200);
      expect(download.bytes.length).toBe(made!.size);
      if (made!.checksum)
        expect(createHash('sha256').update(download.bytes).digest('hex')).toBe(made!.checksum);

      // Change the collection, then put the snapshot back.
      await client().delete(name, { wait: true, points: [1] });
      await client().upsert(name, {
        wait: true,
        points: [{ id: 3, vector: [1, 1], payload: { k: 'three' } }],
      });
      const upload = multipart(download.bytes);
      resultOf(
        await rest()('POST', `/collections/${name}/snapshots/upload?wait=true`, upload.body, upload.headers),
      );
      const { points } = await client().scroll(name, { with_vector: true });
      expect(points.map((p) => [p.id, p.payload, p.vector])).toEqual([
        [1, { k: 'one' }, [1, 0]],
        [2, { k: 'two' }, [0, 1]],
      ]);
      expect(
        (await client().count(alias, { filter: { must: [{ key: 'k', match: { value: 'two' } }] } })).count,
      ).toBe(1);
      expect((await client().getCollection(name)).payload_schema).toMatchObject({
        k: { data_type: 'keyword' },
      });

      // Recovering into a name that does not exist creates the collection.
      const copy = uniqueName('snap_copy');
      resultOf(
        await rest()('POST', `/collections/${copy}/snapshots/upload?wait=true`, upload.body, upload.headers),
      );
      try {
        expect((await client().count(copy)).count).toBe(2);
      } finally {
        await client().deleteCollection(copy);
      }

      expect(await client().deleteSnapshot(name, made!.name)).toBe(true);
      expect((await client().listSnapshots(name)).map((s) => s.name)).not.toContain(made!.name);
      await expectQdrantError(client().deleteSnapshot(name, made!.name), 404, /not found/i);
      await client().updateCollectionAliases({ actions: [{ delete_alias: { alias_name: alias } }] });
    });
  });
}
