// MessageTarget: whatever owns a subscription and receives the messages
// routed to it — a client connection (encodes MSG/HMSG into its outbound
// buffer), an internal client (calls an in-process handler: $SYS services,
// the JetStream API, streams), later route/leaf/gateway peers. Delivery code
// knows only this interface; it must not grow knowledge of any one kind.

import type { Account } from "../accounts/account.js";
import type { Subscription } from "./subscription.js";

export const enum TargetKind {
  Client = 0,
  Internal = 1,
}

export interface MessageTarget {
  readonly kind: TargetKind;
  /** Connection id (internal clients get one too, as in Go). */
  readonly cid: number;
  readonly account: Account;
  readonly closed: boolean;
  /** False when the target does not want its own publications back (CONNECT echo:false). */
  readonly echo: boolean;
  /**
   * Take one message for `sub`. `buf[start, start+size)` holds the header
   * block (first hdrLen bytes, hdrLen -1 when none) and then the payload; it
   * is only valid during the call. `publisher` is who published it (null for
   * the server itself). False when the target refused it (a permission deny
   * rule): a queue group then tries another member, and it does not count.
   */
  deliver(sub: Subscription, subject: string, reply: string | undefined, hdrLen: number, buf: Buffer, start: number, size: number, publisher: MessageTarget | null): boolean;
  /**
   * deliver() with the reply subject as bytes, reply[0, replyLen) (JetStream
   * ack subjects, new for every delivery), for targets that copy what they
   * take before returning (client connections). Absent for the others: they
   * get the reply as a string and a copy of the message.
   */
  deliverReplyBytes?(sub: Subscription, subject: string, reply: Buffer, replyLen: number, hdrLen: number, buf: Buffer, start: number, size: number): boolean;
  /**
   * Go's ClientInfo of whoever this is, for Nats-Request-Info and latency
   * metrics (`detailed`: the full record, else only account and RTT).
   * Absent for targets that are not clients.
   */
  clientInfo?(detailed: boolean): Record<string, unknown>;
  /** Drop a subscription (auto-unsubscribe reached its max). */
  removeSub(sub: Subscription): void;
}
