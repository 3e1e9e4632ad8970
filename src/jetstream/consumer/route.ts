// Routing of a consumer delivery: matched on the delivery subject (a push
// deliver subject or a pull request's reply inbox) but presented to the
// subscriber under the message's own stream subject, as Go does with the
// "deliver" subject of its internal publications. Called only from the
// consumer's end-of-cycle delivery run, never from inside another delivery.
// Returns how many subscriptions took the message (0 = no interest).

import type { Account } from "../../accounts/account.js";
import type { MessageTarget } from "../../server/message-target.js";
import type { Subscription } from "../../server/subscription.js";

export function routeDelivery(account: Account, from: MessageTarget, routeSubject: string, subject: string, reply: string, hdr: Buffer | null, data: Buffer): number {
  const r = account.sublist.match(routeSubject);
  const psubs = r.psubs;
  const qsubs = r.qsubs;
  if (psubs.length === 0 && qsubs.length === 0) return 0;
  const hdrLen = hdr === null ? -1 : hdr.length;
  const buf = hdr === null ? data : Buffer.concat([hdr, data]);
  let n = 0;
  for (let i = 0; i < psubs.length; i++) if (deliverTo(psubs[i], subject, reply, hdrLen, buf, from)) n++;
  for (let g = 0; g < qsubs.length; g++) {
    const group = qsubs[g];
    const len = group.length;
    const first = len === 1 ? 0 : Math.floor(Math.random() * len);
    for (let k = 0; k < len; k++) {
      if (deliverTo(group[(first + k) % len], subject, reply, hdrLen, buf, from)) {
        n++;
        break;
      }
    }
  }
  return n;
}

function deliverTo(sub: Subscription, subject: string, reply: string, hdrLen: number, buf: Buffer, from: MessageTarget): boolean {
  if (sub.closed) return false;
  const target = sub.target;
  if (target.closed) return false;
  if (sub.max > 0 && sub.delivered >= sub.max) return false;
  // A target may refuse (a deny permission on the subject): another queue member gets it then.
  if (!target.deliver(sub, subject, reply, hdrLen, buf, 0, buf.length, from)) return false;
  if (++sub.delivered >= sub.max && sub.max > 0) target.removeSub(sub);
  return true;
}
