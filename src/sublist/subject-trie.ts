// SubjectTrie: the subscription index ("sublist"). A trie of subject tokens
// with `*` and `>` branches, queue groups, a bounded cache of match
// results, and prefix routes for families of one-off subjects (JetStream
// acks). It stores opaque subscription objects and knows nothing about
// connections, accounts or delivery.

export interface TrieSubscription {
  readonly subject: string;
  readonly queue: string | undefined;
}

/** Match result. Immutable once returned: callers may keep it. */
export interface MatchResult<S extends TrieSubscription> {
  /** Plain subscriptions. */
  readonly psubs: readonly S[];
  /** One array per queue group name with members that matched. */
  readonly qsubs: readonly (readonly S[])[];
}

class TrieLevel<S extends TrieSubscription> {
  readonly nodes = new Map<string, TrieNode<S>>();
  pwc: TrieNode<S> | null = null;
  fwc: TrieNode<S> | null = null;

  get size(): number {
    return this.nodes.size + (this.pwc ? 1 : 0) + (this.fwc ? 1 : 0);
  }
}

class TrieNode<S extends TrieSubscription> {
  next: TrieLevel<S> | null = null;
  readonly psubs = new Set<S>();
  qsubs: Map<string, Set<S>> | null = null;

  isEmpty(): boolean {
    return this.psubs.size === 0 && (this.qsubs === null || this.qsubs.size === 0) && (this.next === null || this.next.size === 0);
  }
}

export interface TrieStats {
  numSubs: number;
  numCache: number;
  numInserts: number;
  numRemoves: number;
  numMatches: number;
  cacheHits: number;
  maxFanout: number;
  avgFanout: number;
}

const CACHE_MAX = 1024;
const CACHE_SWEEP_TO = 256;
/** Matches per admission window; past ADMIT_MAX_MISSES misses in one, a miss is cached with chance 1/ADMIT_SAMPLE (at random: a counter could lock onto one phase of a regular pattern). */
const ADMIT_WINDOW = 256;
const ADMIT_MAX_MISSES = 64;
const ADMIT_SAMPLE = 16;

export class SubjectTrie<S extends TrieSubscription> {
  private readonly root = new TrieLevel<S>();
  private cache: Map<string, MatchResult<S>> | null;
  private count = 0;
  private inserts = 0;
  private removes = 0;
  private matches = 0;
  private cacheHits = 0;
  /**
   * Cache admission. Traffic to ever-new subjects (request inboxes, JetStream
   * acks) would fill the cache with entries never asked for again and pay an
   * insert and a sweep per message; when most lookups of the last window
   * missed, only a sample of misses is cached, enough for a subject that
   * does repeat to get in.
   */
  private windowMisses = 0;
  private admitAll = true;
  /**
   * Prefix routes (addPrefixRoute): literal prefixes whose subjects are never
   * cached one by one (JetStream acks: "$JS.ACK.<stream>.<consumer>." and five
   * ever-new numbers), by prefix, with the token counts in use. A subject
   * under one gets the prefix's result when the trie makes it exact for every
   * subject below it. `generation` counts inserts and removes: a memo of an
   * older generation is recomputed.
   */
  private prefixRoutes: Map<string, PrefixRoute<S>> | null = null;
  private prefixTokenCounts: number[] = [];
  /** The first character of every prefix route (else they are not used), and the route that matched last. */
  private prefixFirstChar = -1;
  private lastRoute: PrefixRoute<S> | null = null;
  private generation = 0;
  /** Told the subject of each subscription inserted or removed (SUB/UNSUB only, never per message). */
  private watchers: ((subject: string) => void)[] | null = null;

  constructor(useCache = true) {
    this.cache = useCache ? new Map() : null;
  }

  get size(): number {
    return this.count;
  }

  /** Calls `fn` with the subject of every subscription inserted or removed from now on; returns the way to stop. */
  watch(fn: (subject: string) => void): () => void {
    (this.watchers ??= []).push(fn);
    return () => {
      const list = this.watchers;
      if (list === null) return;
      const at = list.indexOf(fn);
      if (at >= 0) list.splice(at, 1);
      if (list.length === 0) this.watchers = null;
    };
  }

  private changed(subject: string): void {
    for (const fn of [...this.watchers!]) fn(subject);
  }

  insert(sub: S): void {
    const tokens = sub.subject.split(".");
    let level = this.root;
    let node: TrieNode<S> | null = null;
    for (const t of tokens) {
      if (t === "*") {
        node = level.pwc ??= new TrieNode<S>();
      } else if (t === ">") {
        node = level.fwc ??= new TrieNode<S>();
      } else {
        node = level.nodes.get(t) ?? null;
        if (node === null) {
          node = new TrieNode<S>();
          level.nodes.set(t, node);
        }
      }
      level = node.next ??= new TrieLevel<S>();
    }
    const n = node!;
    if (sub.queue === undefined) {
      if (n.psubs.has(sub)) return;
      n.psubs.add(sub);
    } else {
      n.qsubs ??= new Map();
      let group = n.qsubs.get(sub.queue);
      if (!group) {
        group = new Set();
        n.qsubs.set(sub.queue, group);
      }
      if (group.has(sub)) return;
      group.add(sub);
    }
    this.count++;
    this.inserts++;
    this.invalidate(sub.subject);
    if (this.watchers !== null) this.changed(sub.subject);
  }

  /** Remove a subscription; returns false if it was not present. */
  remove(sub: S): boolean {
    const tokens = sub.subject.split(".");
    const path: { level: TrieLevel<S>; node: TrieNode<S>; token: string }[] = [];
    let level = this.root;
    for (const t of tokens) {
      const node = t === "*" ? level.pwc : t === ">" ? level.fwc : level.nodes.get(t) ?? null;
      if (node === null) return false;
      path.push({ level, node, token: t });
      if (node.next === null) {
        if (path.length !== tokens.length) return false;
        break;
      }
      level = node.next;
    }
    const last = path[path.length - 1].node;
    if (sub.queue === undefined) {
      if (!last.psubs.delete(sub)) return false;
    } else {
      const group = last.qsubs?.get(sub.queue);
      if (!group || !group.delete(sub)) return false;
      if (group.size === 0) last.qsubs!.delete(sub.queue);
    }
    this.count--;
    this.removes++;
    // Prune empty nodes from the leaf up so long-lived servers do not leak.
    for (let k = path.length - 1; k >= 0; k--) {
      const { level: lv, node, token } = path[k];
      if (!node.isEmpty()) break;
      if (token === "*") lv.pwc = null;
      else if (token === ">") lv.fwc = null;
      else lv.nodes.delete(token);
    }
    this.invalidate(sub.subject);
    if (this.watchers !== null) this.changed(sub.subject);
    return true;
  }

  match(subject: string): MatchResult<S> {
    this.matches++;
    if (this.prefixRoutes !== null && subject.charCodeAt(0) === this.prefixFirstChar) {
      const routed = this.matchByPrefix(subject);
      if (routed !== null) return routed;
    }
    const cache = this.cache;
    if (cache !== null) {
      const hit = cache.get(subject);
      if ((this.matches & (ADMIT_WINDOW - 1)) === 0) {
        this.admitAll = this.windowMisses <= ADMIT_MAX_MISSES;
        this.windowMisses = 0;
      }
      if (hit !== undefined) {
        this.cacheHits++;
        return hit;
      }
      this.windowMisses++;
    }
    const tokens = subject.split(".");
    // A subject with an empty token matches nothing (as in Go; not cached).
    for (let i = 0; i < tokens.length; i++) if (tokens[i].length === 0) return EMPTY_RESULT as MatchResult<S>;
    const psubs: S[] = [];
    const qmap = QUEUE_SCRATCH as Map<string, S[]>;
    matchLevel(this.root, tokens, 0, psubs, qmap);
    let qsubs: readonly (readonly S[])[] = EMPTY_Q;
    if (qmap.size !== 0) {
      qsubs = [...qmap.values()];
      qmap.clear();
    }
    const result: MatchResult<S> = { psubs, qsubs };
    if (cache !== null && (this.admitAll || Math.random() * ADMIT_SAMPLE < 1)) {
      cache.set(subject, result);
      if (cache.size > CACHE_MAX) this.sweep(cache);
    }
    return result;
  }

  /**
   * Registers a literal prefix ending in "." (refcounted) under which subjects are matched by
   * prefix, before the cache: no per-subject hash, split, walk or cache entry while the trie
   * holds nothing below the prefix but `>` subscriptions and no `*` on its path. All routes
   * share their first character (one compare keeps other subjects off this path); a prefix
   * starting otherwise is not registered and its subjects are matched the usual way.
   */
  addPrefixRoute(prefix: string): void {
    const known = this.prefixRoutes?.get(prefix);
    if (known !== undefined) {
      known.refs++;
      return;
    }
    const first = prefix.charCodeAt(0);
    if (this.prefixRoutes !== null && first !== this.prefixFirstChar) return;
    const routes = (this.prefixRoutes ??= new Map());
    this.prefixFirstChar = first;
    const tokens = prefix.slice(0, -1).split(".");
    routes.set(prefix, { prefix, refs: 1, tokens, generation: -1, result: null });
    if (!this.prefixTokenCounts.includes(tokens.length)) this.prefixTokenCounts.push(tokens.length);
  }

  removePrefixRoute(prefix: string): void {
    const routes = this.prefixRoutes;
    const known = routes?.get(prefix);
    if (routes == null || known === undefined || --known.refs > 0) return;
    routes.delete(prefix);
    if (this.lastRoute === known) this.lastRoute = null;
    if (routes.size === 0) this.prefixRoutes = null;
    this.prefixTokenCounts = [];
    for (const r of routes.values()) if (!this.prefixTokenCounts.includes(r.tokens.length)) this.prefixTokenCounts.push(r.tokens.length);
  }

  /** The result for a subject under a prefix route, or null to match it the usual way. */
  private matchByPrefix(subject: string): MatchResult<S> | null {
    const last = this.lastRoute;
    if (last !== null && subject.startsWith(last.prefix)) return this.routeResult(last, subject);
    const counts = this.prefixTokenCounts;
    for (let c = 0; c < counts.length; c++) {
      let end = -1;
      for (let t = counts[c]; t > 0 && (end = subject.indexOf(".", end + 1)) >= 0; t--);
      if (end < 0) continue;
      const route = this.prefixRoutes!.get(subject.substring(0, end + 1));
      if (route === undefined) continue;
      this.lastRoute = route;
      return this.routeResult(route, subject);
    }
    return null;
  }

  private routeResult(route: PrefixRoute<S>, subject: string): MatchResult<S> | null {
    if (!nonEmptyTokens(subject, route.prefix.length)) return null;
    if (route.generation !== this.generation) {
      route.result = this.prefixResult(route.tokens);
      route.generation = this.generation;
    }
    return route.result;
  }

  /** What every subject of tokens plus more tokens matches, or null when that depends on the more. */
  private prefixResult(tokens: string[]): MatchResult<S> | null {
    const psubs: S[] = [];
    const qmap = QUEUE_SCRATCH as Map<string, S[]>;
    let l: TrieLevel<S> | null = this.root;
    for (let i = 0; l !== null && i <= tokens.length; i++) {
      if (l.pwc !== null || (i === tokens.length && l.nodes.size > 0)) {
        qmap.clear();
        return null;
      }
      if (l.fwc !== null) addNode(l.fwc, psubs, qmap);
      const n: TrieNode<S> | undefined = i < tokens.length ? l.nodes.get(tokens[i]) : undefined;
      l = n === undefined ? null : n.next;
    }
    let qsubs: readonly (readonly S[])[] = EMPTY_Q;
    if (qmap.size !== 0) {
      qsubs = [...qmap.values()];
      qmap.clear();
    }
    return { psubs, qsubs };
  }

  /** True if any subscription matches (for no-responders and interest checks). */
  hasInterest(subject: string): boolean {
    const r = this.match(subject);
    return r.psubs.length > 0 || r.qsubs.length > 0;
  }

  /** Every subscription, in no particular order. */
  all(): S[] {
    const out: S[] = [];
    collect(this.root, out);
    return out;
  }

  stats(): TrieStats {
    let max = 0;
    let total = 0;
    let n = 0;
    if (this.cache) {
      for (const r of this.cache.values()) {
        const f = r.psubs.length + r.qsubs.length;
        if (f > max) max = f;
        total += f;
        n++;
      }
    }
    return {
      numSubs: this.count,
      numCache: this.cache?.size ?? 0,
      numInserts: this.inserts,
      numRemoves: this.removes,
      numMatches: this.matches,
      cacheHits: this.cacheHits,
      maxFanout: max,
      avgFanout: n === 0 ? 0 : total / n,
    };
  }

  /** Drop cached results that a change to `subject` could affect. */
  private invalidate(subject: string): void {
    this.generation++;
    const cache = this.cache;
    if (cache === null || cache.size === 0) return;
    if (!subjectHasWildcard(subject)) {
      cache.delete(subject);
      return;
    }
    const pattern = subject.split(".");
    for (const key of cache.keys()) {
      if (literalMatches(key.split("."), pattern)) cache.delete(key);
    }
  }

  private sweep(cache: Map<string, MatchResult<S>>): void {
    // Maps iterate in insertion order: drop the oldest entries.
    let drop = cache.size - CACHE_SWEEP_TO;
    for (const key of cache.keys()) {
      if (drop-- <= 0) break;
      cache.delete(key);
    }
  }
}

interface PrefixRoute<S extends TrieSubscription> {
  readonly prefix: string;
  refs: number;
  tokens: string[];
  generation: number;
  result: MatchResult<S> | null;
}

/** subject[from..] is one or more tokens, none empty. */
function nonEmptyTokens(subject: string, from: number): boolean {
  const n = subject.length;
  if (from >= n) return false;
  let prevDot = true;
  for (let i = from; i < n; i++) {
    const dot = subject.charCodeAt(i) === 46;
    if (dot && prevDot) return false;
    prevDot = dot;
  }
  return !prevDot;
}

const EMPTY_Q: readonly (readonly never[])[] = Object.freeze([]);
/**
 * Queue groups collected during one match. Shared: a match runs to the end
 * without calling out, and most subjects (request inboxes, ack subjects)
 * have no queue subscribers, so a miss need not allocate a Map.
 */
const QUEUE_SCRATCH = new Map<string, TrieSubscription[]>();

const EMPTY_RESULT: MatchResult<never> = Object.freeze({ psubs: Object.freeze([]) as readonly never[], qsubs: EMPTY_Q });

/**
 * Collect the subscriptions matching tokens[i..] below `level`. The walk (and
 * so the order of the results) is the Go sublist's: at each level `>` first,
 * then the `*` branch for the remaining tokens, then the literal token; at
 * the last level the literal node before the `*` node.
 */
function matchLevel<S extends TrieSubscription>(level: TrieLevel<S>, tokens: string[], i: number, psubs: S[], qmap: Map<string, S[]>): void {
  let l: TrieLevel<S> | null = level;
  let n: TrieNode<S> | null = null;
  let pwc: TrieNode<S> | null = null;
  for (; i < tokens.length; i++) {
    if (l === null) return;
    if (l.fwc !== null) addNode(l.fwc, psubs, qmap);
    pwc = l.pwc;
    if (pwc !== null && pwc.next !== null) matchLevel(pwc.next, tokens, i + 1, psubs, qmap);
    n = l.nodes.get(tokens[i]) ?? null;
    l = n !== null ? n.next : null;
  }
  if (n !== null) addNode(n, psubs, qmap);
  if (pwc !== null) addNode(pwc, psubs, qmap);
}

function addNode<S extends TrieSubscription>(node: TrieNode<S>, psubs: S[], qmap: Map<string, S[]>): void {
  for (const s of node.psubs) psubs.push(s);
  if (node.qsubs !== null) {
    for (const [name, group] of node.qsubs) {
      let arr = qmap.get(name);
      if (!arr) {
        arr = [];
        qmap.set(name, arr);
      }
      for (const s of group) arr.push(s);
    }
  }
}

function collect<S extends TrieSubscription>(level: TrieLevel<S>, out: S[]): void {
  const visit = (node: TrieNode<S>) => {
    for (const s of node.psubs) out.push(s);
    if (node.qsubs) for (const g of node.qsubs.values()) for (const s of g) out.push(s);
    if (node.next) collect(node.next, out);
  };
  for (const n of level.nodes.values()) visit(n);
  if (level.pwc) visit(level.pwc);
  if (level.fwc) visit(level.fwc);
}

export function subjectHasWildcard(subject: string): boolean {
  return subject === "*" || subject === ">" || subject.includes(".*") || subject.includes(".>") || subject.startsWith("*.") || subject.startsWith(">.");
}

/** Does the literal subject (as tokens) match the pattern (tokens, may hold wildcards)? */
function literalMatches(subject: string[], pattern: string[]): boolean {
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i];
    if (p === ">") return i < subject.length;
    if (i >= subject.length) return false;
    if (p !== "*" && p !== subject[i]) return false;
  }
  return subject.length === pattern.length;
}

/** Does subject `s` match the pattern `p` (both as strings)? */
export function subjectMatches(s: string, p: string): boolean {
  return literalMatches(s.split("."), p.split("."));
}

/** Do two subjects (either may hold wildcards) have a subject in common? */
export function subjectsCollide(a: string, b: string): boolean {
  const ta = a.split(".");
  const tb = b.split(".");
  const n = Math.min(ta.length, tb.length);
  for (let i = 0; i < n; i++) {
    const x = ta[i];
    const y = tb[i];
    if (x === ">" || y === ">") return true;
    if (x === "*" || y === "*") continue;
    if (x !== y) return false;
  }
  return ta.length === tb.length;
}

/**
 * Is every subject matched by `subject` also matched by `test`? (Go's
 * subjectIsSubsetMatch: an empty token on either side never matches.) Also
 * what lets an import narrow an export but never widen it.
 */
export function subjectIsSubsetMatch(subject: string, test: string): boolean {
  const ts = subject.split(".");
  const tt = test.split(".");
  for (let i = 0; i < tt.length; i++) {
    const t = tt[i];
    if (i >= ts.length || t === "") return false;
    if (t === ">") return true;
    const s = ts[i];
    if (s === "" || s === ">") return false;
    if (t === "*") continue;
    if (s === "*" || s !== t) return false;
  }
  return ts.length === tt.length;
}
