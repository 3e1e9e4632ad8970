// Push consumers learn that their deliver subject gained or lost interest
// from the account's subscription changes (SubjectTrie.watch: called on SUB
// and UNSUB only, never per message), instead of polling. One watcher per
// account routes each change to the consumers whose deliver subject it can
// match; each is called once, after the SUB/UNSUB that caused it (deferred,
// coalesced), and re-checks interest itself. A deliver subject exported as a
// stream counts the importing accounts' subscribers as its interest (Go's
// shadow subscriptions exist only for those), so those accounts are watched too.

import type { SubjectTrie, TrieSubscription } from "../../sublist/subject-trie.js";
import { subjectHasWildcard, subjectMatches } from "../../sublist/subject-trie.js";
import type { Account } from "../../accounts/account.js";
import { StreamImport } from "../../accounts/imports.js";

type Notify = () => void;
type Defer = (task: () => void) => void;

/** Runs `fn` through `defer` at most once until it ran. */
function coalesced(defer: Defer, fn: Notify): Notify {
  let queued = false;
  const run = (): void => {
    queued = false;
    fn();
  };
  return () => {
    if (queued) return;
    queued = true;
    defer(run);
  };
}

class AccountInterest {
  /** Deliver subjects (literal) → consumers waiting on them. */
  private readonly bySubject = new Map<string, Set<Notify>>();
  private stop: (() => void) | null = null;

  constructor(private readonly trie: SubjectTrie<TrieSubscription>) {}

  add(subject: string, fn: Notify): () => void {
    let set = this.bySubject.get(subject);
    if (set === undefined) {
      set = new Set();
      this.bySubject.set(subject, set);
    }
    set.add(fn);
    this.stop ??= this.trie.watch((s) => this.changed(s));
    return () => {
      set.delete(fn);
      if (set.size === 0) this.bySubject.delete(subject);
      if (this.bySubject.size === 0 && this.stop !== null) {
        this.stop();
        this.stop = null;
      }
    };
  }

  private changed(subSubject: string): void {
    if (!subjectHasWildcard(subSubject)) {
      const set = this.bySubject.get(subSubject);
      if (set !== undefined) for (const fn of [...set]) fn();
      return;
    }
    for (const [subject, set] of this.bySubject) if (subjectMatches(subject, subSubject)) for (const fn of [...set]) fn();
  }
}

const byTrie = new WeakMap<object, AccountInterest>();

/**
 * Calls `fn` (through `defer`, once per burst) whenever a subscription that can match `subject`
 * comes or goes in `trie`; returns the way to stop.
 */
export function watchInterest<S extends TrieSubscription>(trie: SubjectTrie<S>, subject: string, defer: Defer, fn: Notify): () => void {
  let a = byTrie.get(trie);
  if (a === undefined) {
    a = new AccountInterest(trie as unknown as SubjectTrie<TrieSubscription>);
    byTrie.set(trie, a);
  }
  return a.add(subject, coalesced(defer, fn));
}

/** The stream imports that take `subject` from `account` to another account. */
function streamImportsOf(account: Account, subject: string): StreamImport[] {
  const out: StreamImport[] = [];
  for (const sub of account.sublist.match(subject).psubs) if (sub.target instanceof StreamImport && !sub.closed) out.push(sub.target);
  return out;
}

/** Someone receives `subject` published in `account`: a subscriber there, or one in an account importing it. */
export function hasDeliveryInterest(account: Account, subject: string): boolean {
  const r = account.sublist.match(subject);
  if (r.qsubs.length > 0) return true;
  for (const sub of r.psubs) {
    const t = sub.target;
    if (!(t instanceof StreamImport)) return true;
    // One hop, as imported streams are never forwarded again.
    const there = t.importer.sublist.match(t.importedSubject(subject));
    if (there.qsubs.length > 0 || there.psubs.some((s) => !(s.target instanceof StreamImport))) return true;
  }
  return false;
}

/** watchInterest for a deliver subject in `account`, following it into the accounts that import it. */
export function watchDeliveryInterest(account: Account, subject: string, defer: Defer, fn: Notify): () => void {
  let importWatches: (() => void)[] = [];
  const watchImporters = (): void => {
    for (const stop of importWatches) stop();
    importWatches = streamImportsOf(account, subject).map((imp) => watchInterest(imp.importer.sublist, imp.importedSubject(subject), defer, fn));
  };
  // A change here may be an import coming or going: the importers to watch are derived again.
  const own = watchInterest(account.sublist, subject, defer, () => {
    watchImporters();
    fn();
  });
  watchImporters();
  return () => {
    own();
    for (const stop of importWatches) stop();
  };
}
