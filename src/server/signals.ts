// Process signals: what a running server does on SIGINT/SIGTERM/SIGHUP/
// SIGUSR1/SIGUSR2, and `--signal CMD[=PID|PIDFILE]`, which finds a running
// server and sends it the matching signal, with nats-server's error texts.
// It does not itself reload or shut down anything: it calls the server's
// operations.

import { readdirSync, readFileSync } from "node:fs";
import { basename } from "node:path";
import type { Server } from "./server.js";

/** `--signal` commands → signals, as nats-server maps them. */
const COMMANDS: Record<string, NodeJS.Signals> = {
  stop: "SIGKILL",
  quit: "SIGINT",
  term: "SIGTERM",
  reopen: "SIGUSR1",
  reload: "SIGHUP",
  ldm: "SIGUSR2",
};

/** Go's names for the signals, as in `Trapped "hangup" signal`. */
const GO_NAMES: Partial<Record<NodeJS.Signals, string>> = {
  SIGINT: "interrupt",
  SIGTERM: "terminated",
  SIGHUP: "hangup",
  SIGUSR1: "user defined signal 1",
  SIGUSR2: "user defined signal 2",
};

/**
 * Handle the server's signals as nats-server does: SIGINT shuts down and exits
 * 0, SIGTERM shuts down and exits 1 (ignored during lame duck mode), SIGUSR1
 * reopens the log file, SIGUSR2 enters lame duck mode, SIGHUP reloads.
 * Returns a function that removes the handlers.
 */
export function installSignalHandlers(server: Server, reload: () => void): () => void {
  const exitAfterShutdown = (code: number) => {
    // A second signal while shutting down exits at once, as os.Exit does in Go.
    if (server.shuttingDown) process.exit(code);
    void server.shutdown().then(() => process.exit(code));
  };
  const actions: Partial<Record<NodeJS.Signals, () => void>> = {
    SIGINT: () => exitAfterShutdown(0),
    SIGTERM: () => {
      if (!server.lameDuck) exitAfterShutdown(1);
    },
    SIGUSR1: () => server.logger.reopen(),
    SIGUSR2: () => void server.enterLameDuckMode(),
    SIGHUP: reload,
  };
  const handlers: [NodeJS.Signals, () => void][] = [];
  for (const [sig, act] of Object.entries(actions) as [NodeJS.Signals, () => void][]) {
    const h = () => {
      server.logger.debug(`Trapped "${GO_NAMES[sig]}" signal`);
      act();
    };
    process.on(sig, h);
    handlers.push([sig, h]);
  }
  return () => {
    for (const [sig, h] of handlers) process.off(sig, h);
  };
}

/** Go's maybeReadPidFile: the file's contents if it can be read, else the text itself. */
function maybeReadPidFile(s: string): string {
  try {
    return readFileSync(s, "latin1");
  } catch {
    return s;
  }
}

/**
 * Handle `--signal CMD[=PID|PIDFILE]` like nats-server. Returns an error text
 * ("" on success). Without a PID, the single running server with this program
 * name is found from the process table.
 */
export function sendSignalCommand(spec: string, name: string): string {
  const parts = spec.split("=");
  if (parts.length > 2) return `invalid signal parameters: [${parts.slice(2).join(" ")}]`;
  const pidStr = parts.length === 2 ? maybeReadPidFile(parts[1]) : "";
  let pid: number;
  if (pidStr === "") {
    const pids = findServerPids(name);
    if (typeof pids === "string") return pids;
    if (pids.length === 0) return `no ${name} processes running`;
    if (pids.length > 1) return `multiple ${name} processes running:\n${pids.join("\n")}`;
    pid = pids[0];
  } else {
    // strconv.Atoi: optional sign, decimal digits, nothing else.
    if (!/^[+-]?\d+$/.test(pidStr)) return `invalid pid: ${pidStr}`;
    pid = parseInt(pidStr, 10);
  }
  const sig = Object.hasOwn(COMMANDS, parts[0]) ? COMMANDS[parts[0]] : undefined;
  if (!sig) return `unknown signal "${parts[0]}"`;
  try {
    process.kill(pid, sig);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM" ? "operation not permitted" : "no such process";
  }
  return "";
}

/** Strip `.js`/`.mjs`/`.cjs` from a script's file name. */
const programOf = (path: string) => basename(path).replace(/\.(c|m)?js$/, "");

/**
 * PIDs of other processes running this program (`name` itself, or node
 * running a script of that name), from /proc. An error text if the process
 * table cannot be read.
 */
function findServerPids(name: string): number[] | string {
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return "unable to resolve pid, try providing one";
  }
  const pids: number[] = [];
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    const pid = parseInt(e, 10);
    if (pid === process.pid) continue;
    let args: string[];
    try {
      args = readFileSync(`/proc/${e}/cmdline`, "utf8").split("\0");
    } catch {
      continue;
    }
    if (args.length === 0 || args[0] === "") continue;
    let prog = programOf(args[0]);
    if (/^node(js)?(\d+)?$/.test(prog)) {
      // node [node options] script [args]: the script names the program.
      const script = args.slice(1).find((a) => !a.startsWith("-"));
      prog = script ? programOf(script) : "";
    }
    if (prog === name) pids.push(pid);
  }
  return pids.sort((a, b) => a - b);
}
