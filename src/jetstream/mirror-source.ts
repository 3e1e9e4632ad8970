// Mirrors and sources between streams of one server. A link copies an
// origin stream's messages (from opt_start_seq / opt_start_time, through its
// filter and subject transforms) into the target: it catches up from the
// origin's store and then follows each turn in which the origin stored
// something. A mirror keeps the origin's sequence numbers (gaps become
// deleted sequences); a source appends with a Nats-Stream-Source header from
// which its position is recovered after a restart. An `external` API prefix
// naming this server's own API, or another account's $JS.API imported into
// the target's account, is followed on this server; other domains are not
// (reported inactive).

import type { Stream } from "./stream.js";
import type { JetStream } from "./jetstream.js";
import type { JsAccount } from "./account-context.js";
import type { StreamSourceConfig } from "./stream-config.js";
import { SubjectTransform } from "./subject-transform.js";
import { subjectMatches } from "../sublist/subject-trie.js";
import { buildHeaders, headerValue, withoutHeaders } from "./headers.js";
import { parseTimeNanos } from "./time.js";
import { nowNanos } from "./store/index.js";

const SOURCE_HEADER = "Nats-Stream-Source";
/** Messages copied per link per turn, so a long catch-up does not starve clients. */
const BATCH = 4096;

interface Transform {
  filter: string;
  transform: SubjectTransform | null;
}

class Link {
  /** Next origin sequence to copy. */
  next = 0;
  lastActive = 0;
  scheduled = false;
  readonly transforms: Transform[];

  constructor(
    readonly target: Stream,
    readonly cfg: StreamSourceConfig,
    readonly mirror: boolean,
  ) {
    const trs = cfg.subject_transforms ?? [];
    this.transforms =
      trs.length > 0
        ? trs.map((t) => ({ filter: t.src || ">", transform: t.dest ? new SubjectTransform(t.src || ">", t.dest) : null }))
        : [{ filter: cfg.filter_subject || ">", transform: null }];
  }

  get originName(): string {
    return this.cfg.name;
  }

  /** Where to start when nothing was copied yet. */
  startSeq(origin: Stream): number {
    if (this.cfg.opt_start_seq) return this.cfg.opt_start_seq;
    if (this.cfg.opt_start_time) {
      const ts = parseTimeNanos(this.cfg.opt_start_time);
      const st = origin.store.state();
      for (let seq = st.first_seq; seq <= st.last_seq; seq++) {
        const m = origin.store.getMsg(seq);
        if (m && m.ts >= ts) return seq;
      }
      return st.last_seq + 1;
    }
    return 1;
  }

  /** Recover the position from what the target already holds. */
  recover(origin: Stream): void {
    const st = this.target.store.state();
    if (this.mirror) {
      this.next = st.last_seq > 0 ? st.last_seq + 1 : this.startSeq(origin);
      return;
    }
    for (let seq = st.last_seq; seq >= st.first_seq && seq > 0; seq--) {
      const m = this.target.store.getMsg(seq);
      const v = m ? headerValue(m.hdr, SOURCE_HEADER) : undefined;
      if (v === undefined) continue;
      const [name, at] = v.split(" ");
      if (name === this.originName) {
        this.next = Number(at) + 1;
        return;
      }
    }
    this.next = this.startSeq(origin);
  }

  private route(subject: string): string | undefined {
    for (const t of this.transforms) {
      if (t.transform !== null) {
        const out = t.transform.apply(subject);
        if (out !== undefined) return out;
      } else if (t.filter === ">" || subjectMatches(subject, t.filter)) {
        return subject;
      }
    }
    return undefined;
  }

  /** Copy up to BATCH messages; true when more remain. */
  pump(origin: Stream): boolean {
    const target = this.target;
    if (target.closed || origin.closed) return false;
    const last = origin.store.state().last_seq;
    let copied = 0;
    while (this.next <= last && copied < BATCH) {
      const m = origin.store.getNextBySubject(this.next, ">");
      if (m === null) {
        this.next = last + 1;
        break;
      }
      this.next = m.seq + 1;
      const subject = this.route(m.subject);
      if (subject === undefined) continue;
      if (this.mirror) {
        target.alignForMirror(m.seq);
        target.ingest(subject, undefined, m.hdr, m.data, m.ts);
      } else {
        // As Go: a daisy-chained source header and the origin's expectations do not apply here.
        const base = withoutHeaders(m.hdr, (k) => k === SOURCE_HEADER || k.startsWith("Nats-Expected-"));
        const hdr = buildHeaders(base, [[SOURCE_HEADER, `${this.originName} ${m.seq}`]]);
        target.ingest(subject, undefined, hdr, m.data, nowNanos());
      }
      copied++;
    }
    this.lastActive = nowNanos();
    return this.next <= origin.store.state().last_seq;
  }

  info(origin: Stream | undefined): Record<string, unknown> {
    const out: Record<string, unknown> = { name: this.originName };
    if (this.cfg.filter_subject) out.filter_subject = this.cfg.filter_subject;
    if (this.cfg.subject_transforms) out.subject_transforms = this.cfg.subject_transforms;
    if (this.cfg.external) out.external = this.cfg.external;
    const lastSeq = origin ? origin.store.state().last_seq : 0;
    out.lag = origin ? Math.max(0, lastSeq - this.next + 1) : 0;
    out.active = origin && this.lastActive > 0 ? Math.max(0, nowNanos() - this.lastActive) : -1;
    return out;
  }
}

export class MirrorsAndSources {
  /** Links by the target stream. */
  private readonly links = new Map<Stream, Link[]>();

  constructor(private readonly js: JetStream) {}

  private origin(link: Link): Stream | undefined {
    return this.originAccount(link)?.streams.get(link.originName);
  }

  /**
   * The account holding the origin: the target's own, or for an `external`
   * API prefix the account behind it — this server's own API ($JS.API,
   * $JS.<domain>.API) or a service import of another account's $JS.API
   * (e.g. "$JS.A.API.>" → A's "$JS.API.>").
   */
  private originAccount(link: Link): JsAccount | undefined {
    const ext = link.cfg.external;
    const own = link.target.jsa;
    if (!ext || ext.api === "" || ext.api === "$JS.API" || (this.js.domain !== "" && ext.api === `$JS.${this.js.domain}.API`)) return own;
    for (const si of own.account.serviceImports.values()) {
      if ((si.from === `${ext.api}.>` || si.from === `${ext.api}.STREAM.>`) && si.to.startsWith("$JS.API.")) return this.js.account(si.exporter);
    }
    return undefined;
  }

  /** A stream was created or recovered: build its links and start copying. */
  streamAdded(stream: Stream): void {
    const c = stream.cfg;
    const list: Link[] = [];
    if (c.mirror) list.push(new Link(stream, c.mirror, true));
    for (const s of c.sources ?? []) list.push(new Link(stream, s, false));
    if (list.length > 0) {
      this.links.set(stream, list);
      for (const l of list) this.start(l);
    }
    // Streams that source from this one and were waiting for it.
    for (const [target, ls] of this.links) {
      if (target === stream) continue;
      for (const l of ls) if (l.originName === stream.name && this.origin(l) === stream) this.start(l);
    }
  }

  streamUpdated(stream: Stream): void {
    const old = this.links.get(stream) ?? [];
    this.links.delete(stream);
    const positions = new Map(old.map((l) => [l.originName, l.next]));
    this.streamAdded(stream);
    for (const l of this.links.get(stream) ?? []) {
      const at = positions.get(l.originName);
      if (at !== undefined) l.next = at;
    }
  }

  streamRemoved(stream: Stream): void {
    this.links.delete(stream);
  }

  private start(link: Link): void {
    const origin = this.origin(link);
    if (origin === undefined) return;
    if (link.next === 0) link.recover(origin);
    this.schedule(link);
  }

  private schedule(link: Link): void {
    if (link.scheduled) return;
    link.scheduled = true;
    this.js.server.deferToCycleEnd(() => {
      link.scheduled = false;
      const origin = this.origin(link);
      if (origin !== undefined && link.pump(origin)) setImmediate(() => this.schedule(link));
    });
  }

  /** The origin stored messages this turn: wake the links that follow it. */
  originAppended(origin: Stream): void {
    for (const ls of this.links.values()) {
      for (const l of ls) if (l.originName === origin.name && this.origin(l) === origin) this.schedule(l);
    }
  }

  /** Any link at all (checked once per turn per stream). */
  get active(): boolean {
    return this.links.size > 0;
  }

  startAll(): void {
    for (const ls of this.links.values()) for (const l of ls) this.start(l);
  }

  stopAll(): void {
    this.links.clear();
  }

  /** The `mirror` / `sources` blocks of STREAM.INFO. */
  infoFor(stream: Stream): { mirror?: Record<string, unknown>; sources?: Record<string, unknown>[] } {
    const ls = this.links.get(stream);
    if (!ls) return {};
    const out: { mirror?: Record<string, unknown>; sources?: Record<string, unknown>[] } = {};
    for (const l of ls) {
      const info = l.info(this.origin(l));
      if (l.mirror) out.mirror = info;
      else (out.sources ??= []).push(info);
    }
    return out;
  }
}
