// Account: a subject namespace. Owns the SubjectTrie of its subscriptions
// and the set of its client connections. It does not deliver messages.

import { SubjectTrie } from "../sublist/subject-trie.js";
import type { SubjectMapping } from "./subject-mapping.js";
import type { Subscription } from "../server/subscription.js";
import type { ClientConnection } from "../server/connection.js";

export const GLOBAL_ACCOUNT = "$G";

/** In/out message and byte counts (a ClientConnection has these fields too). */
export interface MessageTotals {
  inMsgs: number;
  outMsgs: number;
  inBytes: number;
  outBytes: number;
}

export function addMessageTotals(into: MessageTotals, from: MessageTotals): void {
  into.inMsgs += from.inMsgs;
  into.outMsgs += from.outMsgs;
  into.inBytes += from.inBytes;
  into.outBytes += from.outBytes;
}

export class Account {
  readonly sublist: SubjectTrie<Subscription>;
  readonly clients = new Set<ClientConnection>();
  /** Subject mappings applied to every message published into this account. */
  mappings: SubjectMapping[] = [];
  /** Last change of the account's definition (monitoring `update_time`). */
  updated = new Date();
  /** Counters of this account's connections that have closed (added by the server on close). */
  readonly closedTotals: MessageTotals = { inMsgs: 0, outMsgs: 0, inBytes: 0, outBytes: 0 };
  slowConsumers = 0;

  constructor(readonly name: string, useCache = true) {
    this.sublist = new SubjectTrie<Subscription>(useCache);
  }

  /** Message counters of closed connections plus the live ones (for monitoring; not on the hot path). */
  messageTotals(): MessageTotals {
    const t = { ...this.closedTotals };
    for (const c of this.clients) addMessageTotals(t, c);
    return t;
  }
}
