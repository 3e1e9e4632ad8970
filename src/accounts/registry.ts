// AccountRegistry: the server's accounts by name — the global account `$G`,
// the configured ones and the system account — built from AccountConfig
// data with Go's order and error texts (exports first, then imports, each
// checked against the exports), and the service imports every account gets from the system account. Reloading
// reconfigures accounts in place so their subscriptions survive. It does
// not touch connections (the server decides what a change means for them).

import { Account, GLOBAL_ACCOUNT } from "./account.js";
import { DEFAULT_SYSTEM_ACCOUNT, type AccountConfig } from "./config-types.js";
import { DEFAULT_RESPONSE_THRESHOLD_MS, ServiceExport, StreamExport, type ExportAuth } from "./exports.js";
import { addServiceImport, addStreamImport, clearImports } from "./imports.js";
import { SubjectMapping } from "./subject-mapping.js";
import type { SubjectMappingConfig } from "../options.js";
import { subjectText, wireSubject } from "../protocol/subject.js";

export interface AccountsSettings {
  accounts: AccountConfig[];
  /** "" = the default `$SYS`. */
  systemAccount: string;
  noSystemAccount: boolean;
  /** Server-wide mappings (they belong to `$G`). */
  mappings: SubjectMappingConfig[];
}

/** Services the system account exports to every account, each clamped to the importer by its 4th token. */
const SYSTEM_EXPORTS: [string, "Singleton" | "Streamed"][] = [
  ["$SYS.REQ.ACCOUNT.*.CONNZ", "Streamed"],
  ["$SYS.REQ.ACCOUNT.*.STATZ", "Streamed"],
  ["$SYS.REQ.USER.*.INFO", "Singleton"],
];

/** Local subject → system subject (with %s the importing account). */
const SYSTEM_IMPORTS: [string, string][] = [
  ["$SYS.REQ.ACCOUNT.PING.CONNZ", "$SYS.REQ.ACCOUNT.%s.CONNZ"],
  ["$SYS.REQ.SERVER.PING.CONNZ", "$SYS.REQ.ACCOUNT.%s.CONNZ"],
  ["$SYS.REQ.ACCOUNT.PING.STATZ", "$SYS.REQ.ACCOUNT.%s.STATZ"],
  ["$SYS.REQ.USER.INFO", "$SYS.REQ.USER.%s.INFO"],
];

function exportAuth(accounts: string[] | undefined, pos: number): ExportAuth {
  return { approved: accounts === undefined ? null : new Set(accounts), accountTokenPosition: pos };
}

export class AccountRegistry {
  readonly accounts = new Map<string, Account>();
  readonly global: Account;
  system: Account | null = null;
  private readonly claimsListeners = new Set<(account: Account) => void>();

  constructor(
    private readonly nextClientId: () => number,
    private readonly useCache: boolean,
  ) {
    this.global = this.create(GLOBAL_ACCOUNT);
  }

  private create(name: string): Account {
    const a = new Account(name, this.useCache);
    a.internalCid = this.nextClientId();
    this.accounts.set(name, a);
    return a;
  }

  get(name: string): Account | undefined {
    return this.accounts.get(name);
  }

  /**
   * An account defined outside the config (operator mode: an account JWT),
   * created on first use with the system imports; `system` makes it the
   * system account.
   */
  adopt(name: string, system = false): Account {
    const acc = this.accounts.get(name) ?? this.create(name);
    if (system) this.system = acc;
    this.addSystemImports();
    return acc;
  }

  /** Call `fn` whenever an account's JWT claims were applied or withdrawn (JetStream follows them); returns the unsubscribe. */
  onClaimsChanged(fn: (account: Account) => void): () => void {
    this.claimsListeners.add(fn);
    return () => this.claimsListeners.delete(fn);
  }

  claimsChanged(account: Account): void {
    for (const fn of this.claimsListeners) fn(account);
  }

  /** Accounts in creation order ($G first). */
  list(): Account[] {
    return [...this.accounts.values()];
  }

  /**
   * (Re)build accounts from `settings`. Returns Go's error texts (and
   * configures what it can); `removed` lists accounts that no longer exist.
   */
  configure(settings: AccountsSettings): { errors: string[]; removed: Account[] } {
    const errors: string[] = [];
    const wanted = new Set<string>([GLOBAL_ACCOUNT, ...settings.accounts.map((c) => c.name)]);
    const sysName = settings.noSystemAccount ? "" : settings.systemAccount || DEFAULT_SYSTEM_ACCOUNT;
    if (sysName === DEFAULT_SYSTEM_ACCOUNT) wanted.add(sysName);
    const removed: Account[] = [];
    for (const [name, acc] of this.accounts) {
      if (!wanted.has(name)) {
        removed.push(acc);
        this.reset(acc);
        this.accounts.delete(name);
      }
    }
    for (const acc of this.accounts.values()) this.reset(acc);

    const configs = new Map<string, AccountConfig>();
    for (const cfg of settings.accounts) {
      configs.set(cfg.name, cfg);
      const acc = this.accounts.get(cfg.name) ?? this.create(cfg.name);
      acc.nkey = cfg.nkey;
      acc.limits = { ...cfg.limits };
      acc.jetstreamConfig = cfg.jetstream;
      acc.mappings = cfg.mappings.map(wireMapping);
      acc.updated = new Date();
    }
    this.global.mappings = settings.mappings.map(wireMapping);
    if (sysName !== "" && !this.accounts.has(sysName)) {
      if (sysName === DEFAULT_SYSTEM_ACCOUNT) this.create(sysName);
      else errors.push("error resolving system account: account missing");
    }
    this.system = sysName !== "" ? (this.accounts.get(sysName) ?? null) : null;

    // Go's order: stream exports, service exports, stream imports, service imports.
    for (const cfg of configs.values()) {
      const acc = this.accounts.get(cfg.name)!;
      for (const e of cfg.exports) {
        if (e.kind !== "stream") continue;
        const missing = (e.accounts ?? []).filter((n) => !this.accounts.has(n));
        for (const n of missing) errors.push(`"${n}" account not defined for stream export`);
        acc.streamExports.set(wireSubject(e.subject), new StreamExport(wireSubject(e.subject), exportAuth(e.accounts?.filter((n) => this.accounts.has(n)), e.accountTokenPosition)));
      }
    }
    for (const cfg of configs.values()) {
      const acc = this.accounts.get(cfg.name)!;
      for (const e of cfg.exports) {
        if (e.kind !== "service") continue;
        for (const n of (e.accounts ?? []).filter((x) => !this.accounts.has(x))) errors.push(`"${n}" account not defined for service export`);
        if (e.latency && this.system === null) {
          errors.push(`Error adding service latency sampling for "${e.subject}": system account not setup`);
          continue;
        }
        const auth = exportAuth(e.accounts?.filter((n) => this.accounts.has(n)), e.accountTokenPosition);
        acc.serviceExports.set(wireSubject(e.subject), new ServiceExport(wireSubject(e.subject), auth, e.responseType, e.responseThreshold ?? DEFAULT_RESPONSE_THRESHOLD_MS, e.latency ?? null));
      }
    }
    for (const cfg of configs.values()) {
      const acc = this.accounts.get(cfg.name)!;
      for (const i of cfg.imports) {
        if (i.kind !== "stream") continue;
        const from = this.accounts.get(i.account);
        if (from === undefined) {
          errors.push(`"${i.account}" account not defined for stream import`);
          continue;
        }
        const err = addStreamImport(acc, from, wireSubject(i.subject), wireSubject(i.prefix), wireSubject(i.to));
        if (err) errors.push(`Error adding stream import "${i.subject}": ${subjectText(err)}`);
      }
    }
    for (const cfg of configs.values()) {
      const acc = this.accounts.get(cfg.name)!;
      for (const i of cfg.imports) {
        if (i.kind !== "service") continue;
        const to = this.accounts.get(i.account);
        if (to === undefined) {
          errors.push(`"${i.account}" account not defined for service import`);
          continue;
        }
        const err = addServiceImport(acc, to, wireSubject(i.to || i.subject), wireSubject(i.subject), i.share);
        if (err) errors.push(`Error adding service import "${i.subject}": ${subjectText(err)}`);
      }
    }
    this.addSystemImports();
    return { errors, removed };
  }

  /** Clear what configure() rebuilds; subscriptions of clients stay. */
  private reset(acc: Account): void {
    clearImports(acc);
    acc.streamExports.clear();
    for (const se of acc.serviceExports.values()) if (se.sweepTimer !== null) clearTimeout(se.sweepTimer);
    acc.serviceExports.clear();
    acc.replies?.close();
    acc.replies = null;
  }

  private addSystemImports(): void {
    const sys = this.system;
    if (sys === null) return;
    for (const [subject, rt] of SYSTEM_EXPORTS) {
      if (!sys.serviceExports.has(subject)) sys.serviceExports.set(subject, new ServiceExport(subject, exportAuth(undefined, 4), rt, DEFAULT_RESPONSE_THRESHOLD_MS, null));
    }
    for (const acc of this.accounts.values()) {
      if (acc === sys) continue;
      for (const [from, to] of SYSTEM_IMPORTS) {
        if (!acc.serviceImports.has(from)) addServiceImport(acc, sys, from, wireSubject(to.replace("%s", acc.name)), false, true);
      }
    }
  }
}

/**
 * A configured mapping with its subjects in wire form (one char per byte),
 * as clients' subjects arrive; exports and imports are converted the same
 * way above, so non-ASCII subjects in the configuration work as in Go.
 */
function wireMapping(m: SubjectMappingConfig): SubjectMapping {
  return new SubjectMapping({ ...m, source: wireSubject(m.source), destinations: m.destinations.map((d) => ({ ...d, subject: wireSubject(d.subject) })) });
}
