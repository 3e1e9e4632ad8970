// Routing of a consumer delivery: matched on the delivery subject (a push
// deliver subject or a pull request's reply inbox) but presented to the
// subscriber under the message's own stream subject, as Go does with the
// "deliver" subject of its internal publications. Called only from the
// consumer's end-of-cycle delivery run, never from inside another delivery.
// The bytes are the store's own (no copy per delivery): client connections
// copy them into their output at once; for any other kind of target (an
// in-process handler might append to a store and so reuse those bytes) they
// are copied first. The reply subject comes as bytes (built per delivery);
// client connections write those bytes, anyone else gets its string. A
// stream import of the delivery subject routes the delivery on into the
// importing account by the imported delivery subject, still presented
// under the stream subject (Go's shadow subscriptions do the same).
// Returns how many subscriptions took the message (0 = no interest).

import type { Account } from "../../accounts/account.js";
import { TargetKind, type MessageTarget } from "../../server/message-target.js";
import type { Subscription } from "../../server/subscription.js";
import type { ClientConnection } from "../../server/connection.js";
import type { ReplyBytes } from "./ack-reply.js";
import { StreamImport } from "../../accounts/imports.js";

/** Delivers buf[start, start+size) (its first hdrLen bytes the header block; -1: none). */
export function routeDelivery(account: Account, from: MessageTarget, routeSubject: string, subject: string, reply: ReplyBytes, buf: Buffer, start: number, hdrLen: number, size: number, viaImport = false): number {
  const r = account.sublist.match(routeSubject);
  const psubs = r.psubs;
  const qsubs = r.qsubs;
  if (psubs.length === 0 && qsubs.length === 0) return 0;
  if (!onlyClients(psubs, qsubs)) return routeToAny(psubs, qsubs, from, routeSubject, subject, reply, buf, start, hdrLen, size, viaImport);
  let n = 0;
  for (let i = 0; i < psubs.length; i++) if (deliverToClient(psubs[i], subject, reply, hdrLen, buf, start, size)) n++;
  for (let g = 0; g < qsubs.length; g++) {
    const group = qsubs[g];
    const len = group.length;
    const first = len === 1 ? 0 : Math.floor(Math.random() * len);
    for (let k = 0; k < len; k++) {
      if (deliverToClient(group[(first + k) % len], subject, reply, hdrLen, buf, start, size)) {
        n++;
        break;
      }
    }
  }
  return n;
}

/**
 * The general case: some target is not a client connection. Stream imports
 * route on into their importer (one hop: imported streams are not forwarded
 * again); other in-process targets get their own copy of the bytes.
 */
function routeToAny(
  psubs: readonly Subscription[],
  qsubs: readonly (readonly Subscription[])[],
  from: MessageTarget,
  routeSubject: string,
  subject: string,
  reply: ReplyBytes,
  buf: Buffer,
  start: number,
  hdrLen: number,
  size: number,
  viaImport: boolean,
): number {
  const text = reply.text();
  let copy: Buffer | null = null;
  const take = (sub: Subscription): boolean => {
    const t = sub.target;
    if (t instanceof StreamImport) {
      if (viaImport || !admit(sub)) return false;
      return routeDelivery(t.importer, from, t.importedSubject(routeSubject), subject, reply, buf, start, hdrLen, size, true) > 0;
    }
    if (t.kind === TargetKind.Client) return deliverToClient(sub, subject, reply, hdrLen, buf, start, size);
    copy ??= Buffer.from(buf.subarray(start, start + size));
    return deliverTo(sub, subject, text, hdrLen, copy, from);
  };
  let n = 0;
  for (let i = 0; i < psubs.length; i++) if (take(psubs[i])) n++;
  for (let g = 0; g < qsubs.length; g++) {
    const group = qsubs[g];
    const len = group.length;
    const first = len === 1 ? 0 : Math.floor(Math.random() * len);
    for (let k = 0; k < len; k++) {
      if (take(group[(first + k) % len])) {
        n++;
        break;
      }
    }
  }
  return n;
}

function onlyClients(psubs: readonly Subscription[], qsubs: readonly (readonly Subscription[])[]): boolean {
  for (let i = 0; i < psubs.length; i++) if (psubs[i].target.kind !== TargetKind.Client) return false;
  for (let g = 0; g < qsubs.length; g++) {
    const group = qsubs[g];
    for (let k = 0; k < group.length; k++) if (group[k].target.kind !== TargetKind.Client) return false;
  }
  return true;
}

/** The checks before a subscription may take a message: open, and under its auto-unsubscribe max. */
function admit(sub: Subscription): boolean {
  return !sub.closed && !sub.target.closed && !(sub.max > 0 && sub.delivered >= sub.max);
}

/** Counts a delivery; the subscription goes at its auto-unsubscribe max. */
function delivered(sub: Subscription): true {
  if (++sub.delivered >= sub.max && sub.max > 0) sub.target.removeSub(sub);
  return true;
}

function deliverToClient(sub: Subscription, subject: string, reply: ReplyBytes, hdrLen: number, buf: Buffer, start: number, size: number): boolean {
  if (!admit(sub)) return false;
  // A target may refuse (a deny permission on the subject): another queue member gets it then.
  if (!(sub.target as ClientConnection).deliverReplyBytes(sub, subject, reply.bytes, reply.length, hdrLen, buf, start, size)) return false;
  return delivered(sub);
}

function deliverTo(sub: Subscription, subject: string, reply: string, hdrLen: number, copy: Buffer, from: MessageTarget): boolean {
  if (!admit(sub)) return false;
  if (!sub.target.deliver(sub, subject, reply, hdrLen, copy, 0, copy.length, from)) return false;
  return delivered(sub);
}
