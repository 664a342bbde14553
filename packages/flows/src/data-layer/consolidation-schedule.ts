// When the data layer consolidates a character's memory on its own: the consolidation trigger,
// checked after relay rounds and, in the relay worker's process, on a timer.
import type { Relational } from '@monsteros/relational';
import { consolidationTrigger } from '../consolidation-trigger.js';

/**
 * The trigger for characters with `every` new memories (0: none, returns null), checked at most
 * every `checkEveryMs`; with `timer`, also checked on a timer of that period, since an idle relay
 * has no rounds (flows apply their own effects). `stop()` ends the timer.
 */
export function consolidationSchedule(deps: {
  relational: Relational;
  consolidate: (character: string) => Promise<unknown>;
  every: number;
  checkEveryMs: number;
  timer: boolean;
}): { afterRound(): void; stop(): void } | null {
  const { relational, every, checkEveryMs } = deps;
  if (every <= 0) return null;
  const trigger = consolidationTrigger({
    dueForConsolidation: (min) => relational.operations.dueForConsolidation(min),
    consolidate: deps.consolidate,
    everyMemories: every,
    checkEveryMs,
  });
  const timer = deps.timer ? setInterval(() => trigger.afterRound(), checkEveryMs) : null;
  timer?.unref();
  return {
    afterRound: () => trigger.afterRound(),
    stop: () => {
      if (timer) clearInterval(timer);
    },
  };
}
