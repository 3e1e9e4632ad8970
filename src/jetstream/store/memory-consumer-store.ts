// ConsumerStore of a memory stream: holds the consumer's meta and last state
// reference in memory. Nothing is written anywhere.

import type { ConsumerMeta, ConsumerState, ConsumerStore } from "./types.js";

export class MemoryConsumerStore implements ConsumerStore {
  private currentMeta: ConsumerMeta | null = null;
  private current: ConsumerState | null = null;

  constructor(
    readonly name: string,
    private readonly onDelete: () => void,
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
    this.onDelete();
  }
}
