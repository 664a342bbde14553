import { closeSync, mkdtempSync, openSync, readSync, rmdirSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// A file nobody references any more is closed when its store is collected.
const closer = new FinalizationRegistry<number>((fd) => {
  try {
    closeSync(fd);
  } catch {
    // already closed
  }
});

/**
 * Fixed-size rows in an anonymous file (created in the temp folder and unlinked at once, so the
 * operating system frees it with the descriptor): a vector store's float32 originals for
 * `on_disk: true`. The process holds none of it; the page cache keeps what is read often, as
 * Qdrant's memory-mapped vector storage does. It is not the durable copy: the engine's log and
 * snapshot are.
 */
export class RowFile {
  private readonly fd: number;

  constructor(readonly rowBytes: number) {
    const dir = mkdtempSync(join(tmpdir(), 'qdrant-local-rows-'));
    const path = join(dir, 'rows');
    this.fd = openSync(path, 'w+');
    unlinkSync(path);
    rmdirSync(dir);
    closer.register(this, this.fd);
  }

  write(slot: number, bytes: Uint8Array): void {
    writeSync(this.fd, bytes, 0, this.rowBytes, slot * this.rowBytes);
  }

  /** Reads `count` rows from `slot` into `into` (rows past the end of the file read as zeros). */
  read(slot: number, count: number, into: Uint8Array): void {
    const length = count * this.rowBytes;
    let done = 0;
    while (done < length) {
      const n = readSync(this.fd, into, done, length - done, slot * this.rowBytes + done);
      if (n === 0) break;
      done += n;
    }
    if (done < length) into.fill(0, done, length);
  }
}
