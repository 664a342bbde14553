// Batched read tracking of one namespace: hits (per member, least recent first) and misses are
// counted in memory and reach Redis in one script call after `flushMs`, once `maxPending` members
// are pending, or with the namespace's next write (`drain`, so eviction sees them first).
import type { LocalPolicyCounters } from './local-counters.js';

/** Schedules the delayed flush; returns a function that cancels it. */
export type ScheduleFlush = (flush: () => void, ms: number) => () => void;

/** Node's timers, unref'd: a pending flush never keeps the process alive. */
const scheduleWithTimer: ScheduleFlush = (flush, ms) => {
  const timer = setTimeout(flush, ms).unref();
  return () => clearTimeout(timer);
};

export interface ReadTrackerOptions {
  /** Longest delay before recorded reads are sent, in ms. */
  flushMs: number;
  /** Pending members that trigger a flush at once. @default 256 */
  maxPending?: number;
  /** False while Redis is known to be down: reads flushed then are dropped, not sent. */
  availability: { readonly up: boolean };
  /** Sends reads as script arguments (see `drain`): the namespace's batched-reads script. */
  send(args: string[]): Promise<unknown>;
  /** Reads lost to a Redis error are counted in `redisErrors`. */
  counters: Pick<LocalPolicyCounters, 'redisErrors'>;
  /** @default scheduleWithTimer */
  schedule?: ScheduleFlush;
}

/**
 * The reads of one namespace not yet sent to Redis.
 * @example
 * const reads = new ReadTracker({ flushMs: 50, availability, send: (args) => commands.sendReads(args), counters });
 * reads.hit('sage:h1'); reads.miss(); reads.drain(); // ['1', 'sage:h1', '1']
 */
export class ReadTracker {
  /** member → reads since the last flush; Map order is least recently read first. */
  readonly #reads = new Map<string, number>();
  #misses = 0;
  #cancelFlush: (() => void) | undefined;
  readonly #flushMs: number;
  readonly #maxPending: number;
  readonly #availability: { readonly up: boolean };
  readonly #send: (args: string[]) => Promise<unknown>;
  readonly #counters: Pick<LocalPolicyCounters, 'redisErrors'>;
  readonly #schedule: ScheduleFlush;
  readonly #onTimer = () => void this.flush();

  constructor(options: ReadTrackerOptions) {
    this.#flushMs = options.flushMs;
    this.#maxPending = options.maxPending ?? 256;
    this.#availability = options.availability;
    this.#send = options.send;
    this.#counters = options.counters;
    this.#schedule = options.schedule ?? scheduleWithTimer;
  }

  /** Records a hit of `member` (it becomes the most recently read). */
  hit(member: string): void {
    const n = this.#reads.get(member);
    if (n !== undefined) this.#reads.delete(member);
    this.#reads.set(member, (n ?? 0) + 1);
    this.#scheduleFlush();
  }

  /** Records a miss. */
  miss(): void {
    this.#misses++;
    this.#scheduleFlush();
  }

  /** The unsent reads as script arguments (misses, then member/reads pairs); forgets them. */
  drain(): string[] {
    if (this.#cancelFlush) {
      this.#cancelFlush();
      this.#cancelFlush = undefined;
    }
    const args = [String(this.#misses)];
    for (const [member, n] of this.#reads) args.push(member, String(n));
    this.#reads.clear();
    this.#misses = 0;
    return args;
  }

  /** Sends the unsent reads now. Never rejects: lost reads only skew statistics and eviction order. */
  async flush(): Promise<void> {
    if (this.#reads.size === 0 && this.#misses === 0) return;
    const args = this.drain();
    if (!this.#availability.up) return;
    try {
      await this.#send(args);
    } catch {
      this.#counters.redisErrors++;
    }
  }

  #scheduleFlush(): void {
    if (this.#reads.size >= this.#maxPending) void this.flush();
    else if (!this.#cancelFlush) this.#cancelFlush = this.#schedule(this.#onTimer, this.#flushMs);
  }
}
