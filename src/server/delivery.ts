// deliverMessage: route one published message through an account's
// SubjectTrie to the matching subscriptions (plain ones all, one member per
// queue group), after the account's subject mappings. Applies echo
// suppression and auto-unsubscribe; what a delivery means (encoding and
// writing, or an in-process handler) belongs to each MessageTarget.

import type { Account } from "../accounts/account.js";
import { mapSubject } from "../accounts/subject-mapping.js";
import type { MessageTarget } from "./message-target.js";
import type { Subscription } from "./subscription.js";

/** Returns how many subscriptions received the message. */
export function deliverMessage(
  account: Account,
  publisher: MessageTarget | null,
  subject: string,
  reply: string | undefined,
  hdrLen: number,
  buf: Buffer,
  start: number,
  size: number,
): number {
  if (account.mappings.length > 0) subject = mapSubject(account.mappings, subject);
  const r = account.sublist.match(subject);
  const psubs = r.psubs;
  let n = 0;
  for (let i = 0; i < psubs.length; i++) {
    const sub = psubs[i];
    if (sub.target === publisher && !publisher.echo) continue;
    if (deliverTo(sub, subject, reply, hdrLen, buf, start, size, publisher)) n++;
  }
  const qsubs = r.qsubs;
  for (let g = 0; g < qsubs.length; g++) {
    const group = qsubs[g];
    const len = group.length;
    // Random member first, then the others in order if it cannot take it.
    const first = len === 1 ? 0 : Math.floor(Math.random() * len);
    for (let k = 0; k < len; k++) {
      const sub = group[(first + k) % len];
      if (sub.target === publisher && !publisher.echo) continue;
      if (deliverTo(sub, subject, reply, hdrLen, buf, start, size, publisher)) {
        n++;
        break;
      }
    }
  }
  return n;
}

function deliverTo(sub: Subscription, subject: string, reply: string | undefined, hdrLen: number, buf: Buffer, start: number, size: number, publisher: MessageTarget | null): boolean {
  if (sub.closed) return false;
  const target = sub.target;
  if (target.closed) return false;
  if (sub.max > 0) {
    if (sub.delivered >= sub.max) return false;
    if (!target.deliver(sub, subject, reply, hdrLen, buf, start, size, publisher)) return false;
    if (++sub.delivered >= sub.max) target.removeSub(sub);
    return true;
  }
  if (!target.deliver(sub, subject, reply, hdrLen, buf, start, size, publisher)) return false;
  sub.delivered++;
  return true;
}
