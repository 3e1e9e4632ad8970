// Test helper: run a server binary (nats-server or bin/tsnats.js) with a
// config file and collect its exit code and output; for startup errors,
// which happen before anything listens. Killed after 5 s.
import { spawn } from "node:child_process";

/** Run `cmd args -c file` on 127.0.0.1 with a random port; resolves {code, stderr} (stdout included). */
export function runWithConfig(cmd, args, file) {
  return new Promise((resolve) => {
    const p = spawn(cmd, [...args, "-c", file, "-a", "127.0.0.1", "-p", "-1"], { stdio: ["ignore", "pipe", "pipe"] });
    let err = "";
    p.stderr.on("data", (d) => (err += d));
    p.stdout.on("data", (d) => (err += d));
    const t = setTimeout(() => p.kill("SIGKILL"), 5000);
    p.on("close", (code) => {
      clearTimeout(t);
      resolve({ code, stderr: err });
    });
  });
}
