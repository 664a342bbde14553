import { type FileHandle, open } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import { parseLosslessJson, stringifyLosslessJson } from '../engine/lossless-json.js';

/** A record could not be appended; `rolledBack` tells whether the log is back to its previous end. */
export class WalAppendError extends Error {
  override readonly name = 'WalAppendError';
  constructor(
    readonly path: string,
    readonly rolledBack: boolean,
    cause: unknown,
  ) {
    super(
      `${path}: appending to the write-ahead log failed (${(cause as Error)?.message ?? String(cause)})${
        rolledBack ? '' : ' and the log could not be cut back to its last complete record'
      }`,
      { cause },
    );
  }
}

/**
 * An append-only, checksummed log of write batches. Each record is
 * `[u32 length][u32 crc32][length bytes of JSON]`; a batch is acknowledged only after fdatasync,
 * and replay stops at the first torn or corrupt record, so a crash loses at most the batch that
 * was being written. A failed append is cut back off the log (see `append`), so a later record
 * never sits behind a torn one.
 */
export class WriteAheadLog {
  private constructor(
    private handle: FileHandle,
    private size: number,
    readonly path: string,
  ) {}

  /** Opens (or creates) the log, returns the intact records and truncates any torn tail. */
  static async open(path: string): Promise<{ wal: WriteAheadLog; records: unknown[] }> {
    const handle = await open(path, 'a+');
    const buf = await handle.readFile();
    const records: unknown[] = [];
    let off = 0;
    while (off + 8 <= buf.length) {
      const len = buf.readUInt32LE(off);
      const sum = buf.readUInt32LE(off + 4);
      if (off + 8 + len > buf.length) break;
      const body = buf.subarray(off + 8, off + 8 + len);
      if (crc32(body) !== sum) break;
      try {
        records.push(parseLosslessJson(body.toString('utf8')));
      } catch {
        break;
      }
      off += 8 + len;
    }
    if (off < buf.length) {
      await handle.truncate(off);
      await handle.datasync();
    }
    return { wal: new WriteAheadLog(handle, off, path), records };
  }

  get bytes(): number {
    return this.size;
  }

  /**
   * Appends one record and waits until it is on disk. When the write or the fsync fails (ENOSPC,
   * EIO, a file size limit), the log is cut back to its previous length, so a torn or unacknowledged
   * record never sits in front of later ones, and the error is rethrown as a `WalAppendError`.
   * When even that cut fails, the error says so (`rolledBack: false`): the tail is then unknown
   * and the log must not be appended to again.
   */
  async append(record: unknown): Promise<void> {
    const body = Buffer.from(stringifyLosslessJson(record), 'utf8');
    const frame = Buffer.allocUnsafe(8 + body.length);
    frame.writeUInt32LE(body.length, 0);
    frame.writeUInt32LE(crc32(body), 4);
    body.copy(frame, 8);
    try {
      // A file write may be short (a size limit reached mid-record) without an error: keep going
      // until the whole frame is written or the next write says why it cannot be.
      let written = 0;
      while (written < frame.length) {
        const { bytesWritten } = await this.handle.write(frame, written, frame.length - written, null);
        written += bytesWritten;
      }
      await this.handle.datasync();
    } catch (cause) {
      let rolledBack = true;
      try {
        await this.handle.truncate(this.size);
        await this.handle.datasync();
      } catch {
        rolledBack = false;
      }
      throw new WalAppendError(this.path, rolledBack, cause);
    }
    this.size += frame.length;
  }

  /** Empties the log after a snapshot made its records redundant. */
  async reset(): Promise<void> {
    await this.handle.truncate(0);
    // The log is empty from here on even if the fsync below fails: a later cut-back must not
    // extend it to its old length.
    this.size = 0;
    await this.handle.datasync();
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}
