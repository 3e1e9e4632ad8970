// A ConsumerStore that keeps nothing on disk: for consumers with mem_storage
// on a file stream (ordered consumers ask for it), so they cost no file I/O.

import type { ConsumerMeta, ConsumerState, ConsumerStore } from "../store/types.js";

export class MemoryConsumerStore implements ConsumerStore {
  private metaValue: ConsumerMeta | null = null;
  private stateValue: ConsumerState | null = null;

  constructor(readonly name: string) {}

  meta(): ConsumerMeta | null {
    return this.metaValue;
  }

  setMeta(meta: ConsumerMeta): void {
    this.metaValue = meta;
  }

  state(): ConsumerState | null {
    return this.stateValue;
  }

  update(state: ConsumerState): void {
    this.stateValue = state;
  }

  flushPending(): void {}

  delete(): void {
    this.metaValue = null;
    this.stateValue = null;
  }
}
