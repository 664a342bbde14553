import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { applyOp } from '../engine/apply.js';
import { decodeOp, encodeOp, type Op } from '../engine/ops.js';
import { EngineState } from '../engine/state.js';
import { LocalQdrantError } from '../errors.js';
import { type DirectoryLock, lockDirectory } from './lock.js';
import { readSnapshot, writeSnapshot } from './snapshot.js';
import { WalAppendError, WriteAheadLog } from './wal.js';

/** What the journal reports of itself (part of `LocalQdrant.telemetry()`). */
export interface JournalStatus {
  walBytes: number;
  snapshotBytes: number;
  lastCompactionAt: number | null;
  compactionError: string | null;
}

/**
 * The durable side of the engine: one write at a time (a promise queue), each write's ops made
 * durable in the write-ahead log before they are applied to the state, the log folded into a
 * snapshot once it passes `compactAfterBytes`, and the data directory locked while open. In
 * memory (`:memory:`) it only serializes and applies.
 */
export class Journal {
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  /** Set when the log's tail is unknown after a failed append: every later write is refused. */
  private failure: LocalQdrantError | null = null;
  /** Log size at which the next automatic compaction runs; pushed out when one fails. */
  private compactAt: number;
  private lastCompactionError: Error | null = null;
  private lastCompactionAt: number | null = null;
  /** Size of `snapshot.bin`, read at open and after each compaction. */
  private snapshotBytes = 0;

  private constructor(
    readonly state: EngineState,
    /** The data directory, null in memory. */
    readonly dir: string | null,
    private readonly wal: WriteAheadLog | null,
    private readonly compactAfterBytes: number,
    private readonly lock: DirectoryLock | null,
  ) {
    this.compactAt = compactAfterBytes;
  }

  /** A journal that keeps nothing on disk. */
  static inMemory(compactAfterBytes: number): Journal {
    return new Journal(new EngineState(), null, null, compactAfterBytes, null);
  }

  /**
   * Opens a data directory (created if missing): locks it, loads the snapshot, then replays the
   * log's records that the snapshot does not hold yet.
   */
  static async open(path: string, compactAfterBytes: number): Promise<Journal> {
    await mkdir(path, { recursive: true });
    const lock = await lockDirectory(path);
    let image: Awaited<ReturnType<typeof readSnapshot>>;
    let opened: Awaited<ReturnType<typeof WriteAheadLog.open>>;
    try {
      image = await readSnapshot(path);
      opened = await WriteAheadLog.open(`${path}/wal.log`);
    } catch (e) {
      await lock.release();
      throw e;
    }
    const { wal, records } = opened;
    const state = new EngineState();
    state.collections = image.collections;
    state.aliases = image.aliases;
    state.seq = image.seq;
    const journal = new Journal(state, path, wal, compactAfterBytes, lock);
    // The snapshot on disk is the last compaction (of this or an earlier process).
    const snapshot = await stat(join(path, 'snapshot.bin')).catch(() => null);
    if (snapshot) {
      journal.snapshotBytes = snapshot.size;
      journal.lastCompactionAt = snapshot.mtimeMs;
    }
    for (const r of records) {
      const rec = r as { seq: number; ops: unknown[] };
      // Records already folded into the snapshot (crash between rename and log reset) are skipped.
      if (rec.seq <= state.seq) continue;
      for (const op of rec.ops) applyOp(state, decodeOp(op));
      state.seq = rec.seq;
    }
    return journal;
  }

  /** True once a failed append left the log's tail unknown (writes refused until reopened). */
  get failed(): boolean {
    return this.failure !== null;
  }

  /** The error of the last automatic compaction if it failed (null once one succeeds). */
  get compactionError(): Error | null {
    return this.lastCompactionError;
  }

  status(): JournalStatus {
    return {
      walBytes: this.wal?.bytes ?? 0,
      snapshotBytes: this.snapshotBytes,
      lastCompactionAt: this.lastCompactionAt,
      compactionError: this.lastCompactionError?.message ?? null,
    };
  }

  /** Runs `fn` after every write and task queued before it, and before any queued after it. */
  serialize<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.queue.then(fn, fn);
    this.queue = p.catch(() => undefined);
    return p;
  }

  /** Builds ops under the write lock, makes them durable, then applies them; returns each op's operation id. */
  write(build: () => Op[]): Promise<number[]> {
    return this.serialize(async () => {
      if (this.closed)
        throw new LocalQdrantError(503, 'Service unavailable: the local Qdrant engine is closed');
      if (this.failure) throw this.failure;
      const ops = build();
      if (ops.length === 0) return [];
      const seq = this.state.seq + 1;
      if (this.wal) await this.log(this.wal, { seq, ops: ops.map(encodeOp) });
      this.state.seq = seq;
      const ids = ops.map((op) => applyOp(this.state, op));
      // The write is durable and applied: a failing snapshot must not turn it into an error.
      if (this.wal && this.wal.bytes > this.compactAt) await this.compactAfterWrite();
      return ids;
    });
  }

  /** Writes a snapshot of the current state and empties the log; queued behind writes in flight. */
  compact(): Promise<void> {
    return this.serialize(() => this.compactNow());
  }

  /**
   * Folds the log into a snapshot (when on disk) and releases the files and the directory lock.
   * Idempotent. The files are released even when the snapshot fails; the error is then rethrown.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.serialize(async () => {
      if (this.closed) return;
      this.closed = true;
      try {
        if (this.wal && this.wal.bytes > 0) await this.compactNow();
      } finally {
        try {
          await this.wal?.close();
        } finally {
          await this.lock?.release();
        }
      }
    });
  }

  private async compactNow(): Promise<void> {
    if (!this.wal || !this.dir) return;
    await writeSnapshot(this.dir, this.state);
    await this.wal.reset();
    this.snapshotBytes = (await stat(join(this.dir, 'snapshot.bin')).catch(() => null))?.size ?? 0;
    this.lastCompactionAt = Date.now();
    this.lastCompactionError = null;
    this.compactAt = this.compactAfterBytes;
  }

  /**
   * Makes one record durable. A failed append that was cut back off the log rejects only this
   * request (nothing was applied); one whose cut-back failed too leaves an unknown tail, so the
   * engine refuses every later write until it is reopened (which drops a torn tail).
   */
  private async log(wal: WriteAheadLog, record: unknown): Promise<void> {
    try {
      await wal.append(record);
    } catch (e) {
      if (!(e instanceof WalAppendError)) throw e;
      if (e.rolledBack) throw new LocalQdrantError(500, `Service internal error: ${e.message}`, { cause: e });
      this.failure = new LocalQdrantError(
        503,
        `Service unavailable: the local Qdrant engine stopped accepting writes: ${e.message}; reopen ${this.dir}`,
        { cause: e },
      );
      throw this.failure;
    }
  }

  /** The automatic compaction of `write`: errors are recorded and the next try waits for more log. */
  private async compactAfterWrite(): Promise<void> {
    try {
      await this.compactNow();
    } catch (e) {
      this.lastCompactionError = e instanceof Error ? e : new Error(String(e));
      this.compactAt = (this.wal?.bytes ?? 0) + this.compactAfterBytes;
    }
  }
}
