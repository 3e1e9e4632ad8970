// Option mapper: turns a parsed config tree into Partial<Options> (see
// src/options.ts; durations in ms, sizes in bytes), following nats-server
// 2.9's processConfigFileLine: same key aliases (case-insensitive), same type
// rules, same errors and warnings, and "unknown field" for top-level keys it
// does not know (unless the key was only used as a $variable). Blocks for
// features tsnats does not implement yet (cluster, …) are
// accepted untouched and left in the raw tree. No file access here.

import type { Options } from "../options.js";
import type { ConfigIssue } from "./errors.js";
import { goQuote } from "../go-format/quote.js";
import { DurationError, formatGoDuration, parseGoDurationNs } from "../go-format/duration.js";
import { NodeError, asBool, asInt, asString, goAtoi, issueAt } from "./node-values.js";
import { goTypeName, type ConfMap, type ConfNode } from "./parser.js";
import { readMappings } from "./subject-mappings.js";
import { readJetStream } from "./jetstream-options.js";
import { readAccounts } from "./accounts-map.js";
import { AccountRegistry } from "../accounts/registry.js";
import { readTlsBlock, readWebsocketBlock } from "./tls-blocks.js";
import { readAuthorization } from "./authorization.js";
import { readOperators, readPinned, readPreload, readResolver, readTrusted } from "./operator.js";
import type { NkeyUser, User } from "../auth/model.js";

export interface MappedOptions {
  options: Partial<Options>;
  errors: ConfigIssue[];
  warnings: ConfigIssue[];
}

interface Ctx {
  o: Partial<Options>;
  /** Users found inside `accounts` (merged with the authorization block's once all keys are read). */
  accountUsers: { users: User[]; nkeys: NkeyUser[] };
  /** The key as written in the file (Go quotes it in some messages). */
  key: string;
  warn(node: ConfNode, field: string, reason: string): void;
  report(e: NodeError): void;
}

type Handler = (node: ConfNode, ctx: Ctx) => void;

const MAX_INT32 = 2 ** 31 - 1;

function fail(node: ConfNode, reason: string): never {
  throw new NodeError(node, reason);
}

/** Go's net.SplitHostPort; null when the address is malformed. */
function splitHostPort(hostport: string): { host: string; port: string } | null {
  const i = hostport.lastIndexOf(":");
  if (i < 0) return null;
  let host: string;
  let j = 0;
  let k = 0;
  if (hostport[0] === "[") {
    const end = hostport.indexOf("]");
    if (end < 0 || end + 1 === hostport.length || end + 1 !== i) return null;
    host = hostport.slice(1, end);
    j = 1;
    k = end + 1;
  } else {
    host = hostport.slice(0, i);
    if (host.includes(":")) return null;
  }
  if (hostport.slice(j).includes("[") || hostport.slice(k).includes("]")) return null;
  return { host, port: hostport.slice(i + 1) };
}

/** `listen`/`http` value: a port number, or "host:port" (either side may be empty/-1). */
function parseListen(node: ConfNode): { host: string; port: number } {
  if (node.kind === "integer") return { host: "", port: node.value as number };
  if (node.kind !== "string") fail(node, `expected port or host:port, got ${goTypeName(node)}`);
  const text = node.value as string;
  const hp = splitHostPort(text);
  if (!hp) fail(node, `could not parse address string ${goQuote(text)}`);
  const port = goAtoi(hp.port);
  if (port === null) fail(node, `could not parse port ${goQuote(hp.port)}`);
  return { host: hp.host, port };
}

function durationNs(node: ConfNode, field: string): bigint {
  try {
    return parseGoDurationNs(asString(node));
  } catch (e) {
    if (e instanceof DurationError) fail(node, `error parsing ${field}: ${e.message}`);
    throw e;
  }
}

const nsToMs = (ns: bigint): number => Number(ns) / 1e6;

/** ping_interval, write_deadline: a duration string, or (deprecated, warned) a number of seconds. */
function legacyDuration(field: keyof Options): Handler {
  return (node, ctx) => {
    let ms: number;
    if (node.kind === "string") {
      ms = nsToMs(durationNs(node, ctx.key.toLowerCase()));
    } else {
      ms = asInt(node) * 1000;
      const name = ctx.key.toLowerCase();
      ctx.warn(node, name, `${name} should be converted to a duration`);
    }
    (ctx.o as Record<string, unknown>)[field] = ms;
  };
}

const setString =
  (field: keyof Options): Handler =>
  (node, ctx) => {
    (ctx.o as Record<string, unknown>)[field] = asString(node);
  };
const setInt =
  (field: keyof Options): Handler =>
  (node, ctx) => {
    (ctx.o as Record<string, unknown>)[field] = asInt(node);
  };
const setBool =
  (field: keyof Options): Handler =>
  (node, ctx) => {
    (ctx.o as Record<string, unknown>)[field] = asBool(node);
  };
/** Sizes stored by Go in an int32. */
const setInt32 =
  (field: keyof Options): Handler =>
  (node, ctx) => {
    const n = asInt(node);
    if (n > MAX_INT32) fail(node, `${ctx.key} value is too big`);
    (ctx.o as Record<string, unknown>)[field] = n;
  };
const checkOnly =
  (check: (node: ConfNode) => unknown): Handler =>
  (node) => {
    check(node);
  };

/** server_tags: a string or an array of strings; lower-cased, trimmed, de-duplicated. */
const addTags: Handler = (node, ctx) => {
  const tags = ctx.o.tags ?? [];
  const add = (t: string) => {
    const v = t.trim().toLowerCase();
    if (v !== "" && !tags.includes(v)) tags.push(v);
  };
  if (node.kind === "string") {
    add(node.value as string);
  } else if (node.kind === "array") {
    for (const item of node.value as ConfNode[]) {
      if (item.kind !== "string") fail(node, "error parsing tags: unsupported type *conf.token where string is expected");
      add(item.value as string);
    }
  } else {
    fail(node, `error parsing tags: unsupported type ${goTypeName(node)}`);
  }
  ctx.o.tags = tags;
};

/** Keys that map onto Options. Keys are lower-case; Go matches them case-insensitively. */
const HANDLERS: Record<string, Handler> = {
  listen: (node, ctx) => {
    const { host, port } = parseListen(node);
    if (host !== "") ctx.o.host = host; // "" means the default interface
    ctx.o.port = port;
  },
  port: setInt("port"),
  host: setString("host"),
  net: setString("host"),
  server_name: setString("serverName"),
  client_advertise: setString("clientAdvertise"),
  max_payload: setInt32("maxPayload"),
  max_control_line: setInt32("maxControlLine"),
  max_connections: setInt("maxConnections"),
  max_conn: setInt("maxConnections"),
  max_subscriptions: setInt("maxSubscriptions"),
  max_subs: setInt("maxSubscriptions"),
  max_pending: setInt("maxPending"),
  max_traced_msg_len: setInt("maxTracedMsgLen"),
  ping_interval: legacyDuration("pingInterval"),
  write_deadline: legacyDuration("writeDeadline"),
  ping_max: setInt("pingMax"),
  debug: setBool("debug"),
  trace: setBool("trace"),
  trace_verbose: (node, ctx) => {
    ctx.o.traceVerbose = ctx.o.trace = asBool(node);
  },
  logtime: setBool("logtime"),
  log_file: setString("logFile"),
  logfile: setString("logFile"),
  log_size_limit: setInt("logSizeLimit"),
  logfile_size_limit: setInt("logSizeLimit"),
  syslog: setBool("syslog"),
  remote_syslog: setString("remoteSyslog"),
  pid_file: setString("pidFile"),
  pidfile: setString("pidFile"),
  ports_file_dir: setString("portsFileDir"),
  lame_duck_duration: (node, ctx) => {
    const ns = durationNs(node, "lame_duck_duration");
    if (ns < 30_000_000_000n) {
      fail(node, `invalid lame_duck_duration of ${formatGoDuration(ns)}, minimum is 30 seconds`);
    }
    ctx.o.lameDuckDuration = nsToMs(ns);
  },
  lame_duck_grace_period: (node, ctx) => {
    const ns = durationNs(node, "lame_duck_grace_period");
    if (ns < 0n) fail(node, "invalid lame_duck_grace_period, needs to be positive");
    ctx.o.lameDuckGracePeriod = nsToMs(ns);
  },
  no_header_support: setBool("noHeaderSupport"),
  disable_sublist_cache: setBool("disableSublistCache"),
  no_sublist_cache: setBool("disableSublistCache"),
  connect_error_reports: setInt("connectErrorReports"),
  reconnect_error_reports: setInt("reconnectErrorReports"),
  server_tags: addTags,
  http: (node, ctx) => {
    const { host, port } = parseListen(node);
    ctx.o.httpHost = host;
    ctx.o.httpPort = port;
  },
  http_port: setInt("httpPort"),
  monitor_port: setInt("httpPort"),
  http_base_path: setString("httpBasePath"),
  authorization: (node, ctx) => {
    Object.assign(ctx.o, readAuthorization(node, ctx.report));
  },
  no_auth_user: setString("noAuthUser"),
  operator: (node, ctx) => readOperators(node, ctx.o, ctx.report),
  trusted: (node, ctx) => readTrusted(node, ctx.o, ctx.report),
  resolver: (node, ctx) => readResolver(node, ctx.o),
  resolver_preload: (node, ctx) => readPreload(node, ctx.o, ctx.report),
  resolver_pinned_accounts: (node, ctx) => readPinned(node, ctx.o),
  mappings: (node, ctx) => {
    ctx.o.mappings = [...(ctx.o.mappings ?? []), ...readMappings(node, ctx.report)];
  },

  // tsnats additions: these fields exist in Options but nats-server 2.9.10
  // reports them as unknown (logtime_utc, logfile_max_num and
  // max_closed_clients arrived in later nats-server versions).
  logtime_utc: setBool("logtimeUTC"),
  logfile_max_num: setInt("logFileMaxNum"),
  log_max_num: setInt("logFileMaxNum"),
  max_closed_clients: setInt("maxClosedClients"),
  tags: addTags,
  auth_timeout: (node, ctx) => {
    if (node.kind === "integer" || node.kind === "float") ctx.o.authTimeout = (node.value as number) * 1000;
    else if (node.kind === "string") ctx.o.authTimeout = nsToMs(durationNs(node, "auth_timeout"));
    else fail(node, `error parsing auth_timeout: unsupported type ${goTypeName(node)}`);
  },

  // Secure transports: TLS, HTTPS monitoring, WebSocket.
  https_port: setInt("httpsPort"),
  https: (node, ctx) => {
    const { host, port } = parseListen(node);
    ctx.o.httpHost = host;
    ctx.o.httpsPort = port;
  },
  tls: (node, ctx) => {
    ctx.o.tls = readTlsBlock(node);
  },
  resolver_tls: (node, ctx) => {
    ctx.o.accountResolverTls = readTlsBlock(node);
  },
  allow_non_tls: setBool("allowNonTls"),
  websocket: (node, ctx) => {
    ctx.o.websocket = readWebsocketBlock(node, ctx.report);
  },

  // Known to nats-server, not implemented by tsnats yet: accepted and kept
  // in the raw tree. Scalars get Go's type check; blocks are not inspected.
  prof_port: checkOnly(asInt),
  store_dir: (node, ctx) => {
    ctx.o.storeDir = asString(node);
  },
  no_system_account: setBool("noSystemAccount"),
  no_system: setBool("noSystemAccount"),
  no_sys_acc: setBool("noSystemAccount"),
  system_account: (node, ctx) => {
    if (node.kind !== "string") fail(node, "system account name must be a string");
    ctx.o.systemAccount = node.value as string;
  },
  accounts: (node, ctx) => {
    const read = readAccounts(node, ctx.report);
    ctx.o.accounts = read.accounts;
    ctx.accountUsers.users.push(...read.users);
    ctx.accountUsers.nkeys.push(...read.nkeys);
  },
  jetstream: (node, ctx) => readJetStream(node, ctx.o, ctx.report),
  max_sub_tokens: (node, ctx) => {
    const n = asInt(node);
    if (n > 255) fail(node, `${ctx.key} value is too big`);
    if (n <= 0) fail(node, `${ctx.key} value can not be negative`);
  },
};
HANDLERS["storedir"] = HANDLERS["store_dir"]!;
HANDLERS["maps"] = HANDLERS["mappings"]!;
for (const k of ["operators", "roots", "root", "root_operators", "root_operator"]) HANDLERS[k] = HANDLERS["operator"]!;
HANDLERS["trusted_keys"] = HANDLERS["trusted"]!;
HANDLERS["account_resolver"] = HANDLERS["accounts_resolver"] = HANDLERS["resolver"]!;
HANDLERS["ws"] = HANDLERS["websocket"]!;
HANDLERS["system"] = HANDLERS["system_account"]!;
HANDLERS["max_subscription_tokens"] = HANDLERS["max_sub_tokens"]!;

/** Feature blocks and settings accepted as-is (no validation, no mapping). */
const ACCEPTED = new Set([
  "cluster",
  "gateway",
  "leaf",
  "leafnodes",
  "ocsp",
  "mqtt",
  "default_js_domain",
]);

/** Top-level keys tsnats understands or accepts (lower-case). */
export function isKnownTopLevelKey(key: string): boolean {
  const k = key.toLowerCase();
  return Object.hasOwn(HANDLERS, k) || ACCEPTED.has(k);
}

/** Map a parsed config tree onto Options. Never throws for config problems; see `errors`. */
export function mapOptions(root: ConfMap): MappedOptions {
  const o: Partial<Options> = {};
  const errors: ConfigIssue[] = [];
  const warnings: ConfigIssue[] = [];
  const accountUsers = { users: [] as User[], nkeys: [] as NkeyUser[] };
  for (const [key, node] of root) {
    const k = key.toLowerCase();
    const ctx: Ctx = {
      o,
      accountUsers,
      key,
      warn: (n, field, reason) => warnings.push(issueAt(n, `invalid use of field ${goQuote(field)}: ${reason}`)),
      report: (e) => errors.push(e.toIssue()),
    };
    const handler = Object.hasOwn(HANDLERS, k) ? HANDLERS[k] : undefined;
    if (handler) {
      try {
        handler(node, ctx);
      } catch (e) {
        if (!(e instanceof NodeError)) throw e;
        errors.push(e.toIssue());
      }
    } else if (!ACCEPTED.has(k) && !node.usedAsVariable) {
      // Keys only used to define $variables are fine, as in Go.
      errors.push(issueAt(node, `unknown field ${goQuote(key)}`));
    }
  }
  const accountsNode = [...root].find(([k]) => k.toLowerCase() === "accounts")?.[1];
  if (accountsNode && (accountUsers.users.length > 0 || accountUsers.nkeys.length > 0)) {
    // Go: account users join the authorization block's users; names are unique across both.
    if (o.username) errors.push(issueAt(accountsNode, "Can not have a single user/pass and accounts"));
    else if (o.authToken) errors.push(issueAt(accountsNode, "Can not have a token and accounts"));
    const names = new Set([...(o.users ?? []).map((u) => u.username), ...(o.nkeys ?? []).map((u) => u.nkey)]);
    for (const u of accountUsers.users) if (names.has(u.username)) errors.push(issueAt(accountsNode, `Duplicate user ${goQuote(u.username)} detected`));
    for (const u of accountUsers.nkeys) if (names.has(u.nkey)) errors.push(issueAt(accountsNode, `Duplicate nkey ${goQuote(u.nkey)} detected`));
    if (accountUsers.users.length > 0) o.users = [...(o.users ?? []), ...accountUsers.users];
    if (accountUsers.nkeys.length > 0) o.nkeys = [...(o.nkeys ?? []), ...accountUsers.nkeys];
  }
  if (accountsNode && errors.length === 0) {
    // Go checks imports against exports once every account is read, and
    // reports the problems at the accounts block.
    const check = new AccountRegistry(() => 0, false);
    const { errors: accErrors } = check.configure({
      accounts: o.accounts ?? [],
      systemAccount: o.systemAccount ?? "",
      noSystemAccount: o.noSystemAccount ?? false,
      mappings: [],
    });
    for (const reason of accErrors) {
      if (!reason.startsWith("error resolving system account")) errors.push(issueAt(accountsNode, reason));
    }
  }
  return { options: o, errors, warnings };
}
