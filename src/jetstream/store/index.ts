// The storage layer's public surface: the interface, both stores, snapshots.

export * from "./types.js";
export { MemoryStore, memStoreMsgSize } from "./memory-store.js";
export { restoreSnapshot, type RestorableStore } from "./snapshot.js";
