// ConsumerStore kept in process memory: the consumer's meta and last state
// reference. Every consumer of a memory stream has one, and so has a consumer
// with mem_storage on a file stream (ordered consumers ask for it), so that it
// costs no file I/O. Nothing is written anywhere.

import type { ConsumerMeta, ConsumerState, ConsumerStore } from "./types.js";

export class MemoryConsumerStore implements ConsumerStore {
  private currentMeta: ConsumerMeta | null = null;
  private current: ConsumerState | null = null;

  constructor(
    readonly name: string,
    /** Tells the owning stream store (a memory stream lists its consumers); null when nothing lists it. */
    private readonly onDelete: (() => void) | null = null,
  ) {}

  meta(): ConsumerMeta | null {
    return this.currentMeta;
  }

  setMeta(meta: ConsumerMeta): void {
    this.currentMeta = meta;
  }

  state(): ConsumerState | null {
    return this.current;
  }

  update(state: ConsumerState): void {
    this.current = state;
  }

  flushPending(): void {}

  delete(): void {
    this.currentMeta = null;
    this.current = null;
    this.onDelete?.();
  }
}
