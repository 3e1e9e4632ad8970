// Test helper for the real-client interop tests (test/interop/clients-*.test.js):
// builds the scenario programs of test/interop/clients/ with the C client
// library (gcc -lnats) or nats.go (go build, Debian's GOPATH), cached by
// source hash under the temp dir; starts the Go nats-server and tsnats on the
// same configuration file, each on its own fixed port so a restart comes back
// where the client reconnects; runs a program and answers its "@restart" and
// "@ldm" requests; splits transcripts into "== section" pieces.
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { goServerPath, freePort } from "./go-server.js";
import { startTsnats, tempDir, removeDir } from "./tsnats-process.js";
import { before, after } from "node:test";
import { createUser } from "@nats-io/nkeys";
import { makeCerts, removeCerts } from "./certs.js";

const PROGRAMS = resolve(dirname(fileURLToPath(import.meta.url)), "../interop/clients");
const GOPATH = "/usr/share/gocode";

function runs(cmd, args) {
  try {
    return spawnSync(cmd, args, { stdio: "ignore" }).status === 0;
  } catch {
    return false;
  }
}

/** Why the C client tests cannot run, or false. */
export function cClientMissing() {
  if (!goServerPath()) return "nats-server is not installed";
  if (!runs("gcc", ["--version"])) return "gcc is not installed";
  if (!existsSync("/usr/include/nats/nats.h")) return "libnats-dev is not installed";
  return false;
}

/** Why the nats.go tests cannot run, or false. */
export function goClientMissing() {
  if (!goServerPath()) return "nats-server is not installed";
  if (!runs("go", ["version"])) return "go is not installed";
  if (!existsSync(join(GOPATH, "src/github.com/nats-io/nats.go/nats.go"))) return "golang-github-nats-io-go-nats-dev is not installed";
  if (!existsSync(join(GOPATH, "src/github.com/nats-io/nkeys"))) return "golang-github-nats-io-nkeys-dev is not installed";
  return false;
}

function cacheDir(source) {
  const hash = createHash("sha256").update(readFileSync(source)).digest("hex").slice(0, 16);
  const dir = join(tmpdir(), `tsnats-clients-${hash}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

function build(cmd, args, env) {
  const r = spawnSync(cmd, args, { encoding: "utf8", env: { ...process.env, ...env }, timeout: 240_000 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed:\n${r.stdout}${r.stderr}${r.error ?? ""}`);
}

/** Path of the built nats.go scenario program `file` of test/interop/clients (built once per source version). */
export function buildGoClient(file = "go-client.go") {
  const source = join(PROGRAMS, file);
  const dir = cacheDir(source);
  const bin = join(dir, file.replace(/\.go$/, ""));
  if (!existsSync(bin)) {
    // Test files build in parallel: each into its own file, then renamed.
    const tmp = `${bin}.${process.pid}.tmp`;
    build("go", ["build", "-o", tmp, source], { GO111MODULE: "off", GOPATH, GOCACHE: join(dir, "gocache"), GOFLAGS: "" });
    renameSync(tmp, bin);
  }
  return bin;
}

/** Path of the built C client scenario program `file` of test/interop/clients. */
export function buildCClient(file = "c-client.c") {
  const source = join(PROGRAMS, file);
  const dir = cacheDir(source);
  const bin = join(dir, file.replace(/\.c$/, ""));
  if (!existsSync(bin)) {
    const tmp = `${bin}.${process.pid}.tmp`;
    build("gcc", ["-O1", "-Wall", "-o", tmp, source, "-lnats", "-lpthread"]);
    renameSync(tmp, bin);
  }
  return bin;
}

/** A server of either kind on a fixed port: restart() brings it back there, lameDuck() sends SIGUSR2. */
class ServerProcess {
  constructor(kind, confFile) {
    this.kind = kind;
    this.confFile = confFile;
    this.proc = null;
    this.log = "";
  }

  async start() {
    if (this.kind === "go") {
      const proc = spawn(goServerPath(), ["-c", this.confFile], { stdio: ["ignore", "pipe", "pipe"] });
      proc.stdout.on("data", (d) => (this.log += d));
      proc.stderr.on("data", (d) => (this.log += d));
      this.exited = new Promise((r) => proc.once("exit", r));
      this.proc = proc;
      const deadline = Date.now() + 5000;
      while (!this.log.includes("Server is ready")) {
        if (Date.now() > deadline || proc.exitCode !== null) throw new Error(`nats-server did not start:\n${this.log}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    } else {
      const p = await startTsnats(["-c", this.confFile], { dir: dirname(this.confFile) });
      this.proc = p.child;
      this.exited = p.exited;
      this.tsnats = p;
    }
  }

  get output() {
    return this.kind === "go" ? this.log : this.tsnats.log;
  }

  async stop() {
    if (this.proc && this.proc.exitCode === null && this.proc.signalCode === null) {
      this.proc.kill("SIGKILL");
      await this.exited;
    }
  }

  async restart() {
    await this.stop();
    await this.start();
  }

  lameDuck() {
    this.proc.kill("SIGUSR2");
  }
}

/**
 * Start the Go nats-server and tsnats, each with `conf` (text, or a function
 * of a second free port for another listener) written to `dir`. Resolves to
 * { go, ts, stop() }, where go/ts have { port, extraPort, server }.
 */
export async function startPair(dir, name, conf) {
  const out = {};
  for (const kind of ["go", "ts"]) {
    const port = await freePort();
    const extraPort = typeof conf === "function" ? await freePort() : 0;
    const file = join(dir, `${name}-${kind}.conf`);
    writeFileSync(file, `listen: "127.0.0.1:${port}"\n${typeof conf === "function" ? conf(extraPort) : conf}\n`);
    const server = new ServerProcess(kind, file);
    out[kind] = { port, extraPort, server };
    try {
      await server.start();
    } catch (e) {
      await out.go.server.stop();
      throw e;
    }
  }
  out.stop = async () => {
    await out.go.server.stop();
    await out.ts.server.stop();
  };
  return out;
}

/** Run `bin group url ...args`; resolves to its stdout. "@restart"/"@ldm" lines act on `server`. */
export function runClient(bin, args, server, { timeoutMs = 40_000 } = {}) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(bin, args, { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let seen = 0;
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.stdout.on("data", (d) => {
      stdout += d;
      const lines = stdout.split("\n");
      for (; seen < lines.length - 1; seen++) {
        if (lines[seen] === "@restart") server.restart().catch(reject);
        if (lines[seen] === "@ldm") server.lameDuck();
      }
    });
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (code !== 0) reject(new Error(`${bin} ${args.join(" ")} exited ${code ?? signal}:\n${stdout}\n${stderr}`));
      else resolvePromise(stdout);
    });
  });
}

/** Map of section name → its lines, in transcript order. */
export function sections(transcript) {
  const out = new Map();
  let current = null;
  for (const line of transcript.split("\n")) {
    const m = /^== (.*)$/.exec(line);
    if (m) {
      current = [];
      out.set(m[1], current);
    } else if (current && line !== "") current.push(line);
  }
  return out;
}

/**
 * Run scenario `group` of `bin` against both servers of `pair` at once and
 * check, section by section, that tsnats' transcript is the Go server's;
 * `extraPort` connects to the second listener's port (see startPair);
 * `expect[section]` lists lines the Go transcript must hold, so a scenario
 * that silently stopped testing anything fails too.
 */
export async function compareGroup(t, bin, group, pair, { args = [], scheme = "nats", extraPort = false, expect = {} } = {}) {
  const url = (side) => `${scheme}://127.0.0.1:${extraPort ? side.extraPort : side.port}`;
  const [goOut, tsOut] = await Promise.all(["go", "ts"].map((k) => runClient(bin, [group, url(pair[k]), ...args], pair[k].server)));
  const goSections = sections(goOut);
  const tsSections = sections(tsOut);
  for (const [name, goLines] of goSections) {
    if (name === "done") continue;
    await t.test(name, () => {
      for (const line of expect[name] ?? []) {
        if (!goLines.includes(line)) throw new Error(`the Go server's transcript of ${name} lacks ${JSON.stringify(line)}:\n${goLines.join("\n")}`);
      }
      const tsLines = tsSections.get(name);
      if (JSON.stringify(tsLines) !== JSON.stringify(goLines)) {
        throw new Error(`${group}/${name} differs\n--- nats-server\n${goLines.join("\n")}\n--- tsnats\n${(tsLines ?? ["(missing)"]).join("\n")}`);
      }
    });
  }
  if (!goSections.has("done") || !tsSections.has("done")) throw new Error(`a ${group} run did not finish:\n--- nats-server\n${goOut}\n--- tsnats\n${tsOut}`);
}

/**
 * The fixture both client suites share, registered on the enclosing
 * describe(): the built program, a temp dir holding an nkey seed file, and
 * group(t, name, conf, opts), which runs one scenario group on a fresh pair
 * of servers and compares the transcripts.
 */
export function clientSuite(build, dirPrefix) {
  const suite = { bin: "", dir: "", nkey: { pub: "", seedFile: "" } };
  before(() => {
    suite.bin = build();
    suite.dir = tempDir(dirPrefix);
    const kp = createUser();
    suite.nkey = { pub: kp.getPublicKey(), seedFile: join(suite.dir, "user.nk") };
    writeFileSync(suite.nkey.seedFile, new TextDecoder().decode(kp.getSeed()) + "\n");
  });
  after(() => removeDir(suite.dir));
  suite.group = async (t, name, conf, opts) => {
    const pair = await startPair(suite.dir, name, conf);
    try {
      await compareGroup(t, suite.bin, name, pair, opts);
    } finally {
      await pair.stop();
    }
  };
  return suite;
}

/**
 * The TLS groups both client suites run (`confs`: their server configs):
 * `verify`, and `verify_and_map`,
 * where a mapped user's denied publish shows as `mappedDenied` (each client
 * words the permissions error its own way).
 */
export async function tlsGroups(t, group, confs, mappedDenied) {
  const certs = makeCerts();
  const args = [`ca=${certs.ca}`, `cert=${certs.client.cert}`, `key=${certs.client.key}`, `other-cert=${certs.otherClient.cert}`, `other-key=${certs.otherClient.key}`];
  try {
    await t.test("verify", (t) => group(t, "tls", confs.tlsVerify(certs), { scheme: "tls", args, expect: { tls: ['  msg t "secure" reply=false'] } }));
    await t.test("verify_and_map", (t) => group(t, "tls", confs.tls(certs), { scheme: "tls", args, expect: { tls: ['  msg t "secure" reply=false', mappedDenied] } }));
  } finally {
    removeCerts(certs);
  }
}
