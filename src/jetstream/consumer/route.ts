// Routing of a consumer delivery: matched on the delivery subject (a push
// deliver subject or a pull request's reply inbox) but presented to the
// subscriber under the message's own stream subject, as Go does with the
// "deliver" subject of its internal publications. Called only from the
// consumer's end-of-cycle delivery run, never from inside another delivery.
// The bytes are the store's own (no copy per delivery): targets that copy at
// once (client connections, MessageTarget.deliverReplyBytes) take them and the
// reply's bytes as they are; any other target (an in-process handler might
// append to a store and so reuse those bytes) gets a copy and the reply as a
// string. A stream import of the delivery subject routes the delivery on into
// the importing account by the imported delivery subject, still presented
// under the stream subject (Go's shadow subscriptions do the same).

import type { Account } from "../../accounts/account.js";
import type { MessageTarget } from "../../server/message-target.js";
import type { Subscription } from "../../server/subscription.js";
import type { ReplyBytes } from "./ack-reply.js";
import { StreamImport } from "../../accounts/imports.js";

/** One delivery on its way to the members of a match result. */
class RoutedMessage {
  from!: MessageTarget;
  routeSubject = "";
  subject = "";
  reply!: ReplyBytes;
  buf!: Buffer;
  start = 0;
  hdrLen = -1;
  size = 0;
  /** Already forwarded through a stream import: imported streams are not forwarded again. */
  viaImport = false;
  /** The copy and the reply text for targets that need them, made at most once. */
  private copy: Buffer | null = null;
  private text: string | null = null;

  set(from: MessageTarget, routeSubject: string, subject: string, reply: ReplyBytes, buf: Buffer, start: number, hdrLen: number, size: number, viaImport: boolean): this {
    this.from = from;
    this.routeSubject = routeSubject;
    this.subject = subject;
    this.reply = reply;
    this.buf = buf;
    this.start = start;
    this.hdrLen = hdrLen;
    this.size = size;
    this.viaImport = viaImport;
    this.copy = null;
    this.text = null;
    return this;
  }

  /** Offers the message to one subscription; true when it took it. */
  take(sub: Subscription): boolean {
    if (sub.closed || sub.target.closed || (sub.max > 0 && sub.delivered >= sub.max)) return false;
    const t = sub.target;
    let took: boolean;
    if (t.deliverReplyBytes !== undefined) {
      // A target may refuse (a deny permission on the subject): another queue member gets it then.
      took = t.deliverReplyBytes(sub, this.subject, this.reply.bytes, this.reply.length, this.hdrLen, this.buf, this.start, this.size);
    } else if (t instanceof StreamImport) {
      if (this.viaImport) return false;
      const on = new RoutedMessage().set(this.from, t.importedSubject(this.routeSubject), this.subject, this.reply, this.buf, this.start, this.hdrLen, this.size, true);
      took = route(t.importer, on) > 0;
    } else {
      this.copy ??= Buffer.from(this.buf.subarray(this.start, this.start + this.size));
      this.text ??= this.reply.text();
      took = t.deliver(sub, this.subject, this.text, this.hdrLen, this.copy, 0, this.copy.length, this.from);
    }
    if (!took) return false;
    if (++sub.delivered >= sub.max && sub.max > 0) t.removeSub(sub);
    return true;
  }
}

/** Reused for every delivery run's messages (one at a time; imports take their own). */
const current = new RoutedMessage();

/** Delivers buf[start, start+size) (its first hdrLen bytes the header block; -1: none); how many subscriptions took it (0 = no interest). */
export function routeDelivery(account: Account, from: MessageTarget, routeSubject: string, subject: string, reply: ReplyBytes, buf: Buffer, start: number, hdrLen: number, size: number): number {
  return route(account, current.set(from, routeSubject, subject, reply, buf, start, hdrLen, size, false));
}

/** Every plain subscription, and one member per queue group (a random one first). */
function route(account: Account, m: RoutedMessage): number {
  const r = account.sublist.match(m.routeSubject);
  const psubs = r.psubs;
  const qsubs = r.qsubs;
  let n = 0;
  for (let i = 0; i < psubs.length; i++) if (m.take(psubs[i])) n++;
  for (let g = 0; g < qsubs.length; g++) {
    const group = qsubs[g];
    const len = group.length;
    const first = len === 1 ? 0 : Math.floor(Math.random() * len);
    for (let k = 0; k < len; k++) {
      if (m.take(group[(first + k) % len])) {
        n++;
        break;
      }
    }
  }
  return n;
}
