// Compresses sealed blocks of a FileStore in the background (read, deflate in
// zlib's thread pool, write a temporary file, fsync, rename over the block), so
// sealing a block never waits for compression. A block changed meanwhile (an
// erase in place, a compaction, an unlink) cancels its compression; the
// rename happens on the event loop right after the check, so no change can
// slip in between. A crash before the rename leaves a .tmp file that recovery
// deletes; the raw block stays valid throughout.

import * as fs from "node:fs";
import { scanBlock } from "./block-format.js";
import type { RecordList } from "./block-index.js";
import { compressBlock, isCompressedHead } from "./block-compression.js";

/** Temporary file names are unique in the process: a stopped store's late work cannot touch a reopened one's. */
let tmpNo = 0;

export type CompressedHook = (blockId: number, uncompressed: Buffer, records: RecordList, fileSize: number) => void;

export class BlockCompressor {
  private readonly pending = new Map<number, number>();
  private running = 0;
  private waiters: (() => void)[] = [];

  constructor(
    private readonly fileOf: (blockId: number) => string,
    private readonly isOpen: () => boolean,
    private readonly compressed: CompressedHook,
  ) {}

  schedule(blockId: number): void {
    const token = ++tmpNo;
    this.pending.set(blockId, token);
    this.running++;
    const file = this.fileOf(blockId);
    const tmp = `${file}.z${token}.tmp`;
    const current = (): boolean => this.isOpen() && this.pending.get(blockId) === token;
    const finish = (): void => {
      if (this.pending.get(blockId) === token) this.pending.delete(blockId);
      if (--this.running === 0) for (const w of this.waiters.splice(0)) w();
    };
    const abandon = (): void => {
      fs.rm(tmp, { force: true }, () => finish());
    };
    fs.readFile(file, (err, data) => {
      if (err || !current() || isCompressedHead(data, data.length)) return finish();
      const entries = scanBlock(data, data.length);
      compressBlock(data, entries).then(
        (out) => {
          if (!current()) return finish();
          fs.writeFile(tmp, out, (werr) => {
            if (werr || !current()) return abandon();
            fs.open(tmp, "r", (oerr, fd) => {
              if (oerr) return abandon();
              fs.fsync(fd, (serr) => {
                fs.close(fd, () => {
                  if (serr || !current()) return abandon();
                  try {
                    fs.renameSync(tmp, file);
                  } catch {
                    return abandon();
                  }
                  this.compressed(blockId, data, entries, out.length);
                  finish();
                });
              });
            });
          });
        },
        () => finish(),
      );
    });
  }

  /** The block is about to change or go: any compression of it in flight is dropped. Returns whether there was one. */
  cancel(blockId: number): boolean {
    return this.pending.delete(blockId);
  }

  /** Resolves when no compression is in flight (tests, and stop). */
  idle(): Promise<void> {
    if (this.running === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }
}
