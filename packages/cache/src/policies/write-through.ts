// Write-through of one namespace: the writes of one member run one after the other in this
// process, each writing the source and then the cache. A cache write that failed (Redis down)
// leaves the member pending: its entry is invalidated before it is read again and on reconnect,
// so a read after `write` resolves never sees the value the source no longer holds.

/** What write-through needs from the rest of the policy. */
export interface WriteThroughPort {
  /** Deletes the member's entry (and its near-cache copy). Rejects on Redis errors. */
  invalidate(member: string): Promise<void>;
  /** Drops a getOrSet load in flight: it may have read the source before this write. */
  forgetLoad(member: string): void;
}

/** The members whose entries must be invalidated before they are read again. */
export interface PendingInvalidations {
  /** How many members are pending (0 on the hot path: no per-member check). */
  readonly pendingCount: number;
  isPending(member: string): boolean;
  /** Invalidates the member's entry and forgets it. Rejects on Redis errors (it stays pending). */
  flushPending(member: string): Promise<void>;
}

/**
 * Write-through writes and the invalidations they owe.
 * @example
 * await writes.write('u1:prefs', () => relational.users.setPreferences(id, v), () => writeEntry(...));
 */
export class WriteThrough implements PendingInvalidations {
  /** member → the last write of it in this process (the next one starts after it settles). */
  readonly #chains = new Map<string, Promise<unknown>>();
  readonly #pending = new Set<string>();
  readonly #port: WriteThroughPort;

  constructor(port: WriteThroughPort) {
    this.#port = port;
  }

  get pendingCount(): number {
    return this.#pending.size;
  }

  isPending(member: string): boolean {
    return this.#pending.has(member);
  }

  async flushPending(member: string): Promise<void> {
    await this.#port.invalidate(member);
    this.#pending.delete(member);
  }

  /**
   * Runs `writeSource`, then `writeCache` (false when the cache write was skipped or failed), after
   * any earlier write of `member` in this process. A source error rejects and leaves the cache alone.
   */
  async write(
    member: string,
    writeSource: () => Promise<void>,
    writeCache: () => Promise<boolean>,
  ): Promise<void> {
    const previous = this.#chains.get(member) ?? Promise.resolve();
    const run = previous
      .catch(() => {})
      .then(async () => {
        this.#port.forgetLoad(member);
        await writeSource();
        this.#port.forgetLoad(member);
        if (await writeCache()) this.#pending.delete(member);
        else this.#pending.add(member);
      });
    this.#chains.set(member, run);
    try {
      await run;
    } finally {
      if (this.#chains.get(member) === run) this.#chains.delete(member);
    }
  }

  /** Invalidates every pending member (on reconnect); stops at the first Redis error. */
  async replay(): Promise<void> {
    for (const member of [...this.#pending]) {
      try {
        await this.flushPending(member);
      } catch {
        return;
      }
    }
  }
}
