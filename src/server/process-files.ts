// PID file and ports file, named and shaped as nats-server does
// (`<executable>_<pid>.ports` holding JSON of the bound listener URLs, with a
// wildcard listener expanded to every interface address). Written once the
// listeners are bound, so port -1 shows as the real port; removed at exit.

import { join } from "node:path";
import { unlinkSync, writeFileSync } from "node:fs";
import { networkInterfaces } from "node:os";
import { goFsError, programName } from "./logger.js";
import type { Server } from "./server.js";

/** The invoked program name: the script that was run, without .js/.mjs. */
export const executableName = programName;

/** The PID file could not be written: nats-server treats this as fatal. */
export class ProcessFileError extends Error {}

function portsFilePath(dir: string): string {
  return join(dir, `${executableName()}_${process.pid}.ports`);
}

const joinHostPort = (host: string, port: string) => (host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`);

/** Every interface address, IPv4 only for 0.0.0.0 (a Node listener on it is IPv4-only). */
function interfaceAddresses(ipv6Too: boolean): string[] {
  const out: string[] = [];
  for (const addrs of Object.values(networkInterfaces())) {
    for (const a of addrs ?? []) {
      if (a.family === "IPv4" || ipv6Too) out.push(a.address);
    }
  }
  return out;
}

/** `scheme://host:port` with a wildcard host turned into one URL per interface address. */
export function resolveListenUrl(url: string): string[] {
  const m = /^([a-z]+):\/\/(.*):(\d+)$/.exec(url);
  if (!m) return [url];
  const [, scheme, rawHost, port] = m;
  const host = rawHost.replace(/^\[(.*)\]$/, "$1");
  if (host === "0.0.0.0" || host === "" || host === "::") {
    return interfaceAddresses(host === "::").map((a) => `${scheme}://${joinHostPort(a, port)}`);
  }
  return [`${scheme}://${joinHostPort(host, port)}`];
}

/** The ports file's JSON object: listener kind → URLs. */
function portsInfo(server: Server): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [kind, urls] of Object.entries(server.listenUrls())) out[kind] = urls.flatMap(resolveListenUrl);
  return out;
}

export function writePidFile(server: Server): void {
  const file = server.opts.pidFile;
  try {
    writeFileSync(file, String(process.pid), { mode: 0o660 });
  } catch (e) {
    throw new ProcessFileError(`Could not write pidfile: ${goFsError("open", file, e)}`);
  }
}

export function writePortsFile(server: Server, dir = server.opts.portsFileDir): void {
  if (!dir) return;
  const file = portsFilePath(dir);
  try {
    writeFileSync(file, JSON.stringify(portsInfo(server)), { mode: 0o666 });
  } catch (e) {
    server.logger.error(`Error writing ports file (${file}): ${goFsError("open", file, e)}`);
  }
}

export function deletePortsFile(server: Server, dir = server.opts.portsFileDir): void {
  if (!dir) return;
  const file = portsFilePath(dir);
  try {
    unlinkSync(file);
  } catch (e) {
    server.logger.error(`Error cleaning up ports file ${file}: ${goFsError("remove", file, e)}`);
  }
}

/** After the listeners are bound. Throws ProcessFileError when the PID file cannot be written. */
export function writeProcessFiles(server: Server): void {
  if (server.opts.pidFile) writePidFile(server);
  writePortsFile(server);
}

/** At exit: the ports file as nats-server does, and the PID file too. */
export function removeProcessFiles(server: Server): void {
  deletePortsFile(server);
  if (server.opts.pidFile) {
    try {
      unlinkSync(server.opts.pidFile);
    } catch {
      // Already gone: nothing to clean.
    }
  }
}
