// Client authentication and permissions: how one ClientConnection's CONNECT
// is judged (operator mode, auth callout service, or the configured users),
// the auth timeout, user JWT expiry and limits, the operator-mode closes, and
// re-checking a client after a config reload. Functions take the connection
// and set its auth state (authUser, perms, deliveryCheck, jwtUser, ...).
// Credentials themselves are judged by the Authenticator, OperatorAuth and
// AuthCallout; nothing here parses protocol or routes messages, and nothing
// here runs per message.

import type { Authenticator, AuthVerdict, ConfiguredUser } from "../auth/authenticator.js";
import { ConnectionPermissions } from "../auth/permissions.js";
import { rawAuthUser, type CalloutClient, type CalloutVerdict } from "../auth/callout.js";
import type { JwtClient, JwtIdentity, JwtVerdict } from "../auth/jwt/operator-auth.js";
import { goQuote } from "../go-format/quote.js";
import { subjectText } from "../protocol/subject.js";
import { ClosedState, type ClosedReason } from "./close-reason.js";
import type { CertIdentity } from "./client-transport.js";
import type { ClientConnection } from "./connection.js";
import type { Subscription } from "./subscription.js";

export type JwtCloseKind = Parameters<JwtClient["closeForJwt"]>[0];

/** Go's -ERR (logged as an error or a debug line) and close reason for each operator-mode close. */
const JWT_CLOSES: Record<Exclude<JwtCloseKind, "auth-violation">, { err: string; error: boolean; reason: ClosedReason }> = {
  revoked: { err: "User Authentication Revoked", error: false, reason: ClosedState.Revocation },
  "account-connections": { err: "maximum account active connections exceeded", error: true, reason: ClosedState.MaxAccountConnectionsExceeded },
  "account-expired": { err: "Account Authentication Expired", error: false, reason: ClosedState.AuthenticationExpired },
  // A removed or re-scoped signing key: closed without an -ERR, as Go.
  "signer-changed": { err: "", error: false, reason: ClosedState.AuthenticationViolation },
};

/** The credentials this client is checked against: the websocket block's for WebSocket clients when it has its own. */
export function authenticatorFor(c: ClientConnection): Authenticator {
  return (c.transportType === "websocket" && c.server.websocketAuth) || c.server.auth;
}

/** With the client port's verify_and_map: the certificate's names (none without TLS). */
function certificateMapping(c: ClientConnection): { identity: CertIdentity | null } | undefined {
  if (c.transportType !== "nats" || !c.server.opts.tls?.map) return undefined;
  return { identity: c.tls?.identity ?? null };
}

/** ms to authenticate: the websocket block's own timeout for WebSocket clients, as Go. */
function authTimeout(c: ClientConnection): number {
  const ws = c.server.opts.websocket.authTimeout;
  return c.transportType === "websocket" && ws > 0 ? ws * 1000 : c.server.opts.authTimeout;
}

/** With auth required: only CONNECT may come first, and it must come within the auth timeout. */
export function startAuthTimer(c: ClientConnection): void {
  if (!authenticatorFor(c).required) return;
  c.parser.connectGate = true;
  c.authTimer = setTimeout(() => onAuthTimeout(c), authTimeout(c));
  c.authTimer.unref();
}

export function clearAuthTimer(c: ClientConnection): void {
  if (c.authTimer !== null) {
    clearTimeout(c.authTimer);
    c.authTimer = null;
  }
}

function onAuthTimeout(c: ClientConnection): void {
  c.authTimer = null;
  if (c.closed) return;
  c.server.logger.debug(`${c.label} - Authentication Timeout`);
  c.sendErr("Authentication Timeout");
  c.close(ClosedState.AuthenticationTimeout, true);
  c.server.flushAll();
}

/**
 * Judge the credentials of the CONNECT just applied to `c.opts`; once the
 * client is in, finish the CONNECT. Verdicts that take time (account fetch,
 * callout service, bcrypt) hold this client's input meanwhile.
 */
export function authenticateConnect(c: ClientConnection): void {
  const o = c.opts;
  // Without auth configured, credentials are not looked at (and permissions stay as they are).
  if (!authenticatorFor(c).required) return c.finishConnect();
  const operator = c.server.operator;
  if (operator !== null) {
    const decided = operator.check(o, c.nonce, c.host, c.transportType === "websocket" ? "WEBSOCKET" : "STANDARD").then(async (v) => {
      // The account may delegate its users to an auth callout service.
      const delegated = v.ok && !c.closed ? await operator.calloutFor(v.state) : null;
      if (delegated === null) return () => applyJwtVerdict(c, v);
      const cv = await delegated.callout.authorize(calloutRequest(c), delegated.scope);
      return () => applyCalloutVerdict(c, cv);
    });
    return holdInputUntil(c, decided);
  }
  const callout = c.server.callout;
  if (callout !== null && !callout.isAuthUser(rawAuthUser(o))) {
    return holdInputUntil(c, callout.authorize(calloutRequest(c)).then((v) => () => applyCalloutVerdict(c, v)));
  }
  const verdict = authenticatorFor(c).check(o, c.nonce, undefined, certificateMapping(c));
  if (verdict instanceof Promise) return holdInputUntil(c, verdict.then((v) => () => applyVerdict(c, v)));
  if (applyVerdict(c, verdict)) c.finishConnect();
}

function calloutRequest(c: ClientConnection): CalloutClient {
  return { opts: c.opts, cid: c.cid, host: c.host, nonce: c.nonce, transport: c.transportType };
}

/**
 * Hold this client's further input until `decided` settles (everyone else is
 * served meanwhile), then apply the verdict it resolves to and, if the client
 * is in, finish its CONNECT and go on with the held input.
 */
function holdInputUntil(c: ClientConnection, decided: Promise<() => boolean>): void {
  c.parser.suspend();
  void decided.then((apply) => {
    if (c.closed) return;
    c.runParser(() => {
      if (apply()) c.finishConnect();
      if (!c.closed) c.parser.resume();
    });
  });
}

/** Take an authentication verdict: register the user, or refuse and close. Returns whether the client is in. */
function applyVerdict(c: ClientConnection, v: AuthVerdict): boolean {
  if (v.debug) c.server.logger.debug(`${c.label} - ${v.debug}`);
  if (!v.ok) {
    authViolation(c);
    return false;
  }
  if (v.user) registerUser(c, v.user);
  c.matchedSecret = v.matchedSecret;
  c.parser.connectGate = false;
  return true;
}

/** Take an operator-mode verdict: join the JWT's account with its limits, or refuse. */
function applyJwtVerdict(c: ClientConnection, v: JwtVerdict): boolean {
  if (v.ok === false) {
    if (v.debug) c.server.logger.debug(`${c.label} - ${v.debug}`);
    if (v.error) c.server.logger.error(`${c.label} - ${v.error}`);
    authViolation(c);
    return false;
  }
  // The account (its connection limit, then its and the user's limits) is taken on by Server.bindAccount.
  c.jwtUser = v.state;
  registerUser(c, v.user);
  setExpiry(c, v.expiresIn);
  c.server.logger.debug(`${c.label} - ${v.debug}`);
  return !c.closed;
}

/** Take the auth callout service's verdict: the account, name and permissions it gave, or refuse. */
function applyCalloutVerdict(c: ClientConnection, v: CalloutVerdict): boolean {
  if (v.ok === false) {
    authViolation(c);
    return false;
  }
  c.calloutAuthorized = true;
  if (v.name !== "") {
    c.opts.nkey = "";
    c.opts.authToken = "";
  }
  registerUser(c, v.user);
  setExpiry(c, v.expiresIn);
  return true;
}

/** Disconnect with "User Authentication Expired" after `ms` (negative: never). */
function setExpiry(c: ClientConnection, ms: number): void {
  if (ms < 0) return;
  c.expiresAt = Date.now() + ms;
  c.expiryTimer = setTimeout(() => onUserExpired(c), ms);
  c.expiryTimer.unref();
}

function onUserExpired(c: ClientConnection): void {
  c.expiryTimer = null;
  if (c.closed) return;
  c.server.logger.debug(`${c.label} - User Authentication Expired`);
  c.sendErr("User Authentication Expired");
  c.close(ClosedState.AuthenticationExpired, true);
  c.server.flushAll();
}

/** An op other than CONNECT came first: it is the no_auth_user, or it is refused. */
export function admitWithoutConnect(c: ClientConnection): void {
  const u = authenticatorFor(c).noAuthUserEntry();
  if (u === undefined) return authViolation(c);
  clearAuthTimer(c);
  registerUser(c, u);
  if (!c.server.bindAccount(c)) return;
  c.connectReceived = true;
}

/** The client is this configured user from now on: its name and its permissions. */
function registerUser(c: ClientConnection, u: ConfiguredUser): void {
  c.authUser = u;
  if (u.kind === "user") c.opts.user = u.name;
  c.parser.connectGate = false;
  c.perms = u.permissions === null ? null : new ConnectionPermissions(u.permissions);
  c.deliveryCheck = c.perms !== null && c.perms.filtersDeliveries ? c.perms : null;
}

/** Go's auth failure: log who it was, -ERR 'Authorization Violation', close. */
export function authViolation(c: ClientConnection): void {
  const auth = authenticatorFor(c);
  const who = c.server.operator !== null ? "" : auth.hasNkeys ? ` - Nkey ${goQuote(c.opts.nkey)}` : auth.hasUsers ? ` - User ${goQuote(c.opts.user)}` : "";
  c.server.logger.error(`${c.label} - authentication error${who}`);
  c.sendErr("Authorization Violation");
  c.close(ClosedState.AuthenticationViolation, true);
  c.server.events?.authenticationFailed(c);
}

/** Who the client is in violation logs, as Go's getAuthUser. */
export function authUserText(c: ClientConnection): string {
  const o = c.opts;
  if (o.nkey) return `Nkey ${goQuote(o.nkey)}`;
  if (o.user) return `User ${goQuote(o.user)}`;
  if (c.jwtUser) return `JWT User ${goQuote(c.jwtUser.pubKey)}`;
  return `User "N/A"`;
}

/** Permission check of a SUB (only for a client with permissions); on refusal -ERR and Go's log line (the connection stays). */
export function subscribeAllowed(c: ClientConnection, subject: string, queue: string | undefined, sid: string): boolean {
  const perms = c.perms!;
  if (perms.canSubscribe(subject, queue)) {
    // An allowed wildcard subscription may have switched on delivery filtering.
    if (perms.filtersDeliveries) c.deliveryCheck = perms;
    return true;
  }
  if (queue !== undefined) {
    c.sendErr(`Permissions Violation for Subscription to ${goQuote(subjectText(subject))} using queue ${goQuote(subjectText(queue))}`);
    c.server.logger.error(`${c.label} - Subscription Violation - ${authUserText(c)}, Subject ${goQuote(subjectText(subject))}, Queue: ${goQuote(subjectText(queue))}, SID ${sid}`);
  } else {
    c.sendErr(`Permissions Violation for Subscription to ${goQuote(subjectText(subject))}`);
    c.server.logger.error(`${c.label} - Subscription Violation - ${authUserText(c)}, Subject ${goQuote(subjectText(subject))}, SID ${sid}`);
  }
  return false;
}

/**
 * Config reload: check this client's credentials against the new
 * configuration as Go does; close it if they no longer hold, otherwise
 * apply the (possibly new) permissions and drop subscriptions they forbid.
 */
export function reauthorize(c: ClientConnection): void {
  // Still within its auth window: its CONNECT will be checked against the new configuration.
  if (!c.connectReceived || c.closed || c.server.operator !== null || c.calloutAuthorized) return;
  const verdict = authenticatorFor(c).check(c.opts, c.nonce, c.matchedSecret, certificateMapping(c));
  const apply = (v: AuthVerdict) => {
    if (c.closed) return;
    if (!v.ok) {
      if (v.debug) c.server.logger.debug(`${c.label} - ${v.debug}`);
      return authViolation(c);
    }
    if (v.user) registerUser(c, v.user);
    c.matchedSecret = v.matchedSecret;
    recheckSubscriptions(c);
  };
  if (verdict instanceof Promise) {
    void verdict.then((v) => {
      apply(v);
      c.server.flushAll();
    });
  } else {
    apply(verdict);
  }
}

/** After new permissions: remove the subscriptions they no longer allow, with Go's -ERR and notice. */
function recheckSubscriptions(c: ClientConnection): void {
  const perms = c.perms;
  if (perms === null) return;
  perms.resetDenyFilter();
  const removed: Subscription[] = [];
  for (const sub of c.subs.values()) {
    const canSub = perms.canSubscribe(sub.subject);
    const canQSub = sub.queue !== undefined && perms.canSubscribe(sub.subject, sub.queue);
    if (!canSub && !canQSub) removed.push(sub);
  }
  c.deliveryCheck = perms.filtersDeliveries ? perms : null;
  for (const sub of removed) {
    c.removeSub(sub);
    c.sendErr(`Permissions Violation for Subscription to ${goQuote(subjectText(sub.subject))} (sid ${goQuote(sub.sid)})`);
    c.server.logger.notice(`Removed sub ${goQuote(subjectText(sub.subject))} (sid ${goQuote(sub.sid)}) for ${authUserText(c)} - not authorized`);
  }
}

/** What monitoring shows of a JWT user (Go's pubKey, issuer key, name and tags); null for others. */
export function jwtIdentity(c: ClientConnection): JwtIdentity | null {
  const st = c.jwtUser;
  if (st === null) return null;
  return { pubKey: st.pubKey, issuerKey: st.signingKey || st.account.id, nameTag: st.claims.name ?? "", tags: st.claims.nats.tags ?? [] };
}

/** Payload and subscription limits: the smallest of user (or its scope), account and server (Go's applyAccountLimits). */
export function applyJwtLimits(c: ClientConnection): void {
  const st = c.jwtUser;
  if (st === null) return;
  const min = (a: number, b: number) => (a < 0 ? b : b < 0 ? a : Math.min(a, b));
  const server = c.server.opts;
  const jwtPay = min(st.payload, st.account.limits.payload);
  const pay = min(jwtPay, server.maxPayload || -1);
  if (jwtPay >= 0 && pay !== jwtPay) c.server.logger.error(`${c.label} - Max Payload set to ${server.maxPayload} from server overrides account or user config`);
  c.parser.maxPayload = pay < 0 ? server.maxPayload : pay;
  const jwtSubs = min(st.subs, st.account.limits.subs);
  const subs = min(jwtSubs, server.maxSubscriptions || -1);
  if (jwtSubs >= 0 && subs !== jwtSubs) c.server.logger.error(`${c.label} - Max Subscriptions set to ${server.maxSubscriptions} from server overrides account or user config`);
  c.maxSubs = subs < 0 ? Infinity : subs;
  if (c.subs.size >= c.maxSubs) {
    c.server.logger.error(`${c.label} - maximum subscriptions exceeded`);
    c.sendErr("maximum subscriptions exceeded");
    setTimeout(() => {
      c.close(ClosedState.MaxSubscriptionsExceeded, true);
    }, 20).unref();
  }
}

/** Close for an operator-mode reason, with Go's -ERR. */
export function closeForJwt(c: ClientConnection, kind: JwtCloseKind): void {
  if (c.closed) return;
  if (kind === "auth-violation") authViolation(c);
  else {
    const e = JWT_CLOSES[kind];
    if (e.err !== "") {
      if (e.error) c.server.logger.error(`${c.label} - ${e.err}`);
      else c.server.logger.debug(`${c.label} - ${e.err}`);
      c.sendErr(e.err);
    }
    c.close(e.reason, true);
  }
  c.server.flushAll();
}
