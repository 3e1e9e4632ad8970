// OperatorAuthenticator: operator mode. Holds the trusted keys, the account
// resolver and the accounts built from verified account JWTs, and checks a
// client's user JWT against them in nats-server's order (JWT present and
// valid, connection type, pinned accounts, account lookup, trusted account
// issuer, user issuer and scope, account expiry, bearer, nonce signature,
// revocation, source network, connect times). Account JWT updates are
// applied to live connections through the small JwtClient interface; it
// never touches sockets or protocol bytes.

import { fromPublic } from "@nats-io/nkeys";
import type { ConnectOptions } from "../../server/connect-options.js";
import type { InternalClient } from "../../server/internal-client.js";
import type { Account } from "../../accounts/account.js";
import { CompiledPermissions } from "../permissions.js";
import type { ConfiguredUser } from "../authenticator.js";
import { checkDates, decodeClaims, type AccountClaims, type UserClaims } from "./decode.js";
import { JwtAccount } from "./jwt-account.js";
import type { AuthCallout, AuthCalloutConfig, OperatorScope } from "../callout.js";
import { applyExports, applyImports, importsOf } from "./account-links.js";
import { NatsResolver, accountProblems, type ResolverHost } from "./nats-resolver.js";
import { MemoryResolver, UrlResolver, type AccountResolver } from "./resolver.js";
import { isAccountKey, type TrustState } from "./options.js";
import {
  allowedConnectionTypes,
  applyUserTemplate,
  connectTimeAllowed,
  hasEmptyPermissions,
  permissionsFromJwt,
  sourceAllowed,
  userLimitProblems,
} from "./user-rules.js";

/** A connected client as operator mode sees it. */
export interface JwtClient {
  readonly opts: ConnectOptions;
  readonly start: Date;
  readonly closed: boolean;
  jwtUser: JwtUserState | null;
  /** Limits changed (account update): recompute payload/subscription limits. */
  applyJwtLimits(): void;
  /** Close with Go's -ERR and reason (`kind` picks which). */
  closeForJwt(kind: "revoked" | "account-connections" | "auth-violation" | "account-expired" | "signer-changed"): void;
}

/** What a connection keeps of its verified user JWT. */
export interface JwtUserState {
  readonly pubKey: string;
  readonly claims: UserClaims;
  readonly account: JwtAccount;
  /** The signing key that issued the user ("" = the account key). */
  readonly signingKey: string;
  /** Limits from the user JWT or its scope (-1 = unlimited). */
  readonly subs: number;
  readonly payload: number;
}

/** A JWT user as monitoring shows it. */
export interface JwtIdentity {
  pubKey: string;
  issuerKey: string;
  nameTag: string;
  tags: string[];
}

export type JwtVerdict =
  | { ok: false; debug?: string; error?: string }
  | { ok: true; user: ConfiguredUser; state: JwtUserState; expiresIn: number; debug: string };

/** What the authenticator needs from the server. */
export interface OperatorHost {
  /** The server's account for an account key (created on first use); `system` makes it the system account. */
  adoptAccount(id: string, system: boolean): Account;
  debug(msg: string): void;
  error(msg: string): void;
  notice(msg: string): void;
  warn(msg: string): void;
  createInternalClient(account: JwtAccount): InternalClient;
  serverInfo(): Record<string, unknown>;
  /** The live clients of an account, oldest first. */
  clientsOf(account: JwtAccount): JwtClient[];
  /** An auth callout run in an account (the account JWT's `authorization`). */
  newCallout(cfg: AuthCalloutConfig): AuthCallout;
  /** An account's claims were applied or withdrawn (JetStream follows its JWT limits). */
  claimsChanged(account: Account): void;
}

const fail = (debug: string): JwtVerdict => ({ ok: false, debug });

export class OperatorAuthenticator {
  readonly resolver: AccountResolver;
  readonly accounts = new Map<string, JwtAccount>();
  private readonly pending = new Map<string, Promise<JwtAccount>>();
  private readonly trustedKeys: Set<string>;
  private readonly pinned: Set<string> | null;
  private sysClient: InternalClient | null = null;

  constructor(
    readonly trust: TrustState,
    private readonly host: OperatorHost,
    preload: Record<string, string>,
    pinned: string[] | null,
  ) {
    this.trustedKeys = new Set(trust.keys ?? []);
    this.pinned = pinned ? new Set([...pinned, ...(trust.systemAccount ? [trust.systemAccount] : [])]) : null;
    const r = trust.resolver;
    this.resolver = r === null || r.type === "memory" ? new MemoryResolver() : r.type === "url" ? new UrlResolver(r.url, trust.resolverTls) : new NatsResolver(r);
    for (const [k, j] of Object.entries(preload)) {
      if (!(this.resolver instanceof NatsResolver || this.resolver instanceof MemoryResolver)) continue;
      try {
        this.resolver.store(k, j);
      } catch {
        // As Go, a preload the store refuses (over its limit, a bad key) is skipped.
      }
    }
    this.preload = preload;
    // The system account exists from the start (its services subscribe before any JWT is fetched).
    if (trust.systemAccount !== "") this.accountEntry(trust.systemAccount);
  }

  private readonly preload: Record<string, string>;

  /** Go's startup lines about the trusted operators and the preloaded accounts. */
  logStartup(): void {
    const h = this.host;
    if (this.trust.operators.length > 0) h.notice("Trusted Operators");
    for (const op of this.trust.operators) {
      h.notice(`  System  : ${JSON.stringify(op.aud ?? "")}`);
      h.notice(`  Operator: ${JSON.stringify(op.name ?? "")}`);
      h.notice(`  Issued  : ${goUnixTime(op.iat)}`);
      h.notice(`  Expires : ${op.exp ? goUnixTime(op.exp) : "Never"}`);
    }
    if (this.trust.operators.length > 0 && this.trust.systemAccount === "") h.warn("Trusted Operators should utilize a System Account");
    if (this.trust.operators.length === 0) return;
    for (const [k, j] of Object.entries(this.preload)) {
      let c: AccountClaims;
      try {
        c = decodeClaims<AccountClaims>(j, "account");
      } catch {
        h.error(`Preloaded account [${k}] not valid`);
        continue;
      }
      const issue = checkDates(c);
      if (issue !== "") {
        h.warn(`Account [${k}] has validation issues:`);
        h.warn(`  - ${issue}`);
      }
    }
  }

  /** Set up the system account and the resolver's services. */
  start(): void {
    const sysId = this.trust.systemAccount;
    if (sysId === "") return;
    const sys = this.accountEntry(sysId);
    this.sysClient = this.host.createInternalClient(sys);
    void this.lookupAccount(sysId).catch(() => undefined);
    if (this.resolver instanceof NatsResolver) {
      this.resolver.start(this.resolverHost(this.sysClient));
    } else {
      // MEMORY and URL resolvers: pushed updates change accounts already in use.
      for (const subj of ["$SYS.ACCOUNT.*.CLAIMS.UPDATE", "$SYS.REQ.ACCOUNT.*.CLAIMS.UPDATE"]) {
        this.sysClient.subscribe(subj, (subject, reply, _h, data) => this.onClaimUpdate(subject, reply, data.toString("utf8")));
      }
    }
  }

  close(): void {
    this.resolver.close();
    this.sysClient?.close();
    for (const a of this.accounts.values()) {
      if (a.expiryTimer) clearTimeout(a.expiryTimer);
      if (a.activationTimer) clearTimeout(a.activationTimer);
    }
  }

  private resolverHost(sys: InternalClient): ResolverHost {
    const keys = new Set(this.trust.operators.flatMap((o) => [...(o.nats.strict_signing_key_usage ? [] : [o.sub]), ...((o.nats.signing_keys ?? []) as string[])]));
    const op = this.trust.operators[0];
    return {
      sys,
      serverInfo: () => this.host.serverInfo(),
      debug: (m) => this.host.debug(m),
      error: (m) => this.host.error(m),
      notice: (m) => this.host.notice(m),
      operator: op?.sub ?? "",
      operatorKeys: keys,
      strict: op?.nats.strict_signing_key_usage === true,
      systemAccount: this.trust.systemAccount,
      accountChanged: (id, jwt) => this.updateLive(id, jwt),
      accountDeleted: (id) => this.deleteLive(id),
      isLoaded: (id) => this.accounts.has(id),
      verified: (id, jwt) => {
        try {
          this.verifyAccount(id, jwt);
          return true;
        } catch {
          return false;
        }
      },
    };
  }

  private accountEntry(id: string): JwtAccount {
    let a = this.accounts.get(id);
    if (!a) this.accounts.set(id, (a = new JwtAccount(id, this.host.adoptAccount(id, id === this.trust.systemAccount))));
    return a;
  }

  /** Go's verifyAccountClaims + the subject check: the verified claims, or throws. */
  verifyAccount(id: string, jwt: string): AccountClaims {
    const c = decodeClaims<AccountClaims>(jwt, "account");
    if (!this.trustedKeys.has(c.iss)) throw new Error("account validation failed");
    if (checkDates(c) !== "" || !isAccountKey(c.sub) || accountProblems(c).length > 0) throw new Error("account validation failed");
    if (c.sub !== id) throw new Error("account validation failed");
    return c;
  }

  /** The account with verified claims, fetching them through the resolver when needed. */
  lookupAccount(id: string): Promise<JwtAccount> {
    const known = this.accounts.get(id);
    if (known?.claims && !known.disabled) return known.expired ? this.refreshExpired(known) : Promise.resolve(known);
    let p = this.pending.get(id);
    if (p) return p;
    if (!isAccountKey(id)) return Promise.reject(new Error("will only fetch valid account keys"));
    p = this.resolver
      .fetch(id)
      .then(async (jwt) => {
        const claims = this.verifyAccount(id, jwt);
        const a = this.accountEntry(id);
        this.applyClaims(a, claims, jwt);
        applyExports(a);
        // Exporters are fetched too (an import cycle finds this account's claims already applied).
        for (const imp of importsOf(a)) await this.lookupAccount(imp.account).catch(() => undefined);
        this.linkImports(a);
        this.host.claimsChanged(a.account);
        // As Go, a fetched JWT is kept by the resolver (once verified, unlike Go).
        this.storeFetched(id, jwt);
        return a;
      })
      .finally(() => this.pending.delete(id));
    this.pending.set(id, p);
    return p;
  }

  /**
   * Go's lookupAccount of an expired account: ask the resolver again (not
   * within a second of the last update) and apply what it has, else the
   * account stays expired.
   */
  private refreshExpired(a: JwtAccount): Promise<JwtAccount> {
    this.host.debug(`Requested account [${a.id}] has expired`);
    if (Date.now() - a.account.updated.getTime() < 1000) return Promise.reject(new Error("account expired"));
    let p = this.pending.get(a.id);
    if (p) return p;
    p = this.resolver
      .fetch(a.id)
      .then((jwt) => {
        if (jwt !== a.jwt) {
          this.verifyAccount(a.id, jwt);
          this.updateLive(a.id, jwt);
          this.storeFetched(a.id, jwt);
        }
        if (a.expired) throw new Error("account expired");
        return a;
      })
      .catch(() => {
        throw new Error("account expired");
      })
      .finally(() => this.pending.delete(a.id));
    this.pending.set(a.id, p);
    return p;
  }

  private storeFetched(id: string, jwt: string): void {
    try {
      this.resolver.store(id, jwt);
    } catch {
      // URL resolver: nothing to keep; a full store refuses beyond its limit.
    }
  }

  /** (Re)build an account's imports against the verified exporters. */
  private linkImports(a: JwtAccount): void {
    if (a.activationTimer) clearTimeout(a.activationTimer);
    a.activationTimer = null;
    const nextExpiry = applyImports(
      a,
      (id) => {
        const e = this.accounts.get(id);
        return e?.claims ? e : undefined;
      },
      () => this.host.adoptAccount(a.id, a.id === this.trust.systemAccount),
      this.host,
    );
    if (nextExpiry > 0) {
      // At the token's expiry the import stops, as Go's activationExpired (a renewed token keeps it).
      a.activationTimer = setTimeout(() => this.linkImports(a), Math.max(nextExpiry * 1000 - Date.now(), 0) + 5);
      a.activationTimer.unref();
    }
  }

  private applyClaims(a: JwtAccount, claims: AccountClaims, jwt: string): Set<string> {
    const altered = a.apply(claims, jwt);
    if (a.expiryTimer) clearTimeout(a.expiryTimer);
    a.expiryTimer = null;
    const exp = claims.exp ?? 0;
    if (exp > 0) {
      const ms = exp * 1000 - Date.now();
      a.expiryTimer = setTimeout(() => this.accountExpired(a), Math.max(ms, 0));
      a.expiryTimer.unref();
    }
    return altered;
  }

  private accountExpired(a: JwtAccount): void {
    a.expiryTimer = null;
    this.host.debug(`Account ${a.id} has expired`);
    for (const c of this.host.clientsOf(a)) c.closeForJwt("account-expired");
  }

  /** Check a client's user JWT. Async when the account must be fetched. */
  async check(o: ConnectOptions, nonce: string, clientHost: string, connType: "STANDARD" | "WEBSOCKET" = "STANDARD"): Promise<JwtVerdict> {
    if (o.jwt === "") return fail("Authentication requires a user JWT");
    let juc: UserClaims;
    try {
      juc = decodeClaims<UserClaims>(o.jwt, "user");
    } catch (e) {
      return fail(`User JWT not valid: ${(e as Error).message}`);
    }
    const u = juc.nats;
    const invalid = checkDates(juc) || userLimitProblems(u) || (u.issuer_account && !isAccountKey(u.issuer_account) ? "account_id is not an account public key" : "");
    if (invalid) return fail(`User JWT no longer valid: ${invalid}`);
    const types = allowedConnectionTypes(u.allowed_connection_types as string[] | undefined);
    if (types.unknown !== "" && types.allowed.size === 0) return fail(types.unknown);
    if (types.allowed.size > 0 && !types.allowed.has(connType)) return fail("Connection type not allowed");
    const issuer = u.issuer_account || juc.iss;
    if (this.pinned && !this.pinned.has(issuer)) return fail(`Account ${issuer} not listed as operator pinned account`);
    let acc: JwtAccount;
    try {
      acc = await this.lookupAccount(issuer);
    } catch (e) {
      return fail(`Account JWT lookup error: ${(e as Error).message}`);
    }
    if (!this.trustedKeys.has(acc.issuer)) return fail("Account JWT not signed by trusted operator");
    const { known, scope } = acc.issuerScope(juc.iss);
    let limits: typeof u = u;
    if (!known) return fail("User JWT issuer is not known");
    if (scope !== null) {
      if (!hasEmptyPermissions(u)) return fail("User JWT is not valid: scoped users require no permissions or limits set");
      try {
        limits = { ...applyUserTemplate(scope.template, { user: juc, accountName: acc.nameTag, accountTags: acc.tags }), bearer_token: scope.template.bearer_token };
      } catch {
        return fail("User JWT generated invalid permissions");
      }
    }
    if (acc.expired) return fail("Account JWT has expired");
    const bearer = limits.bearer_token === true;
    if (bearer && acc.limits.disallowBearer) return fail("Account does not allow bearer token");
    if (!bearer) {
      if (o.sig === "") return fail("Signature missing");
      const sig = decodeSig(o.sig);
      if (sig === null) return fail("Signature not valid base64");
      let ok = false;
      try {
        ok = fromPublic(juc.sub).verify(Buffer.from(nonce, "latin1"), sig);
      } catch (e) {
        return fail(`User nkey not valid: ${(e as Error).message}`);
      }
      if (!ok) return fail("Signature not verified");
    }
    if (acc.isRevoked(juc.sub, juc.iat)) return fail("User authentication revoked");
    if (!sourceAllowed(limits.src, clientHost)) return { ok: false, error: `Bad src Ip ${clientHost}` };
    const window = connectTimeAllowed(limits.times, limits.locale);
    if (!window.ok) return { ok: false, error: "Outside connect times" };
    const perms = permissionsFromJwt(limits) ?? acc.defaultPermissions;
    const user: ConfiguredUser = { name: juc.sub, kind: "nkey", password: "", permissions: perms ? new CompiledPermissions(perms) : null, account: acc.id };
    const state: JwtUserState = {
      pubKey: juc.sub,
      claims: juc,
      account: acc,
      signingKey: u.issuer_account ? juc.iss : "",
      // A limit left out of the JWT is 0, as Go decodes it.
      subs: typeof limits.subs === "number" ? limits.subs : 0,
      payload: typeof limits.payload === "number" ? limits.payload : 0,
    };
    let expiresIn = window.validFor;
    const exp = juc.exp ?? 0;
    if (exp > 0) {
      const left = Math.max(exp - Math.floor(Date.now() / 1000), 0) * 1000;
      if (expiresIn === 0 || left < expiresIn) expiresIn = left;
    } else if (expiresIn === 0) {
      expiresIn = -1;
    }
    const debug =
      `Authenticated JWT: Client "${juc.sub}" (claim-name: "${juc.name ?? ""}", claim-tags: ${JSON.stringify(u.tags ?? [])}) ` +
      `signed with "${juc.iss}" by Account "${issuer}" (claim-name: "${acc.nameTag}", claim-tags: ${JSON.stringify(acc.tags)}) signed with "${acc.issuer}"`;
    return { ok: true, user, state, expiresIn, debug };
  }

  /**
   * The account's auth callout for this user, when its JWT delegates
   * authentication (`authorization.auth_users`) and the user is not one of
   * those: the allowed accounts are fetched first so the answer can be judged at once.
   */
  async calloutFor(st: JwtUserState): Promise<{ callout: AuthCallout; scope: OperatorScope } | null> {
    const auth = (st.account.claims?.nats.authorization ?? {}) as { auth_users?: string[]; allowed_accounts?: string[]; xkey?: string };
    const users = Array.isArray(auth.auth_users) ? auth.auth_users : [];
    if (users.length === 0 || users.includes(st.pubKey)) return null;
    const allowed = Array.isArray(auth.allowed_accounts) ? auth.allowed_accounts.filter((x) => typeof x === "string") : [];
    for (const id of allowed) await this.lookupAccount(id).catch(() => undefined);
    const cfg: AuthCalloutConfig = { issuer: st.account.id, account: st.account.id, authUsers: users, xkey: typeof auth.xkey === "string" ? auth.xkey : "", allowedAccounts: allowed };
    const scope: OperatorScope = {
      issuerOf: (accountId, key, user) => {
        const a = this.accounts.get(accountId);
        if (!a?.claims) return { known: false, limits: null };
        const { known, scope: sc } = a.issuerScope(key);
        if (!known) return { known: false, limits: null };
        if (sc === null) return { known: true, limits: null };
        if (!hasEmptyPermissions(user.nats ?? {})) return { known: false, limits: null, error: "user JWT is not valid: scoped users require no permissions or limits set" };
        try {
          return { known: true, limits: applyUserTemplate(sc.template, { user, accountName: a.nameTag, accountTags: a.tags }) };
        } catch (e) {
          return { known: false, limits: null, error: `user JWT generated invalid permissions: ${(e as Error).message}` };
        }
      },
    };
    return { callout: this.host.newCallout(cfg), scope };
  }

  /** MEMORY/URL resolvers: a pushed update for an account already in use (Go's accountClaimUpdate). */
  private onClaimUpdate(subject: string, reply: string | undefined, text: string): void {
    const tk = subject.split(".");
    const id = tk.length === 6 ? tk[3]! : tk.length === 5 ? tk[2]! : "";
    if (id === "") return this.host.debug(`Received account claims update on bad subject "${subject}"`);
    const respond = (message: string, err: string | null) => {
      if (err === null) this.host.debug(`${message} - ${id}`);
      else this.host.error(`${message} - ${id} - ${err}`);
      if (!reply || !this.sysClient) return;
      const body: Record<string, unknown> = { server: this.host.serverInfo() };
      body[err === null ? "data" : "error"] = err === null ? { account: id, code: 200, message } : { account: id, code: 500, description: `${message} - ${err}` };
      this.sysClient.publish(reply, undefined, JSON.stringify(body));
    };
    if (text === "") return respond("jwt update error", "request body is empty");
    let claims: AccountClaims;
    try {
      claims = decodeClaims<AccountClaims>(text, "account");
    } catch (e) {
      return respond("jwt update resulted in error", (e as Error).message);
    }
    if (claims.sub !== id) return respond("jwt update resulted in error", "subject does not match jwt content");
    const a = this.accounts.get(id);
    if (!a || !a.claims) return respond("jwt update skipped", null);
    try {
      this.verifyAccount(id, text);
    } catch (e) {
      return respond("jwt update resulted in error", (e as Error).message);
    }
    if (this.resolver instanceof MemoryResolver) this.resolver.store(id, text);
    this.updateLive(id, text);
    respond("jwt updated", null);
  }

  /** A new JWT for an account: apply it and enforce it on its connections (Go's updateAccountClaimsWithRefresh). */
  updateLive(id: string, jwt: string): void {
    const a = this.accounts.get(id);
    if (!a) return;
    let claims: AccountClaims;
    try {
      claims = this.verifyAccount(id, jwt);
    } catch (e) {
      this.host.error(`update resulted in error ${(e as Error).message}`);
      return;
    }
    this.host.debug(`Updating account claims: ${id}/${claims.name ?? ""}`);
    const altered = this.applyClaims(a, claims, jwt);
    applyExports(a);
    this.linkImports(a);
    // Importers of this account see its new exports.
    for (const other of this.accounts.values()) if (other !== a && other.claims && importsOf(other).some((i) => i.account === id)) this.linkImports(other);
    this.host.claimsChanged(a.account);
    // Newest connections go first when the connection limit shrank.
    const clients = this.host.clientsOf(a).sort((x, y) => y.start.getTime() - x.start.getTime());
    const conn = a.limits.conn;
    const overLimit = conn >= 0 && clients.length > conn;
    clients.forEach((c, i) => {
      if (c.closed) return;
      if (overLimit && i < clients.length - conn) return c.closeForJwt("account-connections");
      c.applyJwtLimits();
      const st = c.jwtUser;
      if (!st) return;
      if (st.claims.nats.bearer_token && a.limits.disallowBearer) return c.closeForJwt("auth-violation");
      if (a.isRevoked(st.pubKey, st.claims.iat)) return c.closeForJwt("revoked");
      if (st.signingKey !== "" && (altered.has(st.signingKey) || !a.signingKeys.has(st.signingKey))) return c.closeForJwt("signer-changed");
    });
  }

  /** Deleted from the resolver: the account takes no more connections and its clients go. */
  private deleteLive(id: string): void {
    const a = this.accounts.get(id);
    if (!a) return;
    this.host.debug(`Disable account ${id} due to remove`);
    a.disable();
    this.host.claimsChanged(a.account);
    for (const c of this.host.clientsOf(a)) c.closeForJwt("account-expired");
  }
}

function decodeSig(s: string): Uint8Array | null {
  if (/^[A-Za-z0-9_-]*$/.test(s) && s.length % 4 !== 1) return Buffer.from(s, "base64url");
  if (/^[A-Za-z0-9+/]*={0,2}$/.test(s) && s.length % 4 === 0) return Buffer.from(s, "base64");
  return null;
}

/** Go's time.Unix(t, 0) printed with %v, in UTC: "2006-01-02 15:04:05 +0000 UTC". */
function goUnixTime(sec: number): string {
  return new Date(sec * 1000).toISOString().replace("T", " ").replace(/\.\d+Z$/, " +0000 UTC");
}
