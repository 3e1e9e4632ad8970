// PID file and ports file, written after the listeners are bound and removed
// at exit, named and shaped as nats-server does (<executable>_<pid>.ports).

import { basename, join } from "node:path";
import { unlinkSync, writeFileSync } from "node:fs";
import type { Server } from "./server.js";

/** The invoked program name: the script that was run, without .js/.mjs. */
export function executableName(): string {
  const script = process.argv[1] ? basename(process.argv[1]) : "tsnats";
  return script.replace(/\.(c|m)?js$/, "") || "tsnats";
}

function portsFilePath(server: Server): string {
  return join(server.opts.portsFileDir, `${executableName()}_${process.pid}.ports`);
}

export function writeProcessFiles(server: Server): void {
  if (server.opts.pidFile) writeFileSync(server.opts.pidFile, String(process.pid));
  if (server.opts.portsFileDir) writeFileSync(portsFilePath(server), JSON.stringify(server.listenUrls()));
}

export function removeProcessFiles(server: Server): void {
  const remove = (p: string) => {
    try {
      unlinkSync(p);
    } catch {
      // Already gone: nothing to clean.
    }
  };
  if (server.opts.pidFile) remove(server.opts.pidFile);
  if (server.opts.portsFileDir) remove(portsFilePath(server));
}
