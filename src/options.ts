// Options: the server's configuration model and its defaults, which are the Go
// nats-server's defaults. This file only describes and normalises settings; it
// must not open sockets or read files (the CLI and config loader do that).

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

  /** Subject mappings (config `mappings`): source subject → destinations. */
  mappings: SubjectMappingConfig[];
  /** System account name ("" = the default `$SYS`). */
  systemAccount: string;
  /** Config file this server was started from ("" = none); reload re-reads it. */
  configFile: string;
  /** Embedding: suppress all log output. */
  quiet: boolean;
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
    mappings: [],
    systemAccount: "",
    ...defaultOperatorOptions(),
    configFile: "",
    quiet: false,
  };
}

/** Fill in defaults for everything the caller left out. */
export function resolveOptions(partial: Partial<Options> = {}): Options {
  const o = { ...defaultOptions() };
  for (const [k, v] of Object.entries(partial)) {
    if (v !== undefined) (o as unknown as Record<string, unknown>)[k] = v;
  }
  if (o.port === -1) o.port = 0;
  // As Go: an authorization block without a timeout leaves the default.
  if (o.authTimeout === 0) o.authTimeout = defaultOptions().authTimeout;
  return o;
}
