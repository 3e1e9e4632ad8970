// Options: the server's configuration model and its defaults, which are the Go
// nats-server's defaults. This file only describes and normalises settings; it
// must not open sockets or read files (the CLI and config loader do that).

import type { AccountConfig } from "./accounts/config-types.js";
import type { NkeyUser, User } from "./auth/model.js";
import { defaultOperatorOptions, type OperatorOptions } from "./auth/jwt/options.js";

export type { NkeyUser, Permissions, ResponsePermission, SubjectPermission, User } from "./auth/model.js";

/** Durations are milliseconds; sizes are bytes. */
export interface Options extends OperatorOptions {
  /** Interface to bind client listener to (nats-server `-a`, `host`, `net`). */
  host: string;
  /** Client port; 0 or -1 picks a random port. */
  port: number;
  serverName: string;
  /** URL advertised to clients in connect_urls (later, with clustering). */
  clientAdvertise: string;

  maxPayload: number;
  maxControlLine: number;
  maxConnections: number;
  /** 0 = unlimited. */
  maxSubscriptions: number;
  maxPending: number;
  writeDeadline: number;
  pingInterval: number;
  pingMax: number;
  /** No CONNECT within this time (when auth is required): "Authentication Timeout". */
  authTimeout: number;
  /** Single user (`--user`, `authorization.user`) and its password (plain or bcrypt). */
  username: string;
  password: string;
  /** Token (`--auth`, `authorization.token`), plain or bcrypt. */
  authToken: string;
  /** `authorization.users` entries with user/password; null = none configured. */
  users: User[] | null;
  /** `authorization.users` entries with an nkey; null = none configured. */
  nkeys: NkeyUser[] | null;
  /** A client without credentials is this user (`no_auth_user`). */
  noAuthUser: string;
  maxClosedClients: number;
  lameDuckDuration: number;
  lameDuckGracePeriod: number;
  noHeaderSupport: boolean;
  disableSublistCache: boolean;

  debug: boolean;
  trace: boolean;
  traceVerbose: boolean;
  logtime: boolean;
  logtimeUTC: boolean;
  logFile: string;
  logSizeLimit: number;
  logFileMaxNum: number;
  maxTracedMsgLen: number;
  syslog: boolean;
  remoteSyslog: string;
  pidFile: string;
  portsFileDir: string;
  connectErrorReports: number;
  reconnectErrorReports: number;
  tags: string[];

  /** Monitoring HTTP port; 0 = off unless httpHost set, -1 = random. */
  httpPort: number;
  httpHost: string;
  httpBasePath: string;

  /** HTTPS monitoring port (`-ms`, `https_port`), served with the `tls` block's certificate; 0 = off, -1 = random. */
  httpsPort: number;

  /** TLS for client connections (`tls {}`, `--tls…` flags); null = plain TCP only. */
  tls: TlsOptions | null;
  /** With `tls`: clients may also connect without TLS (INFO says tls_available). */
  allowNonTls: boolean;
  /** The WebSocket listener (`websocket {}`); port 0 = off. */
  websocket: WebsocketOptions;

  /** Subject mappings (config `mappings`): source subject → destinations. */
  mappings: SubjectMappingConfig[];
  /** `-sd` / top-level store_dir (also set by jetstream { store_dir }). */
  storeDir: string;
  /** Accounts (config `accounts`); without any, every client is in `$G`. */
  accounts: AccountConfig[];
  /** System account name ("" = the default `$SYS`). */
  systemAccount: string;
  noSystemAccount: boolean;
  /** Config file this server was started from ("" = none); reload re-reads it. */
  configFile: string;
  /** Embedding: suppress all log output. */
  quiet: boolean;

  /**
   * JetStream (`-js`, config `jetstream`): false = off; true or an object =
   * on, with the object's settings over the defaults (see jetStreamSettings).
   */
  jetstream: boolean | Partial<JetStreamOptions>;
}

/** Server-level JetStream settings (Go's JetStreamConfig and JSLimitOpts). */
export interface JetStreamOptions {
  /** `-sd` / store_dir: streams live under <storeDir>/jetstream/. "" = Go's default, <tmp>/nats. */
  storeDir: string;
  /** Bytes; <= 0 = dynamic (75% of system memory, as Go). */
  maxMemory: number;
  /** Bytes; <= 0 = dynamic (1 TB, as Go). */
  maxStore: number;
  domain: string;
  /** fsync period, ms (Go's sync_interval, default 2 minutes). */
  syncInterval: number;
  syncAlways: boolean;
  uniqueTag: string;
  /** limits { … }: 0 = unlimited. */
  maxAckPending: number;
  maxHaAssets: number;
  maxRequestBatch: number;
  /** limits.duplicate_window, ms; 0 = no server cap. */
  maxDuplicateWindow: number;
  /** Embedding: remove storeDir at shutdown (a temporary store). */
  removeStoreAtShutdown: boolean;
}

/** An account's JetStream limits (Go's JetStreamAccountLimits, JSON names); -1 = unlimited. */
export interface JetStreamAccountLimits {
  max_memory: number;
  max_storage: number;
  max_streams: number;
  max_consumers: number;
  max_ack_pending: number;
  memory_max_stream_bytes: number;
  storage_max_stream_bytes: number;
  max_bytes_required: boolean;
}

export function unlimitedAccountLimits(): JetStreamAccountLimits {
  return {
    max_memory: -1,
    max_storage: -1,
    max_streams: -1,
    max_consumers: -1,
    max_ack_pending: -1,
    memory_max_stream_bytes: -1,
    storage_max_stream_bytes: -1,
    max_bytes_required: false,
  };
}

export function defaultJetStreamOptions(): JetStreamOptions {
  return {
    storeDir: "",
    maxMemory: 0,
    maxStore: 0,
    domain: "",
    syncInterval: 120_000,
    syncAlways: false,
    uniqueTag: "",
    maxAckPending: 0,
    maxHaAssets: 0,
    maxRequestBatch: 0,
    maxDuplicateWindow: 0,
    removeStoreAtShutdown: false,
  };
}

/** The effective JetStream settings, or null when JetStream is off. */
export function jetStreamSettings(o: Pick<Options, "jetstream" | "storeDir">): JetStreamOptions | null {
  const js = o.jetstream;
  if (js === false) return null;
  const out = defaultJetStreamOptions();
  if (js !== true) {
    for (const [k, v] of Object.entries(js)) if (v !== undefined) (out as unknown as Record<string, unknown>)[k] = v;
  }
  if (out.storeDir === "") out.storeDir = o.storeDir;
  return out;
}

/** A `tls {}` block (client port, websocket, HTTPS monitoring). */
export interface TlsOptions {
  certFile: string;
  keyFile: string;
  caFile: string;
  /** Require and verify a client certificate. */
  verify: boolean;
  /** verify_and_map: the client certificate names the user. */
  map: boolean;
  /** verify_cert_and_check_known_urls (only meaningful for cluster peers). */
  checkKnownUrls: boolean;
  insecure: boolean;
  /** Handshake timeout, ms (Go's `timeout`, seconds; default 2s). */
  timeout: number;
  /** TLS before INFO (Go 2.10 `handshake_first`). */
  handshakeFirst: boolean;
  /** With handshakeFirst: wait this long (ms) for a TLS hello, then fall back to INFO first; 0 = no fallback. */
  handshakeFirstFallback: number;
  /** Hex SHA-256 of accepted client certificates' SubjectPublicKeyInfo (lower case); empty = any. */
  pinnedCerts: string[];
  /** Go (IANA) cipher suite names; empty = Go's defaults. */
  cipherSuites: string[];
  /** Go curve names (X25519, CurveP256, …); empty = Go's defaults. */
  curvePreferences: string[];
  /** "1.2" or "1.3". */
  minVersion: string;
}

/** A `websocket {}` block. Auth fields are kept for the authentication layer, which applies them. */
export interface WebsocketOptions {
  host: string;
  /** 0 = no WebSocket listener; -1 = random. */
  port: number;
  advertise: string;
  noTls: boolean;
  tls: TlsOptions | null;
  sameOrigin: boolean;
  allowedOrigins: string[];
  compression: boolean;
  /** ms; 0 = none. */
  handshakeTimeout: number;
  jwtCookie: string;
  username: string;
  password: string;
  token: string;
  /** Seconds, as Go; 0 = the server's auth_timeout. */
  authTimeout: number;
  noAuthUser: string;
}

export function defaultTlsOptions(): TlsOptions {
  return {
    certFile: "",
    keyFile: "",
    caFile: "",
    verify: false,
    map: false,
    checkKnownUrls: false,
    insecure: false,
    timeout: 2000,
    handshakeFirst: false,
    handshakeFirstFallback: 0,
    pinnedCerts: [],
    cipherSuites: [],
    curvePreferences: [],
    minVersion: "1.2",
  };
}

export function defaultWebsocketOptions(): WebsocketOptions {
  return {
    host: "",
    port: 0,
    advertise: "",
    noTls: false,
    tls: null,
    sameOrigin: false,
    allowedOrigins: [],
    compression: false,
    handshakeTimeout: 0,
    jwtCookie: "",
    username: "",
    password: "",
    token: "",
    authTimeout: 0,
    noAuthUser: "",
  };
}

/** One destination of a subject mapping; weights are percentages (0-100). */
export interface MappingDestination {
  subject: string;
  weight: number;
  cluster?: string;
}

export interface SubjectMappingConfig {
  source: string;
  destinations: MappingDestination[];
}

const DEFAULT_PORT = 4222;

export function defaultOptions(): Options {
  return {
    host: "0.0.0.0",
    port: DEFAULT_PORT,
    serverName: "",
    clientAdvertise: "",
    maxPayload: 1024 * 1024,
    maxControlLine: 4096,
    maxConnections: 64 * 1024,
    maxSubscriptions: 0,
    maxPending: 64 * 1024 * 1024,
    writeDeadline: 10_000,
    pingInterval: 120_000,
    pingMax: 2,
    authTimeout: 2_000,
    username: "",
    password: "",
    authToken: "",
    users: null,
    nkeys: null,
    noAuthUser: "",
    maxClosedClients: 10_000,
    lameDuckDuration: 120_000,
    lameDuckGracePeriod: 10_000,
    noHeaderSupport: false,
    disableSublistCache: false,
    debug: false,
    trace: false,
    traceVerbose: false,
    logtime: true,
    logtimeUTC: false,
    logFile: "",
    logSizeLimit: 0,
    logFileMaxNum: 0,
    maxTracedMsgLen: 0,
    syslog: false,
    remoteSyslog: "",
    pidFile: "",
    portsFileDir: "",
    connectErrorReports: 3600,
    reconnectErrorReports: 1,
    tags: [],
    httpPort: 0,
    httpHost: "",
    httpBasePath: "",
    httpsPort: 0,
    tls: null,
    allowNonTls: false,
    websocket: defaultWebsocketOptions(),
    mappings: [],
    storeDir: "",
    accounts: [],
    systemAccount: "",
    noSystemAccount: false,
    ...defaultOperatorOptions(),
    configFile: "",
    quiet: false,
    jetstream: false,
  };
}

/** Fill in defaults for everything the caller left out. */
export function resolveOptions(partial: Partial<Options> = {}): Options {
  const o = { ...defaultOptions() };
  for (const [k, v] of Object.entries(partial)) {
    if (v !== undefined) (o as unknown as Record<string, unknown>)[k] = v;
  }
  if (o.port === -1) o.port = 0;
  // As Go: no auth timeout (or an authorization block without one) means the
  // default, which with TLS is the TLS timeout plus a second.
  if (o.authTimeout === 0 || partial.authTimeout === undefined) o.authTimeout = o.tls ? o.tls.timeout + 1000 : defaultOptions().authTimeout;
  return o;
}
