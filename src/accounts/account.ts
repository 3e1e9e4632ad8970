// Account: a subject namespace. Owns the SubjectTrie of its subscriptions
// and the set of its client connections. It does not deliver messages.

import { SubjectTrie } from "../sublist/subject-trie.js";
import type { SubjectMapping } from "./subject-mapping.js";
import type { Subscription } from "../server/subscription.js";
import type { ClientConnection } from "../server/connection.js";

export const GLOBAL_ACCOUNT = "$G";

export class Account {
  readonly sublist: SubjectTrie<Subscription>;
  readonly clients = new Set<ClientConnection>();
  /** Subject mappings applied to every message published into this account. */
  mappings: SubjectMapping[] = [];

  constructor(readonly name: string, useCache = true) {
    this.sublist = new SubjectTrie<Subscription>(useCache);
  }
}
