// Process signals: what a running server does on SIGINT/SIGTERM/SIGHUP/
// SIGUSR1/SIGUSR2, and `--signal CMD[=PID|PIDFILE]`, which finds a running
// server and sends it the matching signal, as nats-server does. It does not
// itself reload or shut down anything: it calls the server's operations.

import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import type { Server } from "./server.js";

const COMMANDS: Record<string, NodeJS.Signals> = {
  stop: "SIGKILL",
  quit: "SIGINT",
  term: "SIGTERM",
  reopen: "SIGUSR1",
  reload: "SIGHUP",
  ldm: "SIGUSR2",
};

export function installSignalHandlers(server: Server, reload: () => void): void {
  const stop = () => void server.shutdown();
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  process.on("SIGHUP", reload);
  process.on("SIGUSR1", () => {
    server.logger.reopen();
    server.logger.notice("Reopened log file");
  });
  process.on("SIGUSR2", () => void server.enterLameDuckMode());
}

/**
 * Handle `--signal CMD[=PID|PIDFILE]`. Returns an error text ("" on success).
 * Without a PID, the single running tsnats process is found by its command line.
 */
export function sendSignalCommand(spec: string, name: string): string {
  const eq = spec.indexOf("=");
  const cmd = eq < 0 ? spec : spec.slice(0, eq);
  const target = eq < 0 ? "" : spec.slice(eq + 1);
  const sig = COMMANDS[cmd.toLowerCase()];
  if (!sig) return `${name}: unknown signal "${cmd}"`;
  let pid: number;
  if (target === "") {
    const pids = findServerPids();
    if (pids.length === 0) return `${name}: no ${name} processes running`;
    if (pids.length > 1) return `${name}: multiple ${name} processes running:\n${pids.join("\n")}`;
    pid = pids[0];
  } else if (/^\d+$/.test(target)) {
    pid = parseInt(target, 10);
  } else {
    try {
      pid = parseInt(readFileSync(target, "utf8").trim(), 10);
    } catch {
      return `${name}: invalid pid: ${target}`;
    }
    if (!Number.isFinite(pid)) return `${name}: invalid pid: ${target}`;
  }
  try {
    process.kill(pid, sig);
  } catch {
    return `${name}: no such process`;
  }
  return "";
}

/** PIDs of other processes running this program's bins. */
function findServerPids(): number[] {
  let out = "";
  try {
    out = execFileSync("pgrep", ["-f", "bin/(tsnats|nats-server)(\\.js)?( |$)"], { encoding: "utf8" });
  } catch {
    return [];
  }
  return out
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => parseInt(l, 10))
    .filter((p) => p !== process.pid);
}
