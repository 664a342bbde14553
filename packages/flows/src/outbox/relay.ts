// The outbox relay: applies the side effects of committed flows on Redis, Qdrant and DuckDB.
// Events are claimed with a lease (FOR UPDATE SKIP LOCKED, so several workers share the work),
// at most one per aggregate at a time (order per aggregate), applied by the handler of their
// event type, then completed; a failure is retried with exponential backoff and jitter, and
// an event that keeps failing (or has no handler, or fails permanently) is parked with its last
// error until someone retries it. Handlers must be idempotent: an event can be applied twice
// if a worker dies between applying and completing it.
import type { OutboxBacklog, OutboxRepository, OutboxRow } from '@monsteros/relational';
import { findUnstorable, joinInputPath } from '@monsteros/schema';
import { FlowError, FlowValidationError } from '../errors.js';

/** Applies one event's side effects. Throw to retry later; throw PermanentError to park now. */
export type OutboxHandler = (event: OutboxRow) => Promise<void>;

/** A failure that retrying cannot fix (bad payload, unknown id): the event is parked at once. */
export class PermanentError extends FlowError {
  override readonly name = 'PermanentError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('VALIDATION', message, options);
  }
}

export interface RelayOptions {
  outbox: Pick<
    OutboxRepository,
    'claim' | 'extendLease' | 'complete' | 'fail' | 'park' | 'retryParked' | 'backlog'
  >;
  /** Handlers by event type, e.g. `interaction.recorded`. */
  handlers: Readonly<Record<string, OutboxHandler>>;
  /** Events claimed per round. Default 100. */
  batchSize?: number;
  /** How long a claimed event stays invisible to other workers. Default 30,000 ms. */
  leaseMs?: number;
  /** Attempts before an event is parked. Default 8. */
  maxAttempts?: number;
  /** First retry delay; doubles per attempt up to `maxDelayMs`. Defaults 500 ms and 5 min. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Pause of the worker loop when there is nothing to do. Default 500 ms. */
  idleMs?: number;
  /** Told about every failed attempt (logging, metrics). */
  onFailure?: (event: OutboxRow, error: unknown, outcome: 'retry' | 'parked') => void;
  /** Told about every round and every event handled (the data layer's real-time metrics). */
  observer?: RelayObserver;
}

/** Receives the relay's timings; must not throw. */
interface RelayObserver {
  /** A round (claim, apply, complete) ended; `ok` false when the outbox itself failed. */
  round(ms: number, ok: boolean): void;
  /** An event was handled (its handler's time). */
  event(eventType: string, outcome: 'applied' | 'retried' | 'parked', ms: number): void;
}

export interface DrainResult {
  applied: number;
  retried: number;
  parked: number;
  rounds: number;
}

export interface RelayStats extends DrainResult {
  running: boolean;
  /** Last error of the loop itself (the outbox unreachable), if any. */
  lastError: string | null;
}

export interface Relay {
  /** Applies due events until none is left (or `maxRounds`); returns what it did. */
  drain(options?: { maxRounds?: number }): Promise<DrainResult>;
  /**
   * Drains until the outbox holds no pending event (events held by other workers, or waiting
   * for a retry, are waited for by polling); parked events do not count. Returns the backlog
   * left (`pending` 0, maybe `parked`); a TIMEOUT FlowError after `timeoutMs` (default 120,000).
   */
  settle(options?: { timeoutMs?: number; pollMs?: number }): Promise<OutboxBacklog>;
  /** Asks for a drain soon (after a commit); calls coalesce into one. Never throws. */
  kick(): void;
  /** Starts the worker loop: drain, then wait `idleMs` or a kick. */
  start(): void;
  /** Stops the loop and waits for the round in flight and any kicked drain. */
  stop(): Promise<void>;
  /** Releases parked events (all or the given ids) for another round of attempts. */
  retryParked(ids?: string[]): Promise<number>;
  stats(): RelayStats;
}

/** A VALIDATION FlowError naming `field` unless `value` is a whole number ≥ `min`. */
function optionsObject(field: string, value: unknown, known: readonly string[]): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new FlowValidationError(field, 'must be an object');
  const problem = findUnstorable(value);
  if (problem) throw new FlowValidationError(joinInputPath(field, problem.path), problem.rule);
  const unknown = Object.keys(value).find((k) => !known.includes(k));
  if (unknown !== undefined) throw new FlowValidationError(`${field}.${unknown}`, 'is not an option');
}

function wholeAtLeast(field: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min)
    throw new FlowValidationError(field, `must be a whole number of at least ${min}`);
}

/** One run of the worker loop: `running` is its own, so a stopped loop never revives. */
interface WorkerLoop {
  running: boolean;
  done: Promise<void>;
  /** Ends the loop's idle pause early (set while it pauses). */
  wake: (() => void) | null;
}

/**
 * The relay's tunables with their defaults, checked: a VALIDATION FlowError names a bad one.
 * `createDataLayer` checks them before it opens any connection.
 */
export function relaySettings(options: Omit<RelayOptions, 'outbox' | 'handlers'>) {
  const settings = {
    batchSize: options.batchSize ?? 100,
    leaseMs: options.leaseMs ?? 30_000,
    maxAttempts: options.maxAttempts ?? 8,
    baseDelayMs: options.baseDelayMs ?? 500,
    maxDelayMs: options.maxDelayMs ?? 300_000,
    idleMs: options.idleMs ?? 500,
  };
  wholeAtLeast('relay batchSize', settings.batchSize, 1);
  wholeAtLeast('relay maxAttempts', settings.maxAttempts, 1);
  wholeAtLeast('relay leaseMs', settings.leaseMs, 1);
  wholeAtLeast('relay baseDelayMs', settings.baseDelayMs, 0);
  wholeAtLeast('relay maxDelayMs', settings.maxDelayMs, 0);
  wholeAtLeast('relay idleMs', settings.idleMs, 1);
  return settings;
}

/**
 * Creates a relay over the outbox.
 * @example
 * const relay = createRelay({ outbox: relational.outbox, handlers: { 'interaction.recorded': applyInteraction } });
 * relay.start(); // … await relay.stop();
 */
export function createRelay(options: RelayOptions): Relay {
  const { batchSize, leaseMs, maxAttempts, baseDelayMs, maxDelayMs, idleMs } = relaySettings(options);

  const totals: DrainResult = { applied: 0, retried: 0, parked: 0, rounds: 0 };
  let lastError: string | null = null;
  // The worker loop; a loop stopped while its round runs ends on its own flag, so a start()
  // during a stop() begins a new loop instead of reviving the old one.
  let worker: WorkerLoop | null = null;
  let kicked: Promise<unknown> | null = null;
  let kickAgain = false;

  const delayFor = (attempts: number) =>
    Math.round(Math.min(maxDelayMs, baseDelayMs * 2 ** Math.max(0, attempts - 1)) * (0.5 + Math.random()));

  async function applyOne(
    event: OutboxRow,
    result: DrainResult,
    held: Map<string, OutboxRow>,
  ): Promise<string | null> {
    const handler = options.handlers[event.event_type];
    const started = performance.now();
    try {
      if (!handler) throw new PermanentError(`no handler for event type ${event.event_type}`);
      await handler(event);
      options.observer?.event(event.event_type, 'applied', performance.now() - started);
      return event.id;
    } catch (error) {
      const ms = performance.now() - started;
      // Its retry delay or parking replaces the lease: no longer renewed.
      held.delete(event.id);
      const message = error instanceof Error ? error.message : String(error);
      if (error instanceof PermanentError || event.attempts >= maxAttempts) {
        await options.outbox.park(event.id, message);
        result.parked++;
        totals.parked++;
        options.observer?.event(event.event_type, 'parked', ms);
        options.onFailure?.(event, error, 'parked');
      } else {
        await options.outbox.fail(event.id, message, delayFor(event.attempts));
        result.retried++;
        totals.retried++;
        options.observer?.event(event.event_type, 'retried', ms);
        options.onFailure?.(event, error, 'retry');
      }
      return null;
    }
  }

  async function drain(drainOptions: { maxRounds?: number } = {}): Promise<DrainResult> {
    const result: DrainResult = { applied: 0, retried: 0, parked: 0, rounds: 0 };
    optionsObject('relay.drain options', drainOptions, ['maxRounds']);
    if (drainOptions.maxRounds !== undefined)
      wholeAtLeast('relay.drain maxRounds', drainOptions.maxRounds, 1);
    const maxRounds = drainOptions.maxRounds ?? Number.POSITIVE_INFINITY;
    while (result.rounds < maxRounds) {
      const roundStarted = performance.now();
      let events: OutboxRow[];
      try {
        events = await options.outbox.claim(batchSize, leaseMs);
      } catch (error) {
        options.observer?.round(performance.now() - roundStarted, false);
        throw error;
      }
      if (events.length === 0) break;
      result.rounds++;
      totals.rounds++;
      // The round's events stay leased until they are completed, however long the slowest
      // handler runs: renewed every third of a lease (a worker that dies stops renewing).
      const held = new Map(events.map((e) => [e.id, e]));
      const renewal = setInterval(
        () => {
          if (held.size > 0) options.outbox.extendLease([...held.values()], leaseMs).catch(() => {});
        },
        Math.max(1, Math.floor(leaseMs / 3)),
      );
      let ids: string[];
      try {
        // One event per aggregate per claim: the batch can be applied in parallel.
        const done = await Promise.all(events.map((e) => applyOne(e, result, held)));
        ids = done.filter((id): id is string => id !== null);
        if (ids.length) await options.outbox.complete(ids);
        options.observer?.round(performance.now() - roundStarted, true);
      } catch (error) {
        options.observer?.round(performance.now() - roundStarted, false);
        throw error;
      } finally {
        clearInterval(renewal);
      }
      result.applied += ids.length;
      // Counted as each round completes, not when the drain ends: stats() agrees with the outbox
      // (and with the per-event metrics) the moment the events are marked done.
      totals.applied += ids.length;
    }
    return result;
  }

  function kick(): void {
    if (kicked) {
      kickAgain = true;
      return;
    }
    if (worker?.wake) {
      worker.wake();
      return;
    }
    kicked = (async () => {
      do {
        kickAgain = false;
        try {
          await drain();
          lastError = null;
        } catch (error) {
          // The worker loop or the next kick picks the events up again; nothing is lost.
          lastError = error instanceof Error ? error.message : String(error);
        }
      } while (kickAgain);
    })().finally(() => {
      kicked = null;
    });
  }

  async function settle(settleOptions: { timeoutMs?: number; pollMs?: number } = {}): Promise<OutboxBacklog> {
    optionsObject('relay.settle options', settleOptions, ['timeoutMs', 'pollMs']);
    const timeoutMs = settleOptions.timeoutMs ?? 120_000;
    const pollMs = settleOptions.pollMs ?? 100;
    wholeAtLeast('relay.settle timeoutMs', timeoutMs, 1);
    wholeAtLeast('relay.settle pollMs', pollMs, 1);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      // A kicked drain in flight finishes first: two drainers of this process would only
      // compete for the same leases.
      await kicked;
      await drain();
      const backlog = await options.outbox.backlog();
      if (backlog.pending === 0) return backlog;
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new FlowError(
          'TIMEOUT',
          `relay.settle: ${backlog.pending} outbox events still pending after ${timeoutMs} ms`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(pollMs, left)));
    }
  }

  return {
    drain,
    settle,
    kick,
    start() {
      if (worker) return;
      const self: WorkerLoop = { running: true, done: Promise.resolve(), wake: null };
      self.done = (async () => {
        let failures = 0;
        while (self.running) {
          let pause = idleMs;
          try {
            await drain();
            lastError = null;
            failures = 0;
          } catch (error) {
            lastError = error instanceof Error ? error.message : String(error);
            failures++;
            pause = Math.min(maxDelayMs, idleMs * 2 ** Math.min(failures, 10));
          }
          if (!self.running) break;
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, pause);
            self.wake = () => {
              clearTimeout(timer);
              resolve();
            };
          });
          self.wake = null;
        }
      })();
      worker = self;
    },
    async stop() {
      const stopping = worker;
      worker = null;
      if (stopping) {
        stopping.running = false;
        stopping.wake?.();
        await stopping.done;
      }
      await kicked;
    },
    retryParked: (ids) => options.outbox.retryParked(ids),
    stats: () => ({ ...totals, running: worker !== null, lastError }),
  };
}
