// Consolidation triggered by the relay: after a relay round (at most every `checkEveryMs`), the
// characters whose memory grew by `everyMemories` memories since their last consolidation are
// consolidated, one at a time, off the round (the round never waits for it). Several workers may
// check at once; consolidation itself holds under concurrent runs (it locks and re-checks).

/** What the trigger needs: the check and the flow. */
export interface ConsolidationTriggerDeps {
  dueForConsolidation(minNew: number): Promise<Array<{ character: string; newMemories: number }>>;
  consolidate(character: string): Promise<unknown>;
  /** New memories of one character that trigger its consolidation (≥ 1). */
  everyMemories: number;
  /** Least time between two checks, in ms. */
  checkEveryMs: number;
  /** Told about a failed check or consolidation (it is retried at the next check). */
  onError?: (error: unknown) => void;
}

export interface ConsolidationTrigger {
  /** Called after each relay round: starts a check when one is due and none is running. */
  afterRound(): void;
  /** Runs a check now and consolidates the characters due; returns them. */
  check(): Promise<string[]>;
  /** Consolidations started by the trigger so far. */
  readonly triggered: number;
  /** Resolves when the running check (if any) ended. */
  idle(): Promise<void>;
}

/**
 * Creates the trigger; wire `afterRound` into the relay's observer.
 * @example
 * const trigger = consolidationTrigger({ dueForConsolidation, consolidate, everyMemories: 500, checkEveryMs: 30_000 });
 * await trigger.check(); // ['sage'] when sage has 500 memories since its last consolidation
 */
export function consolidationTrigger(deps: ConsolidationTriggerDeps): ConsolidationTrigger {
  let running: Promise<unknown> | null = null;
  let lastCheck = Number.NEGATIVE_INFINITY;
  let triggered = 0;

  async function check(): Promise<string[]> {
    const due = await deps.dueForConsolidation(deps.everyMemories);
    const done: string[] = [];
    for (const { character } of due) {
      triggered++;
      try {
        await deps.consolidate(character);
        done.push(character);
      } catch (error) {
        deps.onError?.(error);
      }
    }
    return done;
  }

  return {
    afterRound() {
      const now = performance.now();
      if (running || now - lastCheck < deps.checkEveryMs) return;
      lastCheck = now;
      running = check()
        .catch((error: unknown) => deps.onError?.(error))
        .finally(() => {
          running = null;
        });
    },
    check,
    get triggered() {
      return triggered;
    },
    async idle() {
      await running;
    },
  };
}
