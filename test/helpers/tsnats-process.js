// Test helper: run `node bin/tsnats.js ...` as a child process the way an
// operator would: config in a temp dir, `listen: 127.0.0.1:-1` and
// `ports_file_dir` to learn the port, stderr collected for log assertions,
// always killed at the end.
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const BIN = join(ROOT, "bin/tsnats.js");

/** A fresh temp dir, removed by the returned cleanup (also on process exit). */
export function tempDir(prefix = "tsnats-") {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return dir;
}

export function removeDir(dir) {
  rmSync(dir, { recursive: true, force: true });
}

/** Resolve after `ms` milliseconds. */
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Poll `cond()` until truthy; throws `timed out waiting for what` after `ms`. */
export async function waitFor(cond, what = "condition", ms = 3000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await cond();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** Run `node bin/tsnats.js args` to completion; resolves {code, stdout, stderr}. */
export function runTsnats(args, opts = {}) {
  return new Promise((resolvePromise, reject) => {
    const c = spawn(process.execPath, [BIN, ...args], { cwd: opts.cwd ?? ROOT, env: opts.env ?? process.env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    c.stdout.on("data", (d) => (stdout += d));
    c.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => c.kill("SIGKILL"), opts.timeout ?? 5000);
    c.on("error", reject);
    // "close", not "exit": stdout/stderr may still have data after the exit.
    c.on("close", (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr });
    });
  });
}

/**
 * A running tsnats child. `log` is everything it wrote to stderr so far;
 * `waitLog(re)` waits for a line; `exited` resolves {code, signal}.
 */
export class TsnatsProcess {
  constructor(child, dir) {
    this.child = child;
    this.dir = dir;
    this.log = "";
    this.port = 0;
    child.stderr.on("data", (d) => (this.log += d));
    child.stdout.on("data", (d) => (this.log += d));
    this.exitInfo = null;
    // "close" comes after the exit once stdout/stderr are drained, so `log` is complete.
    this.exited = new Promise((r) =>
      child.on("close", (code, signal) => {
        this.exitInfo = { code, signal };
        r(this.exitInfo);
      }),
    );
  }

  get pid() {
    return this.child.pid;
  }

  /** Lines of the log matching `re` (a RegExp or a substring). */
  lines(re) {
    return this.log.split("\n").filter((l) => (typeof re === "string" ? l.includes(re) : re.test(l)));
  }

  /** Wait until the log has a line matching `re`; returns that line. */
  async waitLog(re, ms = 3000, after = 0) {
    return waitFor(() => this.log.slice(after).split("\n").find((l) => (typeof re === "string" ? l.includes(re) : re.test(l))), `log line ${re}`, ms);
  }

  /** Send a signal and wait for a log line matching `re` that appears after it. */
  async signalAndWait(sig, re, ms = 3000) {
    const mark = this.log.length;
    this.child.kill(sig);
    return this.waitLog(re, ms, mark);
  }

  /** The ports file's JSON once written (needs ports_file_dir = this.dir). */
  async portsFile(dir = this.dir) {
    const name = `tsnats_${this.pid}.ports`;
    return waitFor(
      () => {
        try {
          return JSON.parse(readFileSync(join(dir, name), "utf8"));
        } catch {
          return null;
        }
      },
      "ports file",
      5000,
    );
  }

  /** Kill (SIGKILL) unless already exited. */
  async kill() {
    if (!this.exitInfo) {
      this.child.kill("SIGKILL");
      await this.exited;
    }
  }
}

/** Start `node bin/tsnats.js args` in `cwd`; resolves once "Server is ready" is logged (or it exits). */
export async function startTsnats(args, { dir = ROOT, cwd = dir, env = process.env, ready = true } = {}) {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
  const p = new TsnatsProcess(child, dir);
  if (ready) {
    try {
      await Promise.race([
        p.waitLog("Server is ready", 20000),
        p.exited.then((e) => {
          throw new Error(`tsnats exited (${e.code ?? e.signal}) before ready:\n${p.log}`);
        }),
      ]);
    } catch (e) {
      await p.kill();
      throw e;
    }
  }
  return p;
}

/** A fresh store directory and run directory, added to `dirs` (the test removes those). */
export function jetStreamDirs(dirs) {
  const storeDir = tempDir("tsnats-js-");
  const runDir = tempDir("tsnats-run-");
  dirs.push(storeDir, runDir);
  return { storeDir, runDir };
}

/** `tsnats -js -sd storeDir` on a random port, its ports file in `runDir`; resolves {p, url}. */
export async function startJetStreamProcess(storeDir, runDir) {
  const p = await startTsnats(["-js", "-sd", storeDir, "-a", "127.0.0.1", "-p", "-1", "--ports_file_dir", runDir], { dir: runDir });
  const ports = await p.portsFile();
  return { p, url: ports.nats[0].replace("0.0.0.0", "127.0.0.1") };
}

/**
 * Write `conf` (plus `listen: 127.0.0.1:-1` and `ports_file_dir` unless the
 * text sets them) to dir/server.conf, start `tsnats -c` on it, and learn the
 * bound client port from the ports file.
 */
export async function startWithConfig(conf, { dir = tempDir(), args = [], env } = {}) {
  const file = join(dir, "server.conf");
  writeConfig(file, conf, dir);
  // With log_file the "ready" line goes to the file: the ports file tells instead.
  const p = await startTsnats(["-c", file, ...args], { dir, env, ready: false });
  p.confFile = file;
  try {
    const ports = await Promise.race([
      p.portsFile(),
      p.exited.then((e) => {
        throw new Error(`tsnats exited (${e.code ?? e.signal}) before writing its ports file:\n${p.log}`);
      }),
    ]);
    p.port = parseInt(ports.nats[0].split(":").pop(), 10);
  } catch (e) {
    await p.kill();
    throw e;
  }
  return p;
}

/** Write a config file, adding the test defaults (127.0.0.1, random port, ports file in dir). */
export function writeConfig(file, conf, dir) {
  let text = conf;
  if (!/^\s*(listen|port)\s*[:=\s]/m.test(text)) text = `listen: 127.0.0.1:-1\n${text}`;
  if (!/^\s*ports_file_dir\s*[:=\s]/m.test(text)) text = `ports_file_dir: ${JSON.stringify(dir)}\n${text}`;
  writeFileSync(file, text);
}

/** Names of files in `dir` matching `re`. */
export function filesIn(dir, re) {
  return readdirSync(dir).filter((f) => re.test(f));
}
