// Rows go to the stores in batches of this size (one statement or bulk import each).
export const BATCH = 2_000;
export const chunks = <T>(items: readonly T[], size = BATCH): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
};
