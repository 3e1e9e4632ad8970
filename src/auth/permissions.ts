// Permissions: a user's publish/subscribe rules compiled into subject tries
// (shared by all of that user's connections), and the per-connection state
// that makes checking them cheap: a bounded cache of publish decisions, the
// deny filter for deliveries to wildcard subscriptions, and the reply
// subjects allow_responses lets it answer. Decisions follow nats-server's
// pubAllowed/canSubscribe/checkDenySub. It never sends or logs anything.

import { SubjectTrie, subjectHasWildcard, subjectIsSubsetMatch, type TrieSubscription } from "../sublist/subject-trie.js";
import type { Permissions, ResponsePermission } from "./model.js";
import { withResponseDefaults } from "./model.js";
import { ResponseTracker } from "./response-tracker.js";
import { wireSubject } from "../protocol/subject.js";

/** One permission subject, optionally queue-qualified ("foo.> q1"). */
class PermissionEntry implements TrieSubscription {
  constructor(
    readonly subject: string,
    readonly queue: string | undefined,
  ) {}
}

type PermissionList = SubjectTrie<PermissionEntry>;

/** `subjects` in wire form (see wireSubject). */
function compileList(subjects: readonly string[], withQueues: boolean): PermissionList {
  const trie = new SubjectTrie<PermissionEntry>(true);
  for (const s of subjects) {
    if (!withQueues) {
      trie.insert(new PermissionEntry(s, undefined));
      continue;
    }
    const parts = s.trim().split(/[\t\n\v\f\r ]+/);
    // Go skips (and logs) entries with more than two fields; the config check refuses them earlier.
    if (parts.length > 2) continue;
    trie.insert(new PermissionEntry(parts[0], parts.length === 2 ? parts[1] : undefined));
  }
  return trie;
}

/** A user's rules, compiled once per configuration and shared by its connections. */
export class CompiledPermissions {
  readonly pubAllow: PermissionList | null;
  readonly pubDeny: PermissionList | null;
  readonly subAllow: PermissionList | null;
  readonly subDeny: PermissionList | null;
  /** The subscribe deny subjects (wire form), for deciding whether a wildcard SUB needs delivery filtering. */
  readonly subDenySubjects: readonly string[];
  readonly responses: ResponsePermission | null;

  constructor(readonly source: Permissions) {
    const p = withResponseDefaults(source);
    const pub = p.publish;
    const sub = p.subscribe;
    // An allow list present but empty allows nothing (allow_responses relies on this).
    // Rules are text; clients' subjects arrive in wire form (one char per byte).
    const wire = (list: readonly string[]) => list.map(wireSubject);
    this.pubAllow = pub?.allow !== undefined ? compileList(wire(pub.allow), false) : null;
    this.pubDeny = pub?.deny !== undefined && pub.deny.length > 0 ? compileList(wire(pub.deny), false) : null;
    this.subAllow = sub?.allow !== undefined && sub.allow.length > 0 ? compileList(wire(sub.allow), true) : null;
    this.subDeny = sub?.deny !== undefined && sub.deny.length > 0 ? compileList(wire(sub.deny), true) : null;
    this.subDenySubjects = wire(sub?.deny ?? []);
    this.responses = p.responses ?? null;
  }

  /** Publishing is restricted at all (otherwise no check is made). */
  get restrictsPublish(): boolean {
    return this.pubAllow !== null || this.pubDeny !== null;
  }
}

/** Go's sizes: 128 cached publish decisions, pruned 32 at a time; 256 delivery decisions. */
const PUB_CACHE_MAX = 128;
const PUB_CACHE_PRUNE = 32;
const DENY_CACHE_MAX = 256;

/**
 * One connection's view of its user's permissions. The connection holds it
 * only when the user has permissions, so unrestricted clients never get here.
 */
export class ConnectionPermissions {
  private readonly pubCache = new Map<string, boolean>();
  /** The last cached publish decision (never a reply-permission one, which is counted per use). */
  private lastSubject: string | undefined = undefined;
  private lastAllowed = false;
  /** Built when a wildcard subscription overlaps a subscribe deny rule (Go's mperms). */
  private denyFilter: PermissionList | null = null;
  private readonly denyCache = new Map<string, boolean>();
  readonly replies: ResponseTracker | null;

  constructor(readonly compiled: CompiledPermissions) {
    this.replies = compiled.responses ? new ResponseTracker(compiled.responses) : null;
  }

  /** True when deliveries need a look (deny filter or reply tracking). */
  get filtersDeliveries(): boolean {
    return this.denyFilter !== null || this.replies !== null;
  }

  canPublish(subject: string): boolean {
    // A publisher mostly repeats its subject, and the parser hands out the
    // identical string for identical bytes: one comparison decides.
    if (subject === this.lastSubject) return this.lastAllowed;
    const c = this.compiled;
    if (!c.restrictsPublish) return true;
    const cached = this.pubCache.get(subject);
    if (cached !== undefined) {
      this.lastSubject = subject;
      this.lastAllowed = cached;
      return cached;
    }
    let allowed = true;
    if (c.pubAllow !== null) allowed = c.pubAllow.match(subject).psubs.length > 0;
    if (allowed && c.pubDeny !== null) allowed = c.pubDeny.match(subject).psubs.length === 0;
    if (!allowed && this.replies !== null) {
      // Reply permissions are counted per use: never cached.
      return this.replies.use(subject);
    }
    this.pubCache.set(subject, allowed);
    this.lastSubject = subject;
    this.lastAllowed = allowed;
    if (this.pubCache.size > PUB_CACHE_MAX) this.prune(this.pubCache, PUB_CACHE_PRUNE);
    return allowed;
  }

  /**
   * May this connection subscribe to `subject` (with `queue`)? An allowed
   * wildcard subscription that overlaps a deny rule switches on delivery
   * filtering, as Go does.
   */
  canSubscribe(subject: string, queue?: string): boolean {
    const c = this.compiled;
    let allowed = true;
    if (c.subAllow !== null) {
      const r = c.subAllow.match(subject);
      allowed = r.psubs.length > 0;
      if (queue !== undefined && r.qsubs.length > 0) allowed = queueListed(queue, r.qsubs);
    }
    if (allowed && c.subDeny !== null) {
      const r = c.subDeny.match(subject);
      allowed = r.psubs.length === 0;
      if (queue !== undefined && r.qsubs.length > 0) allowed = !queueListed(queue, r.qsubs);
      if (allowed && this.denyFilter === null && subjectHasWildcard(subject)) {
        for (const d of c.subDenySubjects) {
          if (subjectIsSubsetMatch(d, subject)) {
            this.denyFilter = compileList(c.subDenySubjects, false);
            break;
          }
        }
      }
    }
    return allowed;
  }

  /** Forget the delivery filter (reload rebuilds it while re-checking subscriptions). */
  resetDenyFilter(): void {
    this.denyFilter = null;
    this.denyCache.clear();
  }

  /**
   * Called for each message about to be delivered to this connection: false
   * when a deny rule forbids it; records the reply subject for allow_responses.
   */
  admitDelivery(subject: string, reply: string | undefined): boolean {
    if (this.denyFilter !== null && this.denied(subject)) return false;
    if (this.replies !== null && reply !== undefined) this.replies.grant(reply);
    return true;
  }

  private denied(subject: string): boolean {
    const cached = this.denyCache.get(subject);
    if (cached !== undefined) return cached;
    const d = this.denyFilter!.match(subject).psubs.length > 0;
    this.denyCache.set(subject, d);
    if (this.denyCache.size > DENY_CACHE_MAX) this.prune(this.denyCache, PUB_CACHE_PRUNE);
    return d;
  }

  private prune(cache: Map<string, boolean>, n: number): void {
    for (const k of cache.keys()) {
      cache.delete(k);
      if (--n <= 0) break;
    }
  }
}

/** Is `queue` one of the listed queue groups (literally, or by a wildcard queue name)? */
function queueListed(queue: string, qsubs: readonly (readonly PermissionEntry[])[]): boolean {
  for (const group of qsubs) {
    const name = group[0].queue!;
    if (queue === name || (subjectHasWildcard(name) && subjectIsSubsetMatch(queue, name))) return true;
  }
  return false;
}
