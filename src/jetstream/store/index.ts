// The storage layer's public surface: the interface, both stores, snapshots.

export * from "./types.js";
export { MemoryStore, memStoreMsgSize } from "./memory-store.js";
export { restoreSnapshot, type RestorableStore } from "./snapshot.js";
export { FileStore } from "./file-store.js";
export { fileStoreMsgSize } from "./block-format.js";
export { listAccountNames, listStreamNames } from "./store-paths.js";
export type { StoreIo } from "./store-io.js";
