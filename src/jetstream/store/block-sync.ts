// When a FileStore's block files reach the device: which sealed blocks and
// whether the msgs directory still need an fsync, and the sync_interval tick
// that does it in the background (with sync_always the writer fsyncs each
// batch itself and directory changes are synced at once). It only fsyncs:
// it must not write, truncate or remove any file.

import * as fs from "node:fs";
import type { StoreIo } from "./store-io.js";

const DEFAULT_SYNC_INTERVAL_MS = 120_000;

export interface BlockSyncOptions {
  io: StoreIo;
  /** The directory holding the block files. */
  msgsDir: string;
  blockFile: (id: number) => string;
  syncAlways: boolean;
  /** The sync_interval; 0 or absent: Go's default (2 minutes). */
  intervalMs: number | undefined;
  /** The active block's descriptor, -1 when none is open. */
  activeFd: () => number;
}

export class BlockSync {
  private readonly io: StoreIo;
  private readonly msgsDir: string;
  private readonly blockFile: (id: number) => string;
  private readonly syncAlways: boolean;
  private readonly activeFd: () => number;
  private timer: NodeJS.Timeout | null = null;
  /** Blocks sealed since the last sync tick, and whether the directory changed since. */
  private readonly unsynced = new Set<number>();
  private dirUnsynced = false;

  constructor(o: BlockSyncOptions) {
    this.io = o.io;
    this.msgsDir = o.msgsDir;
    this.blockFile = o.blockFile;
    this.syncAlways = o.syncAlways;
    this.activeFd = o.activeFd;
    if (!this.syncAlways) {
      const every = o.intervalMs && o.intervalMs > 0 ? o.intervalMs : DEFAULT_SYNC_INTERVAL_MS;
      this.timer = setInterval(() => this.syncInBackground(), every);
      this.timer.unref();
    }
  }

  /** The store closes: no more ticks. */
  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
  }

  /**
   * A block was sealed. Sealing does not fsync it (Go does not either): with a block rolled many
   * times a second, that would turn page-cache writes into disk writes; the next tick does it.
   * With sync_always its bytes were fsynced by every flush.
   */
  blockSealed(id: number): void {
    if (!this.syncAlways) this.unsynced.add(id);
  }

  /** A block file was created or rewritten: its directory entry needs a sync (now with sync_always). */
  directoryChanged(): void {
    if (!this.syncAlways) {
      this.dirUnsynced = true;
      return;
    }
    try {
      this.fsyncNow(this.msgsDir);
    } catch {
      // Some file systems cannot fsync a directory; the file data itself is synced.
    }
  }

  /** The sync_interval tick: fsync the active block, the blocks sealed since the last tick and the directory, all asynchronously. */
  private syncInBackground(): void {
    const activeFd = this.activeFd();
    if (activeFd >= 0) this.io.fsync(activeFd, () => undefined);
    for (const id of this.unsynced) this.fsyncLater(this.blockFile(id));
    this.unsynced.clear();
    if (this.dirUnsynced) {
      this.dirUnsynced = false;
      this.fsyncLater(this.msgsDir);
    }
  }

  /** Graceful stop: the sealed blocks not yet synced are synced now. */
  syncSealedNow(): void {
    for (const id of this.unsynced) {
      try {
        this.fsyncNow(this.blockFile(id));
      } catch {
        // Gone (removed meanwhile) or not syncable: nothing more to do at stop.
      }
    }
    this.unsynced.clear();
    this.dirUnsynced = false;
  }

  private fsyncLater(file: string): void {
    fs.open(file, "r", (err, fd) => {
      if (!err) this.io.fsync(fd, () => fs.close(fd, () => undefined));
    });
  }

  private fsyncNow(file: string): void {
    const fd = fs.openSync(file, "r");
    try {
      this.io.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  }
}
