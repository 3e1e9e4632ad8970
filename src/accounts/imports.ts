// Imports: how one account's messages reach another. A stream import is a
// subscription in the exporting account whose target republishes into the
// importer under the imported subject (prefix, `to` or the same subject). A
// service import is a subscription in the importer whose target forwards the
// request into the exporter, stamping Nats-Request-Info and rewriting the
// reply to a `_R_.` subject (service-replies.ts carries the answer back).
// Adding an import applies Go's checks (authorised, literal prefix, cycles,
// duplicates) and returns Go's error text. All of this is data plus
// forwarding targets; delivery.ts knows nothing of it.

import { isValidSubject } from "../protocol/subject.js";
import { subjectHasWildcard, subjectIsSubsetMatch, subjectsCollide } from "../sublist/subject-trie.js";
import { deliverMessage } from "../server/delivery.js";
import { TargetKind, type MessageTarget } from "../server/message-target.js";
import { Subscription } from "../server/subscription.js";
import type { Account } from "./account.js";
import { findApprovedExport, findExportFor, type ServiceExport } from "./exports.js";
import { SubjectMapping } from "./subject-mapping.js";
import { repliesOf } from "./service-replies.js";
import { REQUEST_INFO_HEADER, requestInfoOf, setHeader } from "./request-info.js";

const MAX_CYCLE_SEARCH_DEPTH = 1024;

/** What is being forwarded right now (one event loop, so module state is safe). */
const forwarding = {
  /** >0 while a message delivers through a stream import. */
  viaStream: 0,
  /** Service exports the current request went through, outermost first. */
  serviceChain: [] as ServiceExport[],
};

/** Go's transformTokenize: each `*` of a destination becomes $1, $2, … in order. */
function tokenizeDestination(to: string): string {
  let n = 0;
  return to
    .split(".")
    .map((t) => (t === "*" ? `$${++n}` : t))
    .join(".");
}

/**
 * How an import turns the subject a message arrived on into its destination:
 * the same subject (optionally prefixed), a wildcard transform, or the fixed
 * `to`. `wild` says whether the import's subject has wildcards.
 */
class SubjectRewrite {
  /** The destination is the arrival subject (same subject, or a prefix added to it). */
  private readonly keep: boolean;
  private readonly transform: SubjectMapping | null;

  constructor(from: string, private readonly to: string, private readonly prefix: string, wild: boolean) {
    this.keep = prefix !== "" || (wild && to === from);
    this.transform = wild && !this.keep ? new SubjectMapping({ source: from, destinations: [{ subject: tokenizeDestination(to), weight: 100 }] }) : null;
  }

  apply(subject: string): string {
    return this.keep ? this.prefix + subject : this.transform !== null ? (this.transform.map(subject) ?? subject) : this.to;
  }
}

/** A forwarding target: an internal participant of `account`'s trie. */
abstract class Forwarder implements MessageTarget {
  readonly kind = TargetKind.Internal;
  readonly echo = true;
  closed = false;
  sub: Subscription | null = null;

  constructor(readonly account: Account) {}

  get cid(): number {
    return this.account.internalCid;
  }

  abstract deliver(sub: Subscription, subject: string, reply: string | undefined, hdrLen: number, buf: Buffer, start: number, size: number, publisher: MessageTarget | null): boolean;

  listen(subject: string, sid: string): void {
    this.sub = new Subscription(this, subject, undefined, sid);
    this.account.sublist.insert(this.sub);
  }

  removeSub(sub: Subscription): void {
    if (sub.closed) return;
    sub.closed = true;
    this.account.sublist.remove(sub);
  }

  close(): void {
    this.closed = true;
    if (this.sub) this.removeSub(this.sub);
  }
}

/** What both kinds of import are: two accounts, the subject listened on, its destination and the rewrite between them. */
abstract class AccountImport extends Forwarder {
  protected readonly rewrite: SubjectRewrite;

  constructor(
    /** The account whose trie holds the import's subscription. */
    listener: Account,
    readonly importer: Account,
    readonly exporter: Account,
    /** The subject listened on (in the exporter for a stream import, in the importer for a service import). */
    readonly from: string,
    /** The destination subject (in the importer for a stream import, in the exporter for a service import). */
    readonly to: string,
    prefix: string,
    /** Whether the subject the rewrite maps from is a wildcard (decides between a transform and a fixed `to`). */
    wild: boolean,
  ) {
    super(listener);
    this.rewrite = new SubjectRewrite(from, to, prefix, wild);
  }
}

/** The subscription lives in the exporter's trie; `to` is prefix + from, or the mapped `to`. */
export class StreamImport extends AccountImport {
  constructor(importer: Account, exporter: Account, from: string, to: string, readonly prefix: string) {
    super(exporter, importer, exporter, from, to, prefix, subjectHasWildcard(from));
  }

  /** The importer's subject for `subject` of the exporter. */
  importedSubject(subject: string): string {
    return this.rewrite.apply(subject);
  }

  /** Taken when some subscriber of the importer got it (Go's shadow subscriptions exist only for those). */
  deliver(_sub: Subscription, subject: string, reply: string | undefined, hdrLen: number, buf: Buffer, start: number, size: number, publisher: MessageTarget | null): boolean {
    // As Go's shadow subscriptions: an imported stream reaches the importer's
    // subscribers, never another import (no chains, no loops).
    if (forwarding.viaStream > 0) return false;
    const to = this.rewrite.apply(subject);
    forwarding.viaStream++;
    try {
      return deliverMessage(this.importer, publisher, to, reply, hdrLen, buf, start, size) > 0;
    } finally {
      forwarding.viaStream--;
    }
  }
}

/** The subscription lives in the importer's trie: `from` is what the importer publishes on. */
export class ServiceImport extends AccountImport {
  constructor(
    importer: Account,
    exporter: Account,
    from: string,
    to: string,
    readonly share: boolean,
    readonly serviceExport: ServiceExport | undefined,
    /** Import that the server adds by itself (system services). */
    readonly isSystemImport = false,
  ) {
    super(importer, importer, exporter, from, to, "", subjectHasWildcard(to));
  }

  get responseType(): string {
    return this.serviceExport?.responseType ?? "Singleton";
  }

  /** Taken once forwarded (as in Go, a request counts as delivered to the import itself). */
  deliver(_sub: Subscription, subject: string, reply: string | undefined, hdrLen: number, buf: Buffer, start: number, size: number, publisher: MessageTarget | null): boolean {
    if (forwarding.viaStream > 0) return false;
    const se = this.serviceExport;
    // A request that comes back around through the same export is dropped (Go's cycle guard).
    if (se !== undefined && forwarding.serviceChain.includes(se)) return false;
    const to = this.rewrite.apply(subject);
    const hadPrevious = forwarding.serviceChain.length > 0;
    let nrr: string | undefined;
    let pending = null;
    if (reply !== undefined && reply !== "") {
      pending = repliesOf(this.exporter).create(this, reply, publisher, hdrLen > 0 ? buf.subarray(start, start + hdrLen) : null);
      nrr = pending.subject;
    }
    // Who asked, for the responder (Go's Nats-Request-Info); kept as is along a chain.
    let out = { buf, start, hdrLen, size };
    const existing = hadPrevious && hdrLen > 0 ? buf.subarray(start, start + hdrLen).includes(REQUEST_INFO_HEADER) : false;
    if (!existing) {
      const info = requestInfoOf(publisher, this.share || this.isSystemImport);
      if (info !== null) out = setHeader(REQUEST_INFO_HEADER, JSON.stringify(info), hdrLen, buf, start, size);
    }
    if (se !== undefined) forwarding.serviceChain.push(se);
    let delivered = 0;
    try {
      delivered = deliverMessage(this.exporter, publisher, to, nrr, out.hdrLen, out.buf, out.start, out.size);
    } finally {
      if (se !== undefined) forwarding.serviceChain.pop();
    }
    if (delivered === 0 && pending !== null) repliesOf(this.exporter).remove(pending.subject);
    return true;
  }
}

/** Go's AddStreamImport / AddMappedStreamImport: "" or the error text. */
export function addStreamImport(importer: Account, exporter: Account, from: string, prefix: string, to: string): string {
  if (findApprovedExport(exporter.streamExports, importer.name, from) === undefined || !isValidSubject(from)) return "stream import not authorized";
  if (prefix !== "") {
    if (subjectHasWildcard(prefix)) return "stream import prefix can not contain wildcard tokens";
    if (!prefix.endsWith(".")) prefix += ".";
    to = prefix + from;
  }
  if (to === "") to = from;
  const cycle = streamImportsCycle(exporter, to, new Set([importer.name]));
  if (cycle) return cycle;
  if (importer.streamImports.some((si) => si.exporter === exporter && si.from === from)) return "stream import already exists";
  const si = new StreamImport(importer, exporter, from, to, prefix);
  importer.streamImports.push(si);
  si.listen(from, `si${importer.streamImports.length}`);
  return "";
}

function streamImportsCycle(acc: Account, to: string, visited: Set<string>): string {
  if (visited.size >= MAX_CYCLE_SEARCH_DEPTH) return "search cycle depth exhausted";
  let exported = false;
  for (const subj of acc.streamExports.keys()) if (subjectIsSubsetMatch(to, subj)) exported = true;
  if (!exported) return "";
  for (const si of acc.streamImports) {
    if (!subjectsCollide(to, si.to)) continue;
    if (visited.has(si.exporter.name)) return "import forms a cycle";
    visited.add(acc.name);
    const next = subjectIsSubsetMatch(si.to, to) ? si.to : to;
    const err = streamImportsCycle(si.exporter, next, visited);
    if (err) return err;
  }
  return "";
}

/** Go's AddServiceImport (from: the importer's subject, to: the exporter's): "" or the error text. */
export function addServiceImport(importer: Account, exporter: Account, from: string, to: string, share: boolean, isSystemImport = false): string {
  if (to === "") to = from;
  if (!isValidSubject(from) || !isValidSubject(to)) return "invalid subject";
  if (!isSystemImport && findApprovedExport(exporter.serviceExports, importer.name, to) === undefined) return "service import not authorized";
  const cycle = serviceImportsCycle(exporter, from, new Set([importer.name]));
  if (cycle) return cycle;
  const dup = importer.serviceImports.get(from);
  if (dup !== undefined) return `duplicate service import subject "${from}", previously used in import for account "${dup.exporter.name}", subject "${dup.to}"`;
  const si = new ServiceImport(importer, exporter, from, to, share, findExportFor(exporter.serviceExports, to), isSystemImport);
  importer.serviceImports.set(from, si);
  si.listen(from, `svc${importer.serviceImports.size}`);
  return "";
}

function serviceImportsCycle(acc: Account, from: string, visited: Set<string>): string {
  if (visited.size >= MAX_CYCLE_SEARCH_DEPTH) return "search cycle depth exhausted";
  for (const si of acc.serviceImports.values()) {
    if (!subjectsCollide(from, si.to)) continue;
    if (visited.has(si.exporter.name)) return "import forms a cycle";
    visited.add(acc.name);
    const next = subjectIsSubsetMatch(si.from, from) ? si.from : from;
    const err = serviceImportsCycle(si.exporter, next, visited);
    if (err) return err;
  }
  return "";
}

/** Remove every import of `acc` (their subscriptions leave the exporters' tries). */
export function clearImports(acc: Account): void {
  for (const si of acc.streamImports) si.close();
  acc.streamImports = [];
  for (const si of acc.serviceImports.values()) si.close();
  acc.serviceImports.clear();
}
