/** Rows of a bulk upsert, in input order, and the ids this call inserted (the rest existed). */
export interface UpsertedRows<Row> {
  rows: Row[];
  insertedIds: string[];
}

/**
 * The tail of an insert-new-only bulk write: `inserted` are the rows the `on conflict do nothing`
 * insert returned; the keys it skipped are read back, and every input key maps to its row.
 */
export async function withExisting<Row extends { id: string }>(
  inserted: Row[],
  keyOf: (row: Row) => string,
  inputKeys: string[],
  fetchExisting: (missing: string[]) => Promise<Row[]>,
): Promise<UpsertedRows<Row>> {
  const byKey = new Map(inserted.map((r) => [keyOf(r), r]));
  const missing = [...new Set(inputKeys)].filter((k) => !byKey.has(k));
  if (missing.length > 0) for (const r of await fetchExisting(missing)) byKey.set(keyOf(r), r);
  return { rows: inputKeys.map((k) => byKey.get(k)!), insertedIds: inserted.map((r) => r.id) };
}
