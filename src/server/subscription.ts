// Subscription: one interest of one message target, as stored in an account's
// SubjectTrie. Holds the pre-encoded sid and the auto-unsubscribe counter.

import type { TrieSubscription } from "../sublist/subject-trie.js";
import type { MessageTarget } from "./message-target.js";

export class Subscription implements TrieSubscription {
  /** The sid as bytes, written into every MSG for this subscription. */
  readonly sidBytes: Buffer;
  /** Auto-unsubscribe after this many messages (0 = never). */
  max = 0;
  delivered = 0;
  closed = false;

  constructor(
    readonly target: MessageTarget,
    readonly subject: string,
    readonly queue: string | undefined,
    readonly sid: string,
  ) {
    this.sidBytes = Buffer.from(sid, "latin1");
  }
}
