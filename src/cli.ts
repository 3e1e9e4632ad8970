// The `tsnats` command: nats-server's flags (Go `flag` package syntax: `-x`,
// `--x`, `-x=v`, `-x v`) → Options → a running Server, plus process signals.
// Flag parsing and process wiring only; the server knows nothing of argv.

import { setFlagsFromString } from "node:v8";
import { defaultTlsOptions, resolveOptions, type Options } from "./options.js";
import { ConfigError, loadConfigFile } from "./config/index.js";
import { applyReload, validateOptions } from "./server/reload.js";
import { probeResolver } from "./auth/jwt/options.js";
import { LogSetupError, fatalExit } from "./server/logger.js";
import { installSignalHandlers, sendSignalCommand } from "./server/signals.js";
import type { Server } from "./server/server.js";
import { ListenerStartError } from "./server/extra-listener.js";
import { assembleServer } from "./assembly.js";
import { JetStreamStartError } from "./jetstream/start-error.js";
import { SERVER_VERSION } from "./server/version.js";
import { executableName, ProcessFileError } from "./server/process-files.js";
import { USAGE } from "./usage.js";
import { checkTlsOptions } from "./transport/tls-options.js";
import { checkWebsocketOptions } from "./transport/websocket-listener.js";

type FlagKind = "string" | "int" | "bool";
interface FlagDef {
  kind: FlagKind;
  apply: (o: Partial<Options>, v: string, cli: CliState) => void;
}

interface CliState {
  configFile: string;
  testConfig: boolean;
  signal: string;
  help: boolean;
  version: boolean;
  /** The -tls… flags given, applied together as Go's overrideTLS does. */
  tls: { enabled?: boolean; verify?: boolean; cert?: string; key?: string; ca?: string };
}

const setBool = (k: keyof Options) => (o: Partial<Options>, v: string) => {
  (o as Record<string, unknown>)[k] = parseBool(v);
};

const FLAGS: Record<string, FlagDef> = {};
function flag(names: string[], kind: FlagKind, apply: FlagDef["apply"]): void {
  for (const n of names) FLAGS[n] = { kind, apply };
}

flag(["a", "addr", "net"], "string", (o, v) => (o.host = v));
flag(["p", "port"], "int", (o, v) => (o.port = parseInt(v, 10)));
flag(["n", "name", "server_name"], "string", (o, v) => (o.serverName = v));
flag(["P", "pid"], "string", (o, v) => (o.pidFile = v));
flag(["m", "http_port"], "int", (o, v) => (o.httpPort = parseInt(v, 10)));
flag(["c", "config"], "string", (_o, v, s) => (s.configFile = v));
flag(["t"], "bool", (_o, v, s) => (s.testConfig = parseBool(v)));
flag(["sl", "signal"], "string", (_o, v, s) => (s.signal = v));
flag(["client_advertise"], "string", (o, v) => (o.clientAdvertise = v));
flag(["ports_file_dir"], "string", (o, v) => (o.portsFileDir = v));
flag(["l", "log"], "string", (o, v) => (o.logFile = v));
flag(["T", "logtime"], "bool", setBool("logtime"));
flag(["s", "syslog"], "bool", setBool("syslog"));
flag(["r", "remote_syslog"], "string", (o, v) => (o.remoteSyslog = v));
flag(["D", "debug"], "bool", setBool("debug"));
flag(["V", "trace"], "bool", setBool("trace"));
flag(["VV"], "bool", (o, v) => {
  o.trace = o.traceVerbose = parseBool(v);
});
flag(["DV"], "bool", (o, v) => {
  o.debug = o.trace = parseBool(v);
});
flag(["DVV"], "bool", (o, v) => {
  o.debug = o.trace = o.traceVerbose = parseBool(v);
});
flag(["log_size_limit"], "int", (o, v) => (o.logSizeLimit = parseInt(v, 10)));
flag(["max_traced_msg_len"], "int", (o, v) => (o.maxTracedMsgLen = parseInt(v, 10)));
flag(["js", "jetstream"], "bool", (o, v) => (o.jetstream = parseBool(v)));
flag(["sd", "store_dir"], "string", (o, v) => (o.storeDir = v));
flag(["ms", "https_port"], "int", (o, v) => (o.httpsPort = parseInt(v, 10)));
flag(["tls"], "bool", (_o, v, s) => (s.tls.enabled = parseBool(v)));
flag(["tlsverify"], "bool", (_o, v, s) => (s.tls.verify = parseBool(v)));
flag(["tlscert"], "string", (_o, v, s) => (s.tls.cert = v));
flag(["tlskey"], "string", (_o, v, s) => (s.tls.key = v));
flag(["tlscacert"], "string", (_o, v, s) => (s.tls.ca = v));
flag(["user"], "string", (o, v) => (o.username = v));
flag(["pass"], "string", (o, v) => (o.password = v));
flag(["auth"], "string", (o, v) => (o.authToken = v));
flag(["h", "help"], "bool", (_o, v, s) => (s.help = parseBool(v)));
flag(["v", "version"], "bool", (_o, v, s) => (s.version = parseBool(v)));

/** nats-server flags whose features tsnats does not have yet. */
const NOT_YET = ["routes", "cluster", "cluster_name", "no_advertise", "cluster_advertise", "connect_retries", "cluster_listen", "profile", "help_tls"];

function parseBool(v: string): boolean {
  const s = v.toLowerCase();
  if (s === "1" || s === "t" || s === "true") return true;
  if (s === "0" || s === "f" || s === "false") return false;
  throw new FlagError(`invalid boolean value "${v}"`);
}

class FlagError extends Error {}

interface ParsedArgs {
  options: Partial<Options>;
  state: CliState;
}

/** Parse argv like Go's flag package does for nats-server. */
function parseArgs(argv: string[]): ParsedArgs {
  const options: Partial<Options> = {};
  const state: CliState = { configFile: "", testConfig: false, signal: "", help: false, version: false, tls: {} };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--") break;
    if (!arg.startsWith("-") || arg === "-") break;
    let name = arg.replace(/^--?/, "");
    let value: string | undefined;
    const eq = name.indexOf("=");
    if (eq >= 0) {
      value = name.slice(eq + 1);
      name = name.slice(0, eq);
    }
    const def = FLAGS[name];
    if (!def) {
      if (NOT_YET.includes(name)) throw new FlagError(`flag -${name} is a nats-server flag that tsnats does not support yet`);
      throw new FlagError(`flag provided but not defined: -${name}`);
    }
    if (def.kind === "bool") {
      def.apply(options, value ?? "true", state);
      continue;
    }
    if (value === undefined) {
      if (i + 1 >= argv.length) throw new FlagError(`flag needs an argument: -${name}`);
      value = argv[++i];
    }
    if (def.kind === "int" && !/^[-+]?\d+$/.test(value)) throw new FlagError(`invalid value "${value}" for flag -${name}: parse error`);
    def.apply(options, value, state);
  }
  return { options, state };
}

/** Go's overrideTLS: -tls=false drops TLS; any other -tls… flag replaces the config's tls block. */
function applyTlsFlags(options: Partial<Options>, f: CliState["tls"]): string {
  if (f.enabled === false) {
    options.tls = null;
    return "";
  }
  if (f.enabled === undefined && f.verify === undefined && f.cert === undefined && f.key === undefined && f.ca === undefined) return "";
  if (!f.cert) return "TLS Server certificate must be present and valid";
  if (!f.key) return "TLS Server private key must be present and valid";
  options.tls = { ...defaultTlsOptions(), certFile: f.cert, keyFile: f.key, caFile: f.ca ?? "", verify: f.verify ?? false };
  return "";
}

function usage(): string {
  return USAGE.replace("NAME", executableName());
}

export async function main(argv: string[]): Promise<number> {
  // The command is the whole process: a server whose garbage is short-lived
  // (connections, requests), where V8's default policy lets the young
  // generation grow to 32 MiB and the old one to several times what is live
  // before collecting. The memory-saving policy keeps connection churn and
  // slow consumers within the Go server's footprint at no measured cost in
  // throughput. An embedding process keeps its own heap policy.
  setFlagsFromString("--optimize-for-size");
  let parsed: ParsedArgs;
  try {
    parsed = parseArgs(argv);
  } catch (e) {
    if (!(e instanceof FlagError)) throw e;
    process.stderr.write(`${e.message}\n`);
    process.stdout.write(usage());
    return 0;
  }
  const { options: cliOptions, state } = parsed;
  const name = executableName();
  const tlsErr = applyTlsFlags(cliOptions, state.tls);
  if (tlsErr) {
    process.stderr.write(`${name}: ${tlsErr}\n`);
    return 1;
  }
  if (state.help) {
    process.stdout.write(usage());
    return 0;
  }
  if (state.version) {
    process.stdout.write(`${name}: v${SERVER_VERSION}\n`);
    return 0;
  }
  if (state.signal) {
    const err = sendSignalCommand(state.signal, name);
    if (err) {
      process.stderr.write(`${name}: ${err}\n`);
      return 1;
    }
    return 0;
  }
  let options: Partial<Options> = cliOptions;
  if (state.configFile) {
    try {
      options = loadOptions(state.configFile, cliOptions, state.testConfig);
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      process.stderr.write(`${name}: ${e.message}\n`);
      return 1;
    }
    if (state.testConfig) {
      const tlsErr = checkTlsOptions(resolveOptions(options));
      if (tlsErr) {
        process.stderr.write(`${name}: ${tlsErr}\n`);
        return 1;
      }
      process.stderr.write(`${name}: configuration file ${state.configFile} is valid\n`);
      return 0;
    }
  } else if (state.testConfig) {
    process.stderr.write(`${name}: must specify [-c, --config] option to check configuration file(s)\n`);
    return 1;
  }
  const resolved = resolveOptions(options);
  const invalid = validateOptions(resolved) || checkTlsOptions(resolved) || checkWebsocketOptions(resolved) || (await probeResolver(resolved));
  if (invalid) {
    process.stderr.write(`${name}: ${invalid}\n`);
    return 1;
  }
  let server: Server;
  try {
    server = await assembleServer(options);
  } catch (e) {
    // Go's logger setup failures end the process through log.Fatalf.
    if (e instanceof LogSetupError) fatalExit(e.message);
    throw e;
  }
  installSignalHandlers(server, () => reload(server, state.configFile, cliOptions));
  try {
    await server.start();
  } catch (e) {
    if (e instanceof ProcessFileError || e instanceof ListenerStartError) server.logger.fatal(e.message);
    else if (e instanceof JetStreamStartError) server.logger.fatal(`Can't start JetStream: ${e.message}`);
    else server.logger.fatal(`Error listening on port: ${options.host ?? "0.0.0.0"}:${options.port ?? 4222}, "${(e as Error).message}"`);
    return 1;
  }
  await server.done();
  return 0;
}

/** Config file settings with command-line flags on top, as nats-server merges them. */
function loadOptions(file: string, cliOptions: Partial<Options>, strict: boolean): Partial<Options> {
  const loaded = loadConfigFile(file, { warningsAsErrors: strict });
  const merged = { ...loaded.options, ...cliOptions };
  // -js on top of a jetstream { … } block enables it and keeps the block's settings.
  if (cliOptions.jetstream === true && typeof loaded.options.jetstream === "object") merged.jetstream = loaded.options.jetstream;
  return merged;
}

/** SIGHUP: re-read the config file, put the command-line flags on top, apply what can change live. */
function reload(server: Server, file: string, cliOptions: Partial<Options>): void {
  if (!file) {
    server.logger.error("Failed to reload server configuration: can only reload config when a file is provided using -c or --config");
    return;
  }
  let next: Options;
  try {
    next = resolveOptions(loadOptions(file, cliOptions, false));
  } catch (e) {
    server.logger.error(`Failed to reload server configuration: ${(e as Error).message}`);
    return;
  }
  const err = checkTlsOptions(next) || applyReload(server, next);
  if (err) server.logger.error(`Failed to reload server configuration: ${err}`);
}
