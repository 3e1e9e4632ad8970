// ResponseTracker: the reply subjects an allow_responses user may publish to
// (those of requests delivered to it), each usable `max` times within
// `expires`. Bounded: past LIMIT entries, spent and expired ones are dropped,
// then the oldest, so a flood of requests cannot grow it without end.

import type { ResponsePermission } from "./model.js";

/** Go's replyPermLimit: prune once this many reply subjects are tracked. */
const LIMIT = 4096;

interface Grant {
  at: number;
  used: number;
}

export class ResponseTracker {
  private readonly grants = new Map<string, Grant>();

  constructor(private readonly perm: ResponsePermission) {}

  get size(): number {
    return this.grants.size;
  }

  /** A request with this reply subject was delivered: (re)grant it. */
  grant(reply: string): void {
    // Delete first so that Map order stays oldest-first.
    this.grants.delete(reply);
    this.grants.set(reply, { at: Date.now(), used: 0 });
    if (this.grants.size > LIMIT) this.prune();
  }

  /** Publishing to `subject` as a response: true (and counted) if a grant allows it. */
  use(subject: string): boolean {
    const g = this.grants.get(subject);
    if (g === undefined) return false;
    g.used++;
    const { max, expires } = this.perm;
    if ((max > 0 && g.used > max) || (expires > 0 && Date.now() - g.at > expires)) {
      this.grants.delete(subject);
      return false;
    }
    return true;
  }

  private prune(): void {
    const { max, expires } = this.perm;
    const now = Date.now();
    for (const [k, g] of this.grants) {
      if ((max > 0 && g.used >= max) || (expires > 0 && now - g.at > expires)) this.grants.delete(k);
    }
    // Still too many live grants: the oldest go.
    let excess = this.grants.size - LIMIT;
    for (const k of this.grants.keys()) {
      if (excess-- <= 0) break;
      this.grants.delete(k);
    }
  }
}
