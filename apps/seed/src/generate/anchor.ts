// The day the data is anchored to: every timestamp is counted back from it.

export const DAY_MS = 86_400_000;

/** Today 00:00 UTC: runs on the same day produce identical rows. */
export function todayUtc(): Date {
  return new Date(Math.floor(Date.now() / DAY_MS) * DAY_MS);
}
