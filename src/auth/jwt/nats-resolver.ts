// The nats-resolver: account JWTs kept in a directory (`<dir>/<account>.jwt`,
// Go's unsharded DirJWTStore layout), `full` (every JWT, updates pushed by
// operators, optional delete) or `cache` (at most `limit` fetched JWTs).
// It answers the $SYS claims services with Go's replies: CLAIMS.UPDATE
// (plain and per account), CLAIMS.LIST and CLAIMS.DELETE, and for `full`
// ACCOUNT.<id>.CLAIMS.LOOKUP and the CLAIMS.PACK sync. A JWT is written only after it decoded and validated;
// what the directory holds is verified again by whoever reads it.

import type { InternalClient } from "../../server/internal-client.js";
import type { Subscription } from "../../server/subscription.js";
import { decodeClaims, type AccountClaims, type GenericClaims } from "./decode.js";
import { DirJwtStore } from "./jwt-dir-store.js";
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
  /** The server has this account in use (cache updates only apply to those). */
  isLoaded(account: string): boolean;
  /** The JWT is the account's, issued by a trusted operator key and valid (merged JWTs are checked). */
  verified(account: string, jwt: string): boolean;
}

const UPDATE_OLD = "$SYS.ACCOUNT.*.CLAIMS.UPDATE";
const UPDATE_NEW = "$SYS.REQ.ACCOUNT.*.CLAIMS.UPDATE";
const CLAIMS_UPDATE = "$SYS.REQ.CLAIMS.UPDATE";
const LOOKUP = "$SYS.REQ.ACCOUNT.*.CLAIMS.LOOKUP";
const LIST = "$SYS.REQ.CLAIMS.LIST";
const DELETE = "$SYS.REQ.CLAIMS.DELETE";
const PACK = "$SYS.REQ.CLAIMS.PACK";

type DirConfig = Extract<ResolverConfig, { type: "full" | "cache" }>;

export class NatsResolver implements AccountResolver {
  readonly kind: "full" | "cache";
  readonly jwts: DirJwtStore;
  private host: ResolverHost | null = null;
  private readonly subs: Subscription[] = [];
  private syncTimer: NodeJS.Timeout | null = null;
  private inboxSeq = 0;

  constructor(private readonly cfg: DirConfig) {
    this.kind = cfg.type;
    const full = cfg.type === "full";
    this.jwts = new DirJwtStore(cfg.dir, {
      limit: cfg.limit > 0 ? cfg.limit : Infinity,
      evictOnLimit: !full,
      ttl: full ? 0 : cfg.ttl,
      deleteMode: full ? (!cfg.allowDelete ? "none" : cfg.hardDelete ? "hard" : "rename") : "hard",
    });
  }

  /** The stored JWT, or "" when there is none. */
  load(account: string): string {
    return this.jwts.load(account);
  }

  /**
   * Stored account ids, sorted as Go's directory walk. Unlike Go, files whose
   * name is not an account key (garbage dropped into the directory) are not listed.
   */
  list(): string[] {
    return this.jwts.list();
  }

  async fetch(account: string): Promise<string> {
    const local = this.load(account);
    if (local !== "") return local;
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

  /** Keep a fetched (and verified) JWT unless the stored one is newer (Go's saveIfNewer). */
  store(account: string, jwt: string): void {
    this.jwts.saveIfNewer(account, jwt);
  }

  /** Subscribe the claims services on the system account. */
  start(host: ResolverHost): void {
    this.host = host;
    const sys = host.sys;
    for (const subj of [UPDATE_OLD, UPDATE_NEW]) {
      this.subs.push(sys.subscribe(subj, (subject, reply, _h, data) => this.onUpdate(subject, reply, data.toString("utf8"))));
    }
    this.subs.push(sys.subscribe(CLAIMS_UPDATE, (_s, reply, _h, data) => this.onUpdate("", reply, data.toString("utf8"))));
    this.subs.push(sys.subscribe(LIST, (_s, reply) => this.onList(reply)));
    this.subs.push(sys.subscribe(DELETE, (_s, reply, _h, data) => this.onDelete(reply, data.toString("utf8"))));
    // Only the full resolver serves lookups and syncs (Go's cache resolver does neither).
    if (this.cfg.type === "full") {
      this.subs.push(sys.subscribe(LOOKUP, (subject, reply) => this.onLookup(subject, reply)));
      this.startSync(host, this.cfg.interval);
    }
    host.notice(this.kind === "full" ? `Managing all jwt in exclusive directory ${this.cfg.dir}` : `Managing some jwt in exclusive directory ${this.cfg.dir}`);
  }

  /** Our copy of an account's JWT; an empty answer tells the asker we have none. */
  private onLookup(subject: string, reply: string | undefined): void {
    if (!reply) return;
    const tk = subject.split(".");
    if (tk.length !== 6) return;
    const j = this.load(tk[3]!);
    if (j === "") this.host!.debug(`DirResolver - Could not find account ${JSON.stringify(tk[3])}`);
    this.host!.sys.publish(reply, undefined, j);
  }

  /**
   * Go's store sync: a queue responder on CLAIMS.PACK, and every `interval`
   * a pack request with our store hash whose answers are merged. Without
   * routes the only responder is this server (hashes match, nothing to merge).
   */
  private startSync(host: ResolverHost, interval: number): void {
    const sys = host.sys;
    const inbox = `$SYS._INBOX_.${sys.cid}.pack`;
    this.subs.push(sys.subscribe(PACK, (_s, reply, _h, data) => this.onPackRequest(reply, Buffer.from(data)), "responder"));
    this.subs.push(sys.subscribe(inbox, (_s, _r, _h, data) => this.onPackResponse(data.toString("utf8"))));
    this.syncTimer = setInterval(() => {
      const hash = this.jwts.hash();
      host.debug(`DirResolver - Checking store state: ${hash.toString("hex")}`);
      sys.publish(PACK, inbox, hash);
    }, interval);
    this.syncTimer.unref();
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

  /**
   * A pushed account JWT (per-account subject when `subject` is set, else
   * CLAIMS.UPDATE), checked in Go's order with its texts (the cache's say
   * "cache"; it takes updates only for accounts the server has loaded).
   * Unlike Go, a JWT not issued by a trusted operator key is refused.
   */
  private onUpdate(subject: string, reply: string | undefined, text: string): void {
    const host = this.host!;
    const cache = this.kind === "cache";
    const failed = cache ? "jwt update cache resulted in error" : "jwt update resulted in error";
    let pub = "";
    if (subject !== "") {
      const tk = subject.split(".");
      pub = tk.length === 6 ? tk[3]! : tk.length === 5 ? tk[2]! : "";
      if (pub === "") return host.debug(`DirResolver - jwt update ${cache ? "cache " : ""}skipped due to bad subject "${subject}"`);
    }
    let claim: AccountClaims;
    try {
      claim = decodeClaims<AccountClaims>(text, "account");
    } catch (e) {
      return this.respond(reply, cache && pub !== "" ? pub : "n/a", failed, (e as Error).message);
    }
    const target = pub || claim.sub;
    const strictViolation = claim.iss === host.operator && host.strict;
    const invalid = validateAccount(claim);
    if (cache) {
      if (pub !== "" && claim.sub !== pub) return this.respond(reply, pub, failed, "subject does not match jwt content");
      if (strictViolation) return this.respond(reply, target, failed, "operator requires issuer to be a signing key");
      if (!host.isLoaded(target)) return this.respond(reply, target, "jwt update cache skipped", null);
      if (invalid !== "") return this.respond(reply, claim.sub, "jwt update cache validation failed", invalid);
    } else {
      if (pub === "" && strictViolation) return this.respond(reply, claim.sub, failed, "operator requires issuer to be a signing key");
      if (invalid !== "") return this.respond(reply, claim.sub, "jwt validation failed", invalid);
      if (pub !== "" && claim.sub !== pub) return this.respond(reply, pub, failed, "subject does not match jwt content");
      if (pub !== "" && strictViolation) return this.respond(reply, pub, failed, "operator requires issuer to be a signing key");
    }
    if (!host.operatorKeys.has(claim.iss)) return this.respond(reply, target, failed, "not trusted");
    let changed: boolean;
    try {
      changed = this.jwts.save(target, text);
    } catch (e) {
      return this.respond(reply, target, failed, (e as Error).message);
    }
    if (changed) host.accountChanged(target, text);
    this.respond(reply, target, cache ? "jwt updated cache" : "jwt updated", null);
  }

  /** CLAIMS.PACK from a peer (or our own sync): nothing new when the hashes match, else every JWT, one a message, then an empty one. */
  private onPackRequest(reply: string | undefined, theirHash: Buffer): void {
    if (!reply) return;
    const host = this.host!;
    const ours = this.jwts.hash();
    if (theirHash.equals(ours)) {
      host.sys.publish(reply, undefined, "");
      return host.debug(`DirResolver - Pack request matches hash ${ours.toString("hex")}`);
    }
    for (const line of this.jwts.pack()) host.sys.publish(reply, undefined, line);
    host.debug(`DirResolver - Pack request hash ${theirHash.toString("hex")} - finished responding with hash ${ours.toString("hex")}`);
    host.sys.publish(reply, undefined, "");
  }

  /** A pack message answering our sync: merge what is verified and newer (Go's Merge, without trusting the peer). */
  private onPackResponse(text: string): void {
    const host = this.host!;
    const before = this.jwts.hash().toString("hex");
    if (text === "") return host.debug(`DirResolver - Merging finished and resulting in: ${before}`);
    try {
      for (const line of text.split("\n")) {
        if (line === "") continue;
        const parts = line.split("|");
        if (parts.length !== 2) throw new Error(`line in package didn't contain 2 entries: ${JSON.stringify(line)}`);
        const [account, jwt] = parts as [string, string];
        if (!isAccountKey(account)) throw new Error("key to merge is not a valid public account key");
        if (!host.verified(account, jwt)) throw new Error("not trusted");
        if (this.jwts.saveIfNewer(account, jwt)) host.accountChanged(account, jwt);
      }
    } catch (e) {
      return host.error(`DirResolver - Merging resulted in error: ${(e as Error).message}`);
    }
    host.debug(`DirResolver - Merging succeeded and changed ${before} to ${this.jwts.hash().toString("hex")}`);
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
      // As Go: the cache may always delete (what it holds is a copy), the full resolver only with allow_delete.
      if (this.cfg.type === "full" && !this.cfg.allowDelete) err = "delete must be enabled in server config";
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
        if (this.jwts.remove(a)) host.accountDeleted(a);
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
    if (this.syncTimer) clearInterval(this.syncTimer);
    this.syncTimer = null;
    this.jwts.close();
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
