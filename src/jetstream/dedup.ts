// The Nats-Msg-Id de-duplication window of a stream: message id → sequence,
// forgotten once older than duplicate_window. Entries sit in insertion
// (= time) order in a Map, so expiry only looks at the oldest ones.

interface Entry {
  seq: number;
  ts: number;
}

export class DedupWindow {
  private readonly ids = new Map<string, Entry>();
  private windowNs = 0;

  setWindow(ns: number): void {
    this.windowNs = ns;
  }

  /** The sequence stored under `id` within the window, else 0. */
  lookup(id: string, now: number): number {
    const e = this.ids.get(id);
    if (e === undefined) return 0;
    if (now - e.ts > this.windowNs) {
      this.ids.delete(id);
      return 0;
    }
    return e.seq;
  }

  add(id: string, seq: number, ts: number): void {
    this.expire(ts);
    this.ids.delete(id);
    this.ids.set(id, { seq, ts });
  }

  /** Drop entries for sequences a failed write voided. */
  forgetAbove(seq: number): void {
    for (const [id, e] of this.ids) if (e.seq > seq) this.ids.delete(id);
  }

  private expire(now: number): void {
    for (const [id, e] of this.ids) {
      if (now - e.ts <= this.windowNs) break;
      this.ids.delete(id);
    }
  }
}
