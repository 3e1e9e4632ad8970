// The nats-resolver: account JWTs kept in a directory (`<dir>/<account>.jwt`,
// Go's unsharded DirJWTStore layout), `full` (every JWT, updates pushed by
// operators, optional delete) or `cache` (at most `limit` fetched JWTs).
// It answers the $SYS claims services with Go's replies: CLAIMS.UPDATE
// (plain and per account), ACCOUNT.<id>.CLAIMS.LOOKUP, CLAIMS.LIST and
// CLAIMS.DELETE. A JWT is written only after it decoded and validated;
// what the directory holds is verified again by whoever reads it.

import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { InternalClient } from "../../server/internal-client.js";
import type { Subscription } from "../../server/subscription.js";
import { decodeClaims, type AccountClaims, type GenericClaims } from "./decode.js";
import { isAccountKey, type ResolverConfig } from "./options.js";
import { DEFAULT_ACCOUNT_FETCH_TIMEOUT, type AccountResolver } from "./resolver.js";

/** What the resolver needs from the server. */
export interface ResolverHost {
  /** The system account's internal client (services and lookups go through it). */
  readonly sys: InternalClient;
  serverInfo(): Record<string, unknown>;
  debug(msg: string): void;
  error(msg: string): void;
  notice(msg: string): void;
  /** Operator subject and the keys allowed to sign account JWTs and delete requests. */
  readonly operator: string;
  readonly operatorKeys: ReadonlySet<string>;
  readonly strict: boolean;
  readonly systemAccount: string;
  /** A stored account JWT changed: update the live account, if there is one. */
  accountChanged(account: string, jwt: string): void;
  accountDeleted(account: string): void;
}

const UPDATE_OLD = "$SYS.ACCOUNT.*.CLAIMS.UPDATE";
const UPDATE_NEW = "$SYS.REQ.ACCOUNT.*.CLAIMS.UPDATE";
const CLAIMS_UPDATE = "$SYS.REQ.CLAIMS.UPDATE";
const LOOKUP = "$SYS.REQ.ACCOUNT.*.CLAIMS.LOOKUP";
const LIST = "$SYS.REQ.CLAIMS.LIST";
const DELETE = "$SYS.REQ.CLAIMS.DELETE";

type DirConfig = Extract<ResolverConfig, { type: "full" | "cache" }>;

export class NatsResolver implements AccountResolver {
  readonly kind: "full" | "cache";
  private host: ResolverHost | null = null;
  private readonly subs: Subscription[] = [];
  /** Cache mode: stored accounts, least recently used first. */
  private readonly lru: string[] = [];
  private inboxSeq = 0;

  constructor(private readonly cfg: DirConfig) {
    this.kind = cfg.type;
    mkdirSync(cfg.dir, { recursive: true });
    if (cfg.type === "cache") for (const f of readdirSync(cfg.dir)) if (f.endsWith(".jwt")) this.lru.push(f.slice(0, -4));
  }

  private path(account: string): string {
    return join(this.cfg.dir, `${account}.jwt`);
  }

  /** The stored JWT, or "" when there is none. */
  load(account: string): string {
    if (!isAccountKey(account)) return "";
    try {
      return readFileSync(this.path(account), "utf8");
    } catch {
      return "";
    }
  }

  /**
   * Stored account ids, sorted as Go's directory walk. Unlike Go, files whose
   * name is not an account key (garbage dropped into the directory) are not listed.
   */
  list(): string[] {
    let names: string[] = [];
    try {
      names = readdirSync(this.cfg.dir);
    } catch {
      return [];
    }
    return names.filter((f) => f.endsWith(".jwt") && isAccountKey(f.slice(0, -4))).map((f) => f.slice(0, -4)).sort();
  }

  async fetch(account: string): Promise<string> {
    const local = this.load(account);
    if (local !== "") {
      this.touch(account);
      return local;
    }
    return this.lookupRemote(account);
  }

  /** Ask the system account (other servers, an account service) for the JWT, within the fetch timeout. */
  private lookupRemote(account: string): Promise<string> {
    const host = this.host;
    if (host === null) return Promise.reject(new Error("account missing"));
    const timeout = this.cfg.timeout || DEFAULT_ACCOUNT_FETCH_TIMEOUT;
    return new Promise((resolve, reject) => {
      const inbox = `$SYS._INBOX_.${host.sys.cid}.fetch.${++this.inboxSeq}`;
      const sub = host.sys.subscribe(inbox, (_s, _r, _h, data) => {
        const text = data.toString("utf8");
        if (text === "") return;
        host.sys.removeSub(sub);
        clearTimeout(timer);
        resolve(text);
      });
      const timer = setTimeout(() => {
        host.sys.removeSub(sub);
        reject(new Error("fetching jwt timed out"));
      }, timeout);
      timer.unref();
      host.sys.publish(`$SYS.REQ.ACCOUNT.${account}.CLAIMS.LOOKUP`, inbox, "");
    });
  }

  /** Keep a fetched JWT unless the stored one is newer (Go's saveIfNewer). */
  store(account: string, jwt: string): void {
    const existing = this.load(account);
    if (existing !== "") {
      try {
        const old = decodeClaims<GenericClaims>(existing, "generic");
        const neu = decodeClaims<GenericClaims>(jwt, "generic");
        if (old.jti === neu.jti || old.iat > neu.iat) return;
      } catch {
        // An undecodable stored file is replaced.
      }
    }
    this.write(account, jwt);
  }

  private write(account: string, jwt: string): boolean {
    if (this.load(account) === jwt) return false;
    if (this.kind === "cache" && !this.lru.includes(account) && this.lru.length >= this.cfg.limit) {
      const evict = this.lru.shift()!;
      rmSync(this.path(evict), { force: true });
    }
    if (this.kind === "full" && this.list().length >= this.cfg.limit && this.load(account) === "") throw new Error("jwt store is full");
    writeFileSync(this.path(account), jwt, { mode: 0o644 });
    this.touch(account);
    return true;
  }

  private touch(account: string): void {
    if (this.kind !== "cache") return;
    const i = this.lru.indexOf(account);
    if (i >= 0) this.lru.splice(i, 1);
    this.lru.push(account);
  }

  /** Subscribe the claims services on the system account. */
  start(host: ResolverHost): void {
    this.host = host;
    const sys = host.sys;
    for (const subj of [UPDATE_OLD, UPDATE_NEW]) {
      this.subs.push(sys.subscribe(subj, (subject, reply, _h, data) => this.onUpdate(subject, reply, data.toString("utf8"))));
    }
    this.subs.push(sys.subscribe(CLAIMS_UPDATE, (_s, reply, _h, data) => this.onUpdate("", reply, data.toString("utf8"))));
    this.subs.push(
      sys.subscribe(LOOKUP, (subject, reply) => {
        if (!reply) return;
        const tk = subject.split(".");
        if (tk.length !== 6) return;
        const j = this.load(tk[3]!);
        if (j !== "") sys.publish(reply, undefined, j);
      }),
    );
    this.subs.push(sys.subscribe(LIST, (_s, reply) => this.onList(reply)));
    this.subs.push(sys.subscribe(DELETE, (_s, reply, _h, data) => this.onDelete(reply, data.toString("utf8"))));
    host.notice(this.kind === "full" ? `Managing all jwt in exclusive directory ${this.cfg.dir}` : `Managing some jwt in exclusive directory ${this.cfg.dir}`);
  }

  private respond(reply: string | undefined, account: string, message: string, err: string | null): void {
    const host = this.host!;
    if (err === null) host.debug(account === "" ? message : `${message} - ${account}`);
    else host.error(account === "" ? `${message} - ${err}` : `${message} - ${account} - ${err}`);
    if (!reply) return;
    const body: Record<string, unknown> = { server: host.serverInfo() };
    const m: Record<string, unknown> = {};
    if (account !== "") m.account = account;
    if (err === null) {
      m.code = 200;
      m.message = message;
      body.data = m;
    } else {
      m.code = 500;
      m.description = `${message} - ${err}`;
      body.error = m;
    }
    host.sys.publish(reply, undefined, JSON.stringify(body));
  }

  private onUpdate(subject: string, reply: string | undefined, text: string): void {
    const host = this.host!;
    let pub = "";
    if (subject !== "") {
      const tk = subject.split(".");
      pub = tk.length === 6 ? tk[3]! : tk.length === 5 ? tk[2]! : "";
      if (pub === "") return host.debug(`jwt update skipped due to bad subject "${subject}"`);
    }
    let claim: AccountClaims;
    try {
      claim = decodeClaims<AccountClaims>(text, "account");
    } catch (e) {
      return this.respond(reply, "n/a", "jwt update resulted in error", (e as Error).message);
    }
    const target = pub || claim.sub;
    if (subject === "" && claim.iss === host.operator && host.strict) return this.respond(reply, claim.sub, "jwt update resulted in error", "operator requires issuer to be a signing key");
    const invalid = validateAccount(claim);
    if (invalid !== "") return this.respond(reply, claim.sub, "jwt validation failed", invalid);
    if (pub !== "" && claim.sub !== pub) return this.respond(reply, pub, "jwt update resulted in error", "subject does not match jwt content");
    if (pub !== "" && claim.iss === host.operator && host.strict) return this.respond(reply, pub, "jwt update resulted in error", "operator requires issuer to be a signing key");
    if (!host.operatorKeys.has(claim.iss)) return this.respond(reply, target, "jwt update resulted in error", "not trusted");
    if (this.kind === "cache" && this.load(target) === "") return this.respond(reply, target, "jwt update cache skipped", null);
    let changed: boolean;
    try {
      changed = this.write(target, text);
    } catch (e) {
      return this.respond(reply, target, "jwt update resulted in error", (e as Error).message);
    }
    if (changed) host.accountChanged(target, text);
    this.respond(reply, target, "jwt updated", null);
  }

  private onList(reply: string | undefined): void {
    if (!reply) return;
    const host = this.host!;
    const ids = this.list();
    host.debug(`list request responded with ${ids.length} account ids`);
    host.sys.publish(reply, undefined, JSON.stringify({ server: host.serverInfo(), data: ids }));
  }

  private onDelete(reply: string | undefined, text: string): void {
    const host = this.host!;
    let subj = "";
    let ids: string[] = [];
    let err = "";
    try {
      const gk = decodeClaims<GenericClaims>(text, "generic");
      subj = gk.sub;
      const list = (gk.nats as Record<string, unknown>).accounts ?? (gk as unknown as Record<string, unknown>).accounts;
      if (this.cfg.type !== "full" || !this.cfg.allowDelete) err = "delete must be enabled in server config";
      else if (gk.sub !== gk.iss) err = "not self signed";
      else if (!host.operatorKeys.has(gk.iss)) err = "not trusted";
      else if (!Array.isArray(list)) err = "malformed request";
      else {
        for (const a of list) {
          if (typeof a !== "string" || !isAccountKey(a)) {
            err = "malformed request";
            break;
          }
          if (a === host.systemAccount) {
            err = "not allowed to delete system account";
            break;
          }
        }
        ids = list as string[];
      }
    } catch (e) {
      err = (e as Error).message;
    }
    if (err !== "") return this.respond(reply, "", `delete accounts request by ${subj} failed`, err);
    const errs: string[] = [];
    let passed = 0;
    for (const a of ids) {
      try {
        if (statSync(this.path(a), { throwIfNoEntry: false })) {
          renameSync(this.path(a), this.path(a) + ".deleted");
          host.accountDeleted(a);
        }
        passed++;
      } catch (e) {
        errs.push((e as Error).message);
      }
    }
    if (errs.length === 0) this.respond(reply, "", `deleted ${passed} accounts`, null);
    else this.respond(reply, "", `deleted ${passed} accounts, failed for ${errs.length}`, errs.join("\n"));
  }

  close(): void {
    if (this.host) for (const s of this.subs) this.host.sys.removeSub(s);
    this.subs.length = 0;
  }
}

/** Go's claimValidate on an account JWT: blocking issues, time excluded (an expired account may be stored). */
export function validateAccount(c: AccountClaims): string {
  const problems = accountProblems(c);
  if (!isAccountKey(c.sub)) problems.push("subject is not an account public key");
  return problems.length === 0 ? "" : `validation errors: [${problems.join(" ")}]`;
}

/** The Go jwt library's blocking checks of an account's imports and exports against its limits (a limit left out is 0). */
export function accountProblems(c: AccountClaims): string[] {
  const out: string[] = [];
  const lim = (c.nats.limits ?? {}) as { imports?: number; exports?: number; wildcards?: boolean };
  const imports = c.nats.imports ?? [];
  const exports = c.nats.exports ?? [];
  const importLimit = lim.imports ?? 0;
  const exportLimit = lim.exports ?? 0;
  if (importLimit !== -1 && imports.length > importLimit) out.push("the account contains more imports than allowed by the operator");
  if (exportLimit !== -1) {
    if (exports.length > exportLimit) out.push("the account contains more exports than allowed by the operator");
    if (lim.wildcards !== true) for (const e of exports) if (/(^|\.)[*>](\.|$)/.test(e.subject ?? "")) out.push("the account contains wildcard exports that are not allowed by the operator");
  }
  return out;
}
