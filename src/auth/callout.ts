// Auth callout (config mode): a client that is not one of the callout's
// auth_users is judged by a service. The server sends an authorization
// request JWT (signed with the server's nkey, sealed with curve xkeys when
// configured) to $SYS.REQ.USER.AUTH in the callout account and waits up to
// the auth timeout for an authorization response JWT signed by the
// configured issuer, whose embedded user JWT gives the client's account,
// name, permissions and expiry. Errors carry nats-server's texts; the
// client only ever sees Authorization Violation. No socket knowledge here.

import { randomBytes } from "node:crypto";
import { createUser, type KeyPair } from "@nats-io/nkeys";
import { encode, Algorithms } from "@nats-io/jwt";
import type { ConnectOptions } from "../server/connect-options.js";
import type { InternalClient } from "../server/internal-client.js";
import type { Account } from "../accounts/account.js";
import { CompiledPermissions } from "./permissions.js";
import type { ConfiguredUser } from "./authenticator.js";
import { checkDates, decodeClaims, type AuthResponseClaims, type UserClaims } from "./jwt/decode.js";
import { allowedConnectionTypes, connectTimeAllowed, permissionsFromJwt, userLimitProblems } from "./jwt/user-rules.js";
import type { Permissions } from "./model.js";

export interface AuthCalloutConfig {
  /** Account public key that signs the responses. */
  issuer: string;
  /** Account the requests are sent in (and its callout service lives in). */
  account: string;
  /** Users (names or nkeys) authenticated by the server itself: the callout services. */
  authUsers: string[];
  /** The service's curve public key: requests are sealed to it. */
  xkey: string;
  allowedAccounts: string[];
}

export const AUTH_CALLOUT_SUBJECT = "$SYS.REQ.USER.AUTH";
const XKEY_HEADER = "Nats-Server-Xkey";

/** What the callout needs from the server. */
export interface CalloutHost {
  readonly serverKey: KeyPair;
  /** The server's curve key pair (sealing), when an xkey is configured. */
  readonly curveKey: KeyPair | null;
  serverIdentity(): { name: string; host: string; id: string; version: string; tags: string[] };
  lookupAccount(name: string): Account | undefined;
  internalClientFor(account: Account): InternalClient;
  authTimeout(): number;
  debug(msg: string): void;
  warn(msg: string): void;
}

/** The client as the request describes it. */
export interface CalloutClient {
  readonly opts: ConnectOptions;
  readonly cid: number;
  readonly host: string;
  readonly nonce: string;
  readonly transport: "nats" | "websocket";
}

/**
 * Operator mode: the callout is the user's account's (its JWT's
 * `authorization`); users it issues must come from that account or its
 * allowed accounts, signed by their keys, with scoped templates applied.
 */
export interface OperatorScope {
  /** Issuer key check of an account: known, with the user limits its scope imposes (null: none). */
  issuerOf(account: string, key: string, user: UserClaims): { known: boolean; limits: Partial<UserClaims["nats"]> | null; error?: string };
}

export type CalloutVerdict =
  | { ok: false; reason: string }
  | { ok: true; account: Account; user: ConfiguredUser; name: string; expiresIn: number; claims: UserClaims };

const titleCase = (m: string) => (m === "" ? m : m[0]!.toUpperCase() + m.slice(1));

export class AuthCallout {
  constructor(
    readonly cfg: AuthCalloutConfig,
    private readonly host: CalloutHost,
  ) {}

  /** True when the server itself authenticates this user (a callout service). */
  isAuthUser(rawUser: string): boolean {
    return this.cfg.authUsers.includes(rawUser);
  }

  /** Ask the service. Resolves with the verdict; a missing answer within the auth timeout is a refusal. */
  async authorize(c: CalloutClient, operator: OperatorScope | null = null): Promise<CalloutVerdict> {
    const host = this.host;
    const acc = host.lookupAccount(this.cfg.account);
    if (!acc) {
      const reason = `No valid account "${this.cfg.account}" for auth callout request: account not found`;
      host.warn(reason);
      return { ok: false, reason };
    }
    const ukp = createUser();
    const userKey = ukp.getPublicKey();
    const timeout = host.authTimeout();
    const id = host.serverIdentity();
    const sealing = this.cfg.xkey !== "" ? host.curveKey : null;
    const o = c.opts;
    const nats: Record<string, unknown> = {
      server_id: { name: id.name, host: id.host, id: id.id, version: id.version, ...(id.tags.length ? { tags: id.tags } : {}), ...(sealing ? { xkey: sealing.getPublicKey() } : {}) },
      user_nkey: userKey,
      client_info: { host: c.host, id: c.cid, user: rawAuthUser(o), ...(o.name ? { name: o.name } : {}), kind: "Client", type: c.transport === "websocket" ? "websocket" : "nats", ...(o.sig ? { nonce: c.nonce } : {}) },
      connect_opts: compact({ jwt: o.jwt, nkey: o.nkey, sig: o.sig, auth_token: o.authToken, user: o.user, pass: o.pass, name: o.name, lang: o.lang, version: o.version, protocol: o.protocol }),
      type: "authorization_request",
      version: 2,
    };
    const claim = { aud: "nats-authorization-request", sub: this.cfg.issuer, exp: Math.floor((Date.now() + timeout) / 1000), nats } as never;
    const token = await encode(Algorithms.v2, claim, host.serverKey as never);
    let body: Buffer = Buffer.from(token);
    let hdr: Buffer | null = null;
    if (sealing) {
      body = Buffer.from(sealing.seal(body, this.cfg.xkey));
      hdr = Buffer.from(`NATS/1.0\r\n${XKEY_HEADER}: ${sealing.getPublicKey()}\r\n\r\n`);
    }
    const ic = host.internalClientFor(acc);
    const inbox = `_INBOX.${randomBytes(9).toString("base64url")}`;
    return new Promise<CalloutVerdict>((resolve) => {
      let done = false;
      const finish = (v: CalloutVerdict) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        ic.removeSub(sub);
        if (!v.ok && v.reason !== "") host.warn(v.reason);
        resolve(v);
      };
      const sub = ic.subscribe(inbox, (_s, _r, _h, data) => finish(this.decide(Buffer.from(data), acc, userKey, sealing, operator)));
      const timer = setTimeout(() => {
        host.debug(`Authorization callout response not received in time on account "${acc.name}"`);
        finish({ ok: false, reason: "" });
      }, timeout);
      timer.unref();
      ic.publish(AUTH_CALLOUT_SUBJECT, inbox, body, hdr);
    });
  }

  private decide(msg: Buffer, acc: Account, userKey: string, sealing: KeyPair | null, operator: OperatorScope | null): CalloutVerdict {
    const fail = (m: string): CalloutVerdict => ({ ok: false, reason: m });
    if (msg.length === 0) return fail(titleCase(`auth callout violation: "no reason supplied" on account "${acc.name}"`));
    let text: string;
    let encrypted = false;
    if (sealing && !msg.subarray(0, 3).equals(Buffer.from("eyJ"))) {
      encrypted = true;
      const opened = sealing.open(msg, this.cfg.xkey);
      if (opened === null) return fail(titleCase(`error decrypting auth callout response on account "${acc.name}": unable to decrypt`));
      text = Buffer.from(opened).toString("utf8");
    } else {
      text = msg.toString("utf8");
    }
    let cr: AuthResponseClaims;
    try {
      cr = decodeClaims<AuthResponseClaims>(text, "authorization_response");
    } catch (e) {
      return fail(titleCase((e as Error).message));
    }
    const dates = checkDates(cr);
    if (dates !== "") return fail(`Authorization response had validation errors: ${dates}`);
    if (cr.sub !== userKey) return fail("Auth callout violation: auth callout response is not for expected user");
    if (cr.aud !== this.host.serverIdentity().id) return fail("Auth callout violation: auth callout response is not for server");
    if (cr.nats.error) return fail(`Auth callout service returned an error: ${cr.nats.error}`);
    if (operator && !encrypted) {
      const signer = cr.nats.issuer_account || cr.iss;
      if (signer !== acc.name && !operator.issuerOf(acc.name, signer, {} as UserClaims).known) return fail("Auth callout signing key is unknown");
    }
    let arc: UserClaims;
    try {
      arc = decodeClaims<UserClaims>(cr.nats.jwt ?? "", "user");
    } catch (e) {
      return fail(titleCase((e as Error).message));
    }
    const invalid = checkDates(arc) || userLimitProblems(arc.nats);
    if (invalid) return fail(`Error validating user JWT: ${invalid}`);
    if (arc.sub !== userKey) return fail(`Expected authorized user of "${userKey}" but got "${arc.sub}" on account "${acc.name}"`);
    const window = connectTimeAllowed(arc.nats.times, arc.nats.locale);
    if (!window.ok) return fail(titleCase(`authorized user on account "${acc.name}" outside of valid connect times`));
    const types = allowedConnectionTypes(arc.nats.allowed_connection_types as string[] | undefined);
    if (types.unknown !== "" && types.allowed.size === 0) return fail(titleCase(`authorized user on account "${acc.name}" using invalid connection type`));
    let limits: Partial<UserClaims["nats"]> = arc.nats;
    let placement: string;
    if (operator) {
      const jwtIssuer = arc.nats.issuer_account || arc.iss;
      if (jwtIssuer !== this.cfg.issuer && !this.cfg.allowedAccounts.includes(jwtIssuer)) {
        return fail(titleCase(`account "${arc.iss}" not permitted as valid account option for auth callout for account "${acc.name}"`));
      }
      placement = jwtIssuer;
      const scope = operator.issuerOf(placement, arc.iss, arc);
      if (!scope.known) return fail(titleCase(scope.error ?? `user JWT issuer "${arc.iss}" is not known`));
      if (scope.limits) limits = scope.limits;
    } else {
      if (arc.nats.issuer_account) return fail(titleCase(`error non operator mode account "${acc.name}": attempted to use issuer_account`));
      if (arc.iss !== this.cfg.issuer) return fail(titleCase(`wrong issuer for auth callout response on account "${acc.name}", expected "${this.cfg.issuer}" got "${arc.iss}"`));
      placement = arc.aud ?? "";
    }
    const target = this.host.lookupAccount(placement);
    if (!target) return fail(titleCase(`no valid account "${placement}" for auth callout response on account "${acc.name}": account not found`));
    let perms: Permissions | null = permissionsFromJwt(limits);
    // The callout account's own users may not answer auth requests in its name.
    if (target === acc) {
      perms = perms ?? {};
      perms = { ...perms, publish: { ...(perms.publish ?? {}), deny: [...(perms.publish?.deny ?? []), AUTH_CALLOUT_SUBJECT] } };
    }
    const name = arc.name ?? "";
    const user: ConfiguredUser = { name: name || arc.sub, kind: name ? "user" : "nkey", password: "", permissions: perms ? new CompiledPermissions(perms) : null, account: target.name };
    let expiresIn = window.validFor;
    const exp = arc.exp ?? 0;
    if (exp > 0) {
      const left = Math.max(exp - Math.floor(Date.now() / 1000), 0) * 1000;
      if (expiresIn === 0 || left < expiresIn) expiresIn = left;
    } else if (expiresIn === 0) expiresIn = -1;
    return { ok: true, account: target, user, name, expiresIn, claims: arc };
  }
}

/** Go's getRawAuthUser: the nkey, user name or token the client presented. */
export function rawAuthUser(o: ConnectOptions): string {
  if (o.nkey) return o.nkey;
  if (o.user) return o.user;
  if (o.authToken) return o.authToken;
  return "";
}

function compact(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== "" && v !== undefined) out[k] = v;
  return out;
}
