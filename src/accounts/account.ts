// Account: a subject namespace. Owns the SubjectTrie of its subscriptions,
// the set of its client connections, its limits, its export and import
// tables and the pending responses of its service exports. It does not
// deliver messages (delivery.ts does; imports are subscriptions whose
// targets forward, see imports.ts).

import { SubjectTrie } from "../sublist/subject-trie.js";
import type { SubjectMapping } from "./subject-mapping.js";
import type { Subscription } from "../server/subscription.js";
import type { ClientConnection } from "../server/connection.js";
import { unlimitedAccountLimits, type AccountLimitsConfig } from "./config-types.js";
import type { ServiceExport, StreamExport } from "./exports.js";
import type { ServiceImport, StreamImport } from "./imports.js";
import type { ServiceReplies } from "./service-replies.js";
import type { JetStreamAccountLimits } from "../options.js";

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
  limits: AccountLimitsConfig = unlimitedAccountLimits();
  nkey = "";
  readonly streamExports = new Map<string, StreamExport>();
  readonly serviceExports = new Map<string, ServiceExport>();
  streamImports: StreamImport[] = [];
  readonly serviceImports = new Map<string, ServiceImport>();
  /** Pending responses of this account's service exports (created on first use). */
  replies: ServiceReplies | null = null;
  /** Connection id shown for the account's internal subscriptions (imports, responses). */
  internalCid = 0;
  /** The `jetstream` value of the account's config block, as written. */
  jetstreamConfig: unknown = undefined;
  /**
   * Operator mode: the JetStream limits of the account's JWT by tier ("" =
   * default tier); null = the JWT grants no JetStream; undefined = not a JWT account.
   */
  jwtJetStream: Record<string, JetStreamAccountLimits> | null | undefined = undefined;
  /**
   * Per-account state of subsystems above accounts (JetStream), keyed by
   * the subsystem; account code never looks inside.
   */
  readonly extensions = new Map<string | symbol, unknown>();

  constructor(
    readonly name: string,
    useCache = true,
  ) {
    this.sublist = new SubjectTrie<Subscription>(useCache);
  }

  /** Message counters of closed connections plus the live ones (for monitoring; not on the hot path). */
  messageTotals(): MessageTotals {
    const t = { ...this.closedTotals };
    for (const c of this.clients) addMessageTotals(t, c);
    return t;
  }
}
