// Stand-in until the store engineer's FileStore lands: file streams are kept
// in memory and nothing is recovered. Replaced by store/file-store.ts.

import { MemoryStore, type FileStoreOptions, type MessageStore, type StreamMeta } from "./store/index.js";

export const FileStore = {
  create(_opts: FileStoreOptions, meta: StreamMeta): MessageStore {
    return new MemoryStore(meta);
  },
  open(_opts: FileStoreOptions, name: string): MessageStore {
    throw new Error(`no file store for ${name}`);
  },
};

export function listStreamNames(_storeDir: string, _account: string): string[] {
  return [];
}
