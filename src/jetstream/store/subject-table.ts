// Per-subject state of a store: for every stored subject its message count and
// first/last sequence, plus cached filter matches as bitmaps over subject ids.
// This is what lets max_msgs_per_subject, last_by_subj and KV reads avoid
// scanning messages. It knows nothing about payloads or files; the per-sequence
// index (store-core) asks it to recompute a stale first/last by scanning ids.

import { subjectMatches } from "../../sublist/subject-trie.js";
import type { SubjectFilter } from "./types.js";

export interface SubjectInfo {
  readonly id: number;
  readonly subject: string;
  count: number;
  /** 0 when count is 0. Stale flags: the value is a lower/upper bound to be recomputed. */
  first: number;
  last: number;
  firstStale: boolean;
  lastStale: boolean;
}

/** A compiled filter: "all", a single literal subject, or a bitmap over subject ids. */
export type CompiledFilter =
  | { kind: "all" }
  | { kind: "literal"; subject: string }
  | { kind: "set"; key: string; patterns: readonly string[]; bits: Uint8Array };

const MAX_CACHED_FILTERS = 64;
/** compile() runs per delivery: the unfiltered answer is one shared object. */
const ALL: CompiledFilter = Object.freeze({ kind: "all" });

function isWildcardPattern(s: string): boolean {
  return s === "*" || s === ">" || s.includes(".*") || s.includes(".>") || s.startsWith("*.") || s.startsWith(">.");
}

function patternMatches(subject: string, pattern: string): boolean {
  return isWildcardPattern(pattern) ? subjectMatches(subject, pattern) : subject === pattern;
}

export class SubjectTable {
  private readonly byName = new Map<string, SubjectInfo>();
  private readonly byId: (SubjectInfo | undefined)[] = [];
  private readonly freeIds: number[] = [];
  /** Subjects whose count reached 0; freed at a safe point so an undo can still find them. */
  private readonly emptied: SubjectInfo[] = [];
  private readonly filters = new Map<string, CompiledFilter & { kind: "set" }>();
  /** The last single-subject filter compiled (a filtered consumer asks for it per delivery). */
  private lastLiteral: CompiledFilter & { kind: "literal" } = { kind: "literal", subject: "" };
  /** The last filter list compiled, by identity (a consumer passes the same array each time). */
  private lastList: readonly string[] | null = null;
  private lastListCompiled: CompiledFilter = ALL;
  /** Subjects with count > 0. */
  live = 0;

  get(subject: string): SubjectInfo | undefined {
    return this.byName.get(subject);
  }

  byIdOf(id: number): SubjectInfo {
    return this.byId[id] as SubjectInfo;
  }

  /** The entry for subject, created (count 0) when new. */
  intern(subject: string): SubjectInfo {
    let info = this.byName.get(subject);
    if (info) return info;
    const id = this.freeIds.length > 0 ? (this.freeIds.pop() as number) : this.byId.length;
    info = { id, subject, count: 0, first: 0, last: 0, firstStale: false, lastStale: false };
    this.byName.set(subject, info);
    this.byId[id] = info;
    for (const f of this.filters.values()) {
      if (f.bits.length <= id) f.bits = growBits(f.bits, id);
      f.bits[id] = f.patterns.some((p) => patternMatches(subject, p)) ? 1 : 0;
    }
    return info;
  }

  /** One more message on info at seq (always the newest of the subject). */
  added(info: SubjectInfo, seq: number): void {
    if (info.count === 0) {
      this.live++;
      info.first = seq;
      info.firstStale = false;
    }
    info.count++;
    info.last = seq;
    info.lastStale = false;
  }

  /** One message of info at seq is gone. */
  removed(info: SubjectInfo, seq: number): void {
    info.count--;
    if (info.count === 0) {
      this.live--;
      info.first = 0;
      info.last = 0;
      info.firstStale = false;
      info.lastStale = false;
      this.emptied.push(info);
      return;
    }
    if (seq === info.first) info.firstStale = true;
    if (seq === info.last) info.lastStale = true;
  }

  /** Undo of removed(): the message at seq is back. */
  restored(info: SubjectInfo, seq: number): void {
    if (info.count === 0) {
      this.live++;
      info.first = seq;
      info.last = seq;
    } else {
      // first/last stay valid bounds (exact unless flagged stale).
      if (seq < info.first) info.first = seq;
      if (seq > info.last) info.last = seq;
    }
    info.count++;
  }

  /** Undo of added(): the newest message at seq is withdrawn. */
  withdrawn(info: SubjectInfo, seq: number): void {
    this.removed(info, seq);
  }

  /** Frees ids of subjects still empty; call only when no undo can refer to them. */
  releaseEmptied(): void {
    for (const info of this.emptied) {
      if (info.count !== 0 || this.byName.get(info.subject) !== info) continue;
      this.byName.delete(info.subject);
      this.byId[info.id] = undefined;
      this.freeIds.push(info.id);
    }
    this.emptied.length = 0;
  }

  compile(filter: SubjectFilter | undefined): CompiledFilter {
    if (filter === undefined || filter === "" || filter === ">") return ALL;
    if (typeof filter === "string") {
      if (filter === this.lastLiteral.subject) return this.lastLiteral;
    } else if (filter === this.lastList) return this.lastListCompiled;
    const patterns = typeof filter === "string" ? [filter] : filter;
    if (patterns.length === 0 || patterns.some((p) => p === "" || p === ">")) return ALL;
    if (patterns.length === 1 && !isWildcardPattern(patterns[0])) {
      if (typeof filter === "string") return (this.lastLiteral = { kind: "literal", subject: filter });
      return { kind: "literal", subject: patterns[0] };
    }
    const compiled = this.compileSet(patterns);
    if (typeof filter !== "string") {
      this.lastList = filter;
      this.lastListCompiled = compiled;
    }
    return compiled;
  }

  private compileSet(patterns: readonly string[]): CompiledFilter & { kind: "set" } {
    const key = patterns.join("\u0000");
    const cached = this.filters.get(key);
    if (cached) return cached;
    if (this.filters.size >= MAX_CACHED_FILTERS) {
      const oldest = this.filters.keys().next().value as string;
      // An evicted bitmap stops being kept up to date: the identity memo must not hand it out.
      if (this.lastListCompiled === this.filters.get(oldest)) this.lastList = null;
      this.filters.delete(oldest);
    }
    const bits = new Uint8Array(Math.max(16, this.byId.length));
    for (const info of this.byId) if (info && patterns.some((p) => patternMatches(info.subject, p))) bits[info.id] = 1;
    const compiled = { kind: "set" as const, key, patterns: [...patterns], bits };
    this.filters.set(key, compiled);
    return compiled;
  }

  /** Live subjects matching a compiled filter. */
  *matching(f: CompiledFilter): Iterable<SubjectInfo> {
    if (f.kind === "literal") {
      const info = this.byName.get(f.subject);
      if (info && info.count > 0) yield info;
      return;
    }
    for (const info of this.byId) {
      if (!info || info.count === 0) continue;
      if (f.kind === "all" || f.bits[info.id] === 1) yield info;
    }
  }
}

function growBits(bits: Uint8Array, id: number): Uint8Array {
  const next = new Uint8Array(Math.max(id + 1, bits.length * 2));
  next.set(bits);
  return next;
}
