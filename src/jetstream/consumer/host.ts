// What a consumer needs from its stream, and nothing more: the store, the
// stream's config, the account's internal JetStream client and routing, and
// a way to ask the stream to remove a message for retention. The stream
// implements this; consumer code never reaches into stream internals.

import type { Account } from "../../accounts/account.js";
import type { InternalClient } from "../../server/internal-client.js";
import type { MessageStore } from "../store/types.js";

/** The stream config fields consumers read (Go's StreamConfig JSON names). */
export interface ConsumerStreamConfig {
  name: string;
  subjects?: string[];
  retention?: "limits" | "interest" | "workqueue";
  storage?: "file" | "memory";
  num_replicas?: number;
  max_msgs_per_subject?: number;
  max_consumers?: number;
  consumer_limits?: { inactive_threshold?: number; max_ack_pending?: number };
}

export interface ConsumerStreamHost {
  readonly name: string;
  readonly store: MessageStore;
  config(): ConsumerStreamConfig;
  /** The account's JetStream internal client: deliveries, advisories, ack and pull subscriptions. */
  readonly client: InternalClient;
  readonly account: Account;
  /** Server.deferToCycleEnd: run after the current read cycle's messages, before output flush. */
  deferToCycleEnd(task: () => void): void;
  /** Remove a message because retention (interest / workqueue) no longer needs it, through the stream's apply path. */
  removeMsg(seq: number): void;
  /** JetStream domain, for advisories. */
  readonly jsDomain?: string;
}
