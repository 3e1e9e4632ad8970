// ConsumerStore of a file stream, in <stream>/obs/<consumer>/: the consumer
// meta in two checksummed copies (meta.A, meta.B, both written by setMeta) and
// the consumer state written alternately to state.A and state.B with a rising
// generation, so a torn or damaged write falls back to the previous state
// instead of losing the consumer. One small file write per flush, over the
// slot's old bytes (no truncation: truncating a file whose pages are being
// written back waits for that write-back; bytes after a slot are ignored).

import * as fs from "node:fs";
import { decodeConsumerState, encodeConsumerState } from "./consumer-state-codec.js";
import { encodeSlot, readBest, slotPaths, writeBoth } from "./dual-file.js";
import { errnoOf, writeFully, type StoreIo } from "./store-io.js";
import { StoreError, type ConsumerMeta, type ConsumerState, type ConsumerStore } from "./types.js";

export class FileConsumerStore implements ConsumerStore {
  private currentMeta: ConsumerMeta | null = null;
  private current: ConsumerState | null = null;
  private dirty = false;
  private metaGen = 0;
  private stateGen = 0;

  constructor(
    readonly name: string,
    private readonly dir: string,
    private readonly io: StoreIo,
    private readonly onDelete: () => void,
  ) {
    fs.mkdirSync(dir, { recursive: true });
    const meta = readBest(dir, "meta");
    if (meta !== null) {
      try {
        this.currentMeta = JSON.parse(meta.payload.toString()) as ConsumerMeta;
        this.metaGen = meta.gen;
      } catch {
        this.currentMeta = null;
      }
    }
    const st = readBest(dir, "state");
    if (st !== null) {
      try {
        this.current = decodeConsumerState(Buffer.from(st.payload));
        this.stateGen = st.gen;
      } catch {
        this.current = null;
      }
    }
  }

  meta(): ConsumerMeta | null {
    return this.currentMeta;
  }

  setMeta(meta: ConsumerMeta): void {
    try {
      writeBoth(this.dir, "meta", this.metaGen + 1, Buffer.from(JSON.stringify(meta)), (f, d) => this.io.writeFileSync(f, d));
    } catch (err) {
      throw new StoreError("write_failed", `consumer meta write failed: ${errnoOf(err)}`, errnoOf(err));
    }
    this.metaGen++;
    this.currentMeta = meta;
  }

  state(): ConsumerState | null {
    return this.current;
  }

  update(state: ConsumerState): void {
    this.current = state;
    this.dirty = true;
  }

  flushPending(): void {
    if (!this.dirty || this.current === null) return;
    const gen = this.stateGen + 1;
    const slot = gen % 2;
    const data = encodeSlot(gen, encodeConsumerState(this.current));
    try {
      this.overwrite(slotPaths(this.dir, "state")[slot], data);
    } catch (err) {
      throw new StoreError("write_failed", `consumer state write failed: ${errnoOf(err)}`, errnoOf(err));
    }
    this.stateGen = gen;
    this.dirty = false;
  }

  /** Open, write, close: no descriptor held per consumer (servers with thousands of them). */
  private overwrite(file: string, data: Buffer): void {
    let fd: number;
    try {
      fd = this.io.openSync(file, "r+");
    } catch (err) {
      if (errnoOf(err) !== "ENOENT") throw err;
      fd = this.io.openSync(file, "w");
    }
    try {
      writeFully(this.io, fd, data, 0, data.length, 0);
    } finally {
      this.io.closeSync(fd);
    }
  }

  /** Writes what is pending; the state is kept on disk. */
  close(): void {
    try {
      this.flushPending();
    } catch {
      // The previous state stays on disk; nothing more can be done at close.
    }
  }

  delete(): void {
    this.dirty = false;
    this.close();
    fs.rmSync(this.dir, { recursive: true, force: true });
    this.onDelete();
  }
}
