import { type FileHandle, open } from 'node:fs/promises';
import { crc32 } from 'node:zlib';

/**
 * An append-only, checksummed log of write batches. Each record is
 * `[u32 length][u32 crc32][length bytes of JSON]`; a batch is acknowledged only after fdatasync,
 * and replay stops at the first torn or corrupt record, so a crash loses at most the batch that
 * was being written.
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
        records.push(JSON.parse(body.toString('utf8')));
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

  /** Appends one record and waits until it is on disk. */
  async append(record: unknown): Promise<void> {
    const body = Buffer.from(JSON.stringify(record), 'utf8');
    const frame = Buffer.allocUnsafe(8 + body.length);
    frame.writeUInt32LE(body.length, 0);
    frame.writeUInt32LE(crc32(body), 4);
    body.copy(frame, 8);
    await this.handle.write(frame, 0, frame.length, null);
    await this.handle.datasync();
    this.size += frame.length;
  }

  /** Empties the log after a snapshot made its records redundant. */
  async reset(): Promise<void> {
    await this.handle.truncate(0);
    await this.handle.datasync();
    this.size = 0;
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}
