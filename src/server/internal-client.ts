// InternalClient: an in-process participant in an account's routing — the
// system account's services, the JetStream API, a stream capturing its
// subjects. Its subscriptions sit in the account's SubjectTrie like a
// client's; a message routed to one calls a handler instead of encoding MSG.
// Its publications are queued on the server and routed after the current
// message, so a handler that publishes never re-enters a delivery loop.
// It must not know about sockets or protocol bytes.

import type { Account } from "../accounts/account.js";
import { TargetKind, type MessageTarget } from "./message-target.js";
import { Subscription } from "./subscription.js";

/**
 * One routed message. `hdr` (the raw header block, "NATS/1.0…\r\n\r\n", or
 * null) and `data` are views into the publisher's input: valid only during
 * the call — copy what you keep.
 */
export type InternalHandler = (subject: string, reply: string | undefined, hdr: Buffer | null, data: Buffer, publisher: MessageTarget | null) => void;

/**
 * One routed message as the publisher's bytes: buf[start, start+size), its
 * first hdrLen bytes the header block (hdrLen <= 0: none). For per-message
 * handlers that read a byte or two (JetStream acks) and would otherwise pay
 * for two views per message. Valid only during the call, as above.
 */
export type RawInternalHandler = (subject: string, reply: string | undefined, buf: Buffer, start: number, hdrLen: number, size: number) => void;

/** What an internal client needs from the server (Server implements it). */
export interface InternalRouting {
  nextClientId(): number;
  /** Route a publication after the current message (see Server.queueInternalPublish). */
  queueInternalPublish(from: InternalClient, subject: string, reply: string | undefined, hdr: Buffer | null, data: Buffer): void;
}

export class InternalClient implements MessageTarget {
  readonly kind = TargetKind.Internal;
  readonly cid: number;
  readonly echo = true;
  closed = false;
  private readonly handlers = new Map<Subscription, { raw: false; fn: InternalHandler } | { raw: true; fn: RawInternalHandler }>();
  private nextSid = 1;

  constructor(
    private readonly routing: InternalRouting,
    readonly account: Account,
    /** What it is, for logs and monitoring ("JetStream API", "$SYS"). */
    readonly name: string,
  ) {
    this.cid = routing.nextClientId();
  }

  subscribe(subject: string, handler: InternalHandler, queue?: string): Subscription {
    const sub = new Subscription(this, subject, queue, String(this.nextSid++));
    this.handlers.set(sub, { raw: false, fn: handler });
    this.account.sublist.insert(sub);
    return sub;
  }

  /** subscribe() for a RawInternalHandler. */
  subscribeRaw(subject: string, handler: RawInternalHandler): Subscription {
    const sub = new Subscription(this, subject, undefined, String(this.nextSid++));
    this.handlers.set(sub, { raw: true, fn: handler });
    this.account.sublist.insert(sub);
    return sub;
  }

  removeSub(sub: Subscription): void {
    if (sub.closed || !this.handlers.delete(sub)) return;
    sub.closed = true;
    this.account.sublist.remove(sub);
  }

  /** Publish into this client's account. `hdr` is a full header block or null. */
  publish(subject: string, reply: string | undefined, data: Buffer | string, hdr: Buffer | null = null): void {
    if (this.closed) return;
    this.routing.queueInternalPublish(this, subject, reply, hdr, typeof data === "string" ? Buffer.from(data) : data);
  }

  deliver(sub: Subscription, subject: string, reply: string | undefined, hdrLen: number, buf: Buffer, start: number, size: number, publisher: MessageTarget | null): boolean {
    const handler = this.handlers.get(sub);
    if (handler === undefined) return false;
    if (handler.raw) {
      handler.fn(subject, reply, buf, start, hdrLen, size);
      return true;
    }
    const hdr = hdrLen > 0 ? buf.subarray(start, start + hdrLen) : null;
    const data = buf.subarray(start + (hdrLen > 0 ? hdrLen : 0), start + size);
    handler.fn(subject, reply, hdr, data, publisher);
    return true;
  }

  /** Remove every subscription; later publications are dropped. */
  close(): void {
    if (this.closed) return;
    for (const sub of [...this.handlers.keys()]) this.removeSub(sub);
    this.closed = true;
  }
}
