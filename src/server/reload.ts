// Config reload: compare the running Options with newly loaded ones the way
// nats-server does (field by field in the order of Go's Options struct),
// refuse changes nats-server cannot apply live with its message, validate,
// then apply the rest to the server and its connections, logging Go's
// "Reloaded: ..." lines. It does not read files: the caller passes the new
// Options (config file with command-line flags on top).

import { resolveTrust } from "../auth/jwt/options.js";
import { jetStreamSettings, type Options } from "../options.js";
import { formatGoDuration } from "../go-format/duration.js";
import { DEFAULT_SYSTEM_ACCOUNT } from "../accounts/config-types.js";
import { ClosedState } from "./close-reason.js";
import { deletePortsFile, writePidFile, writePortsFile } from "./process-files.js";
import type { Server } from "./server.js";

type Key = keyof Options;

/** How a changed field is handled on reload. */
interface Field {
  /** The Options field; "accounts" stands for Go's field tsnats keeps elsewhere. */
  key: Key | "accounts";
  /** Go always reloads users and accounts (they never compare equal). */
  always?: boolean;
  /** Go's Options field name, as in "config reload not supported for MaxSubs". */
  go: string;
  /** Duration fields print as Go durations. */
  duration?: boolean;
  /** Absent: the field cannot be reloaded. Returns the notice to log, if any. */
  apply?: (server: Server, next: Options, cur: Options) => string | undefined;
  /** A change rebuilds the logger, after all notices. */
  logging?: boolean;
  /** Equality when not every difference counts (default: same JSON). */
  equal?: (a: Options, b: Options) => boolean;
  /** A change that is neither applied nor logged, but may refuse the reload (returns the error). */
  check?: (cur: Options, next: Options) => string | undefined;
}

/**
 * Go refuses any change of no_auth_user except dropping it when its user
 * goes too (that one passes silently).
 */
function checkNoAuthUser(cur: Options, next: Options): string | undefined {
  const refuse = `config reload not supported for NoAuthUser: old=${cur.noAuthUser}, new=${next.noAuthUser}`;
  if (cur.noAuthUser !== "" && next.noAuthUser === "") return next.users?.some((u) => u.username === cur.noAuthUser) ? refuse : undefined;
  return refuse;
}

/**
 * JetStream settings: Go refuses limit and store-directory changes with these
 * texts while JetStream stays on; turning it on or off is applied (after the
 * fields, as Go's applyOptions does: "Restarting JetStream" and the banner, or
 * the shutdown lines).
 */
function checkJetStream(cur: Options, next: Options): string | undefined {
  const a = jetStreamSettings(cur);
  const b = jetStreamSettings(next);
  if (a === null || b === null) return undefined;
  if (a.storeDir !== b.storeDir) return "config reload not supported for jetstream storage directory";
  if (a.maxMemory !== b.maxMemory || a.maxStore !== b.maxStore) {
    return (a.maxMemory <= 0 && b.maxMemory > 0) || (a.maxStore <= 0 && b.maxStore > 0) ? "config reload not supported for jetstream dynamic max memory and store" : "config reload not supported for jetstream max memory and store";
  }
  if (a.domain !== b.domain) return `config reload not supported for JetStreamDomain: old=${a.domain}, new=${b.domain}`;
  if (!same(a, b)) return `config reload not supported for JetStream: old=${JSON.stringify(cur.jetstream)}, new=${JSON.stringify(next.jetstream)}`;
  return undefined;
}

/** Every Options field in the order of nats-server's Options struct. */
const FIELDS: Field[] = [
  { key: "serverName", go: "ServerName" },
  { key: "host", go: "Host" },
  { key: "port", go: "Port" },
  { key: "clientAdvertise", go: "ClientAdvertise", apply: (_s, n) => `Reload: client_advertise = ${n.clientAdvertise}` },
  { key: "trace", go: "Trace", logging: true, apply: (_s, n) => `Reloaded: trace = ${n.trace}` },
  { key: "debug", go: "Debug", logging: true, apply: (_s, n) => `Reloaded: debug = ${n.debug}` },
  { key: "traceVerbose", go: "TraceVerbose", logging: true, apply: (_s, n) => `Reloaded: trace_verbose = ${n.traceVerbose}` },
  { key: "disableSublistCache", go: "NoSublistCache" },
  { key: "noHeaderSupport", go: "NoHeaderSupport" },
  { key: "logtime", go: "Logtime", logging: true, apply: (_s, n) => `Reloaded: logtime = ${n.logtime}` },
  { key: "logtimeUTC", go: "LogtimeUTC", logging: true, apply: (_s, n) => `Reloaded: logtime_utc = ${n.logtimeUTC}` },
  { key: "maxConnections", go: "MaxConn", apply: applyMaxConnections },
  { key: "maxSubscriptions", go: "MaxSubs" },
  { key: "nkeys", go: "Nkeys", apply: () => "Reloaded: authorization nkey users" },
  { key: "users", go: "Users", always: true, apply: () => "Reloaded: authorization users" },
  {
    key: "accounts",
    go: "Accounts",
    always: true,
    apply: (s) => {
      s.applyAccounts();
      return "Reloaded: accounts";
    },
  },
  { key: "noAuthUser", go: "NoAuthUser", check: checkNoAuthUser },
  { key: "jetstream", go: "JetStream", check: checkJetStream, apply: (s, n) => (jetStreamSettings(n) !== null !== s.jetStreamEnabled ? "Reloaded: JetStream" : undefined) },
  { key: "storeDir", go: "StoreDir", check: checkJetStream },
  { key: "username", go: "Username", apply: () => "Reloaded: authorization username" },
  { key: "password", go: "Password", apply: () => "Reloaded: authorization password" },
  { key: "authToken", go: "Authorization", apply: () => "Reloaded: authorization token" },
  { key: "pingInterval", go: "PingInterval", duration: true, apply: (_s, n) => `Reloaded: ping_interval = ${formatValue(n.pingInterval, true)}` },
  { key: "pingMax", go: "MaxPingsOut", apply: (_s, n) => `Reloaded: ping_max = ${n.pingMax}` },
  { key: "httpHost", go: "HTTPHost" },
  { key: "httpPort", go: "HTTPPort" },
  { key: "httpBasePath", go: "HTTPBasePath" },
  { key: "authTimeout", go: "AuthTimeout", apply: (_s, n) => `Reloaded: authorization timeout = ${n.authTimeout / 1000}` },
  { key: "tls", go: "TLSConfig", apply: applyTls },
  { key: "allowNonTls", go: "AllowNonTLS" },
  { key: "httpsPort", go: "HTTPSPort" },
  // Only the websocket TLS block may change; new connections use it.
  { key: "websocket", go: "Websocket", equal: (a, b) => same({ ...a.websocket, tls: null }, { ...b.websocket, tls: null }), apply: () => undefined },
  { key: "maxControlLine", go: "MaxControlLine", apply: applyMaxControlLine },
  { key: "maxPayload", go: "MaxPayload", apply: applyMaxPayload },
  { key: "maxPending", go: "MaxPending" },
  { key: "pidFile", go: "PidFile", apply: applyPidFile },
  { key: "portsFileDir", go: "PortsFileDir", apply: applyPortsFileDir },
  { key: "logFile", go: "LogFile", logging: true, apply: (_s, n) => `Reloaded: log_file = ${n.logFile}` },
  { key: "logSizeLimit", go: "LogSizeLimit" },
  { key: "logFileMaxNum", go: "LogMaxFiles" },
  { key: "syslog", go: "Syslog", logging: true, apply: (_s, n) => `Reloaded: syslog = ${n.syslog}` },
  { key: "remoteSyslog", go: "RemoteSyslog", logging: true, apply: (_s, n) => `Reloaded: remote_syslog = ${n.remoteSyslog}` },
  { key: "writeDeadline", go: "WriteDeadline", duration: true, apply: (_s, n) => `Reloaded: write_deadline = ${formatValue(n.writeDeadline, true)}` },
  { key: "maxClosedClients", go: "MaxClosedClients" },
  { key: "lameDuckDuration", go: "LameDuckDuration", duration: true },
  { key: "lameDuckGracePeriod", go: "LameDuckGracePeriod", duration: true },
  { key: "maxTracedMsgLen", go: "MaxTracedMsgLen", apply: (_s, n) => `Reloaded: max_traced_msg_len = ${n.maxTracedMsgLen}` },
  { key: "connectErrorReports", go: "ConnectErrorReports", apply: (_s, n) => `Reloaded: connect_error_reports = ${n.connectErrorReports}` },
  { key: "reconnectErrorReports", go: "ReconnectErrorReports", apply: (_s, n) => `Reloaded: reconnect_error_reports = ${n.reconnectErrorReports}` },
  { key: "tags", go: "Tags", apply: () => "Reloaded: tags" },
];

/** Handled outside the field comparison: mappings are part of the accounts, always reloaded. */
const SPECIAL = new Set<Key>(["mappings", "configFile", "quiet"]);
const BY_KEY = new Map<string, Field>(FIELDS.map((f) => [f.key, f]));

/** Go's %v: durations as "2m0s", lists as "[a b]". */
function formatValue(x: unknown, duration: boolean): string {
  if (duration && typeof x === "number") return formatGoDuration(BigInt(Math.round(x * 1e6)));
  if (Array.isArray(x)) return `[${x.map((e) => formatValue(e, false)).join(" ")}]`;
  if (x === undefined || x === null) return "";
  if (typeof x === "object") return JSON.stringify(x);
  return String(x);
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Cross-field checks nats-server makes at startup and on reload ("" = fine). */
export function validateOptions(o: Options): string {
  if (o.lameDuckDuration > 0 && o.lameDuckGracePeriod >= o.lameDuckDuration) {
    return `lame duck grace period (${formatValue(o.lameDuckGracePeriod, true)}) should be strictly lower than lame duck duration (${formatValue(o.lameDuckDuration, true)})`;
  }
  if (o.maxPayload > o.maxPending) return `max_payload (${o.maxPayload}) cannot be higher than max_pending (${o.maxPending})`;
  const trust = resolveTrust(o);
  if (typeof trust === "string") return trust;
  return validateAccountOptions(o) || validateAuthOptions(o);
}

/** Go's startup check of system_account: it must name a configured account (or the default `$SYS`). */
export function validateAccountOptions(o: Options): string {
  // In operator mode the system account is an account public key, resolved like any account.
  if (o.trustedOperators.length > 0 || o.trustedKeys !== null) return "";
  if (!o.noSystemAccount && o.systemAccount !== "" && o.systemAccount !== DEFAULT_SYSTEM_ACCOUNT && !o.accounts.some((a) => a.name === o.systemAccount)) {
    return "error resolving system account: account missing";
  }
  return "";
}

/** Go's validateAuth: no_auth_user must name a configured user ("" = fine). */
export function validateAuthOptions(o: Options): string {
  if (o.noAuthUser === "") return "";
  if (o.users === null) return `no_auth_user: "${o.noAuthUser}" present, but users are not defined`;
  if (!o.users.some((u) => u.username === o.noAuthUser)) return `no_auth_user: "${o.noAuthUser}" not present as user in authorization block or account configuration`;
  return "";
}

/** The field changes in nats-server's order, or the error refusing the reload. */
function diff(cur: Options, next: Options): Field[] | string {
  const changed: Field[] = [];
  // Options added later without an entry here are refused, the safe default.
  const others = (Object.keys(next) as Key[]).filter((k) => !BY_KEY.has(k) && !SPECIAL.has(k));
  const all: Field[] = [...FIELDS, ...others.map((key) => ({ key, go: key.charAt(0).toUpperCase() + key.slice(1) }))];
  for (const f of all) {
    if (f.always) {
      changed.push(f);
      continue;
    }
    const key = f.key as Key;
    if (same(cur[key], next[key])) continue;
    if (f.equal && !f.equal(cur, next)) return `config reload not supported for ${f.go}: old=${formatValue(cur[key], false)}, new=${formatValue(next[key], false)}`;
    if (key === "port" && next.port === 0) continue; // a random port keeps the bound one
    if (f.check) {
      const err = f.check(cur, next);
      if (err) return err;
      if (f.apply) changed.push(f);
      continue;
    }
    if (!f.apply) return `config reload not supported for ${f.go}: old=${formatValue(cur[key], !!f.duration)}, new=${formatValue(next[key], !!f.duration)}`;
    changed.push(f);
  }
  return changed;
}

/**
 * Apply `next` as nats-server's ReloadOptions does. Returns an error text and
 * changes nothing if it cannot be applied; otherwise logs each change and
 * "Reloaded server configuration".
 */
export function applyReload(server: Server, next: Options): string {
  const cur = server.opts;
  // The running port is the bound one (port 0/-1 resolved at start).
  const curCmp: Options = { ...cur, port: cur.port === 0 ? server.port : cur.port };
  const changes = diff(curCmp, next);
  if (typeof changes === "string") return changes;
  // JetStream configured but not running (it failed to start): Go tries again on every reload.
  const wantJetStream = jetStreamSettings(next) !== null;
  const jetStreamField = BY_KEY.get("jetstream")!;
  if (wantJetStream && !server.jetStreamEnabled && !changes.includes(jetStreamField)) {
    const after = changes.findIndex((f) => FIELDS.indexOf(f) > FIELDS.indexOf(jetStreamField));
    changes.splice(after < 0 ? changes.length : after, 0, jetStreamField);
  }
  const err = validateOptions(next);
  if (err) return err;
  if (next.port === 0) next.port = curCmp.port;

  server.opts = next;
  server.tracing = next.trace;
  let logging = false;
  for (const f of changes) {
    const msg = f.apply!(server, next, cur);
    if (msg) server.logger.notice(msg);
    if (f.logging) logging = true;
  }
  if (logging) server.logger.configure(next);
  // Go re-checks every client's credentials and permissions on each reload.
  server.reloadAuthorization();
  const finish = () => {
    for (const x of server.extraListeners) x.reloaded?.();
    server.configLoadTime = new Date();
    server.logger.notice("Reloaded server configuration");
  };
  if (wantJetStream !== server.jetStreamEnabled) void toggleJetStream(server, wantJetStream).then(finish);
  else finish();
  return "";
}

/** Go's DisableJetStream / restartJetStream on reload; a start that fails leaves JetStream off with Go's warning. */
async function toggleJetStream(server: Server, on: boolean): Promise<void> {
  const running = server.extraListener("jetstream");
  if (!on) {
    if (running === undefined) return;
    server.extraListeners.splice(server.extraListeners.indexOf(running), 1);
    await running.close();
    return;
  }
  if (running !== undefined || server.jetStreamStarter === null) return;
  server.logger.notice("Restarting JetStream");
  try {
    const js = await server.jetStreamStarter();
    // First, as at startup: /varz and /jsz find it there.
    if (js !== null) server.extraListeners.unshift(js);
  } catch (e) {
    server.logger.warn(`Can't start JetStream: ${(e as Error).message}`);
  }
}

/** New TLS settings (and re-read certificate files) apply to connections made from now on. */
function applyTls(server: Server, next: Options, cur: Options): string {
  const before = cur.tls;
  const after = next.tls;
  if (before && after && before.timeout !== after.timeout) server.logger.notice(`Reloaded: tls timeout = ${after.timeout / 1000}`);
  if (before && after && !same(before.pinnedCerts, after.pinnedCerts)) server.logger.notice(`Reloaded: ${after.pinnedCerts.length} pinned_certs`);
  return `Reloaded: tls = ${after ? "enabled" : "disabled"}`;
}

function applyMaxControlLine(server: Server, next: Options): string {
  for (const c of server.clients.values()) c.parser.maxControlLine = next.maxControlLine;
  return `Reloaded: max_control_line = ${next.maxControlLine}`;
}

/** Existing clients get the new limit at once; new ones see it in their INFO. */
function applyMaxPayload(server: Server, next: Options): string {
  for (const c of server.clients.values()) c.parser.maxPayload = next.maxPayload;
  return `Reloaded: max_payload = ${next.maxPayload}`;
}

function applyMaxConnections(server: Server, next: Options): string {
  const max = next.maxConnections;
  const clients = [...server.clients.values()];
  if (max > 0 && clients.length > max) {
    const n = clients.length - max;
    for (const c of clients.slice(0, n)) {
      server.logger.error(`${c.label} - maximum connections exceeded`);
      c.sendErr("maximum connections exceeded");
      c.close(ClosedState.MaxConnectionsExceeded, true);
    }
    server.logger.notice(`Closed ${n} connections to fall within max_connections`);
  }
  return `Reloaded: max_connections = ${max}`;
}

function applyPidFile(server: Server, next: Options): string | undefined {
  if (!next.pidFile) return undefined;
  try {
    writePidFile(server);
  } catch (e) {
    server.logger.error(`Failed to write pidfile: ${(e as Error).message.replace(/^Could not write pidfile: /, "")}`);
  }
  return `Reloaded: pid_file = ${next.pidFile}`;
}

function applyPortsFileDir(server: Server, next: Options, cur: Options): string {
  // As nats-server: with no old directory it tries the new one (and reports that no file was there).
  deletePortsFile(server, cur.portsFileDir || next.portsFileDir);
  writePortsFile(server, next.portsFileDir);
  return `Reloaded: ports_file_dir = ${next.portsFileDir}`;
}
