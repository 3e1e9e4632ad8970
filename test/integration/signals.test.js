// Signals to a running tsnats and `tsnats --signal CMD=PID|PIDFILE`:
// quit/term shut down gracefully (pending output flushed, exit 0 / 1 as
// nats-server), reopen and reload act, and the error texts are nats-server's.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { execFile } from "node:child_process";
import { join } from "node:path";
import { RawClient } from "../helpers/raw-client.js";
import { goServerPath } from "../helpers/go-server.js";
import { removeDir, runTsnats, startTsnats, startWithConfig, tempDir, waitFor } from "../helpers/tsnats-process.js";

const T = { timeout: 15000 };

/** A PID no process can have (above the kernel's pid_max). */
function impossiblePid() {
  try {
    return parseInt(readFileSync("/proc/sys/kernel/pid_max", "utf8"), 10) + 1;
  } catch {
    return 2 ** 22 + 1;
  }
}

test("--signal reload|reopen|quit=PIDFILE and =PID drive a running server; quit exits 0 and removes its files", T, async () => {
  const dir = tempDir();
  const pidFile = join(dir, "tsnats.pid");
  const p = await startWithConfig(`pid_file: ${JSON.stringify(pidFile)}\nlog_file: ${JSON.stringify(join(dir, "t.log"))}\n`, { dir });
  try {
    assert.equal(readFileSync(pidFile, "utf8"), String(p.pid));
    const log = () => readFileSync(join(dir, "t.log"), "utf8");

    let r = await runTsnats(["--signal", `reload=${pidFile}`]);
    assert.deepEqual([r.code, r.stderr], [0, ""]);
    await waitFor(() => log().includes("[INF] Reloaded server configuration"), "reload");

    r = await runTsnats(["-sl", `reopen=${p.pid}`]);
    assert.deepEqual([r.code, r.stderr], [0, ""]);
    await waitFor(() => log().includes("[INF] File log re-opened"), "reopen");

    r = await runTsnats(["--signal", `quit=${pidFile}`]);
    assert.deepEqual([r.code, r.stderr], [0, ""]);
    assert.deepEqual(await p.exited, { code: 0, signal: null });
    assert.match(log(), /\[INF\] Initiating Shutdown\.\.\.\r?\n.*\[INF\] Server Exiting\.\.\n$/);
    assert.equal(existsSync(pidFile), false);
    assert.equal(existsSync(join(dir, `tsnats_${p.pid}.ports`)), false);
  } finally {
    await p.kill();
    removeDir(dir);
  }
});

test("--signal term: graceful shutdown with exit status 1, as nats-server; stop kills", T, async () => {
  const dir = tempDir();
  const a = await startTsnats(["-a", "127.0.0.1", "-p", "-1", "-D"], { dir });
  const b = await startTsnats(["-a", "127.0.0.1", "-p", "-1"], { dir });
  try {
    let r = await runTsnats(["--signal", `term=${a.pid}`]);
    assert.equal(r.code, 0);
    assert.deepEqual(await a.exited, { code: 1, signal: null });
    assert.ok(a.lines('[DBG] Trapped "terminated" signal').length === 1, a.log);
    assert.ok(a.lines("[INF] Server Exiting..").length === 1, a.log);

    r = await runTsnats(["--signal", `stop=${b.pid}`]);
    assert.equal(r.code, 0);
    assert.deepEqual(await b.exited, { code: null, signal: "SIGKILL" });
  } finally {
    await a.kill();
    await b.kill();
    removeDir(dir);
  }
});

test("--signal errors have nats-server's texts and exit status 1", T, async () => {
  const dir = tempDir();
  try {
    const dead = impossiblePid();
    writeFileSync(join(dir, "bad.pid"), "12ab");
    writeFileSync(join(dir, "dead.pid"), String(dead));
    const cases = [
      [`foo=${dead}`, 'unknown signal "foo"'],
      [`RELOAD=${dead}`, 'unknown signal "RELOAD"'],
      ["reload=abc", "invalid pid: abc"],
      [`reload=${join(dir, "missing.pid")}`, `invalid pid: ${join(dir, "missing.pid")}`],
      [`reload=${join(dir, "bad.pid")}`, "invalid pid: 12ab"],
      ["reload=1=2=3", "invalid signal parameters: [2 3]"],
      [`reload=${dead}`, "no such process"],
      [`ldm=${join(dir, "dead.pid")}`, "no such process"],
    ];
    await Promise.all(
      cases.map(async ([arg, msg]) => {
        const r = await runTsnats(["--signal", arg]);
        assert.deepEqual([r.code, r.stderr], [1, `tsnats: ${msg}\n`], arg);
        if (goServerPath()) {
          const goErr = await new Promise((r) => execFile(goServerPath(), ["--signal", arg], (_e, _out, err) => r(err)));
          assert.equal(goErr, `nats-server: ${msg}\n`, `nats-server --signal ${arg}`);
        }
      }),
    );
  } finally {
    removeDir(dir);
  }
});

test("SIGINT/SIGTERM flush pending output before closing clients", T, async () => {
  for (const [sig, code] of [
    ["SIGINT", 0],
    ["SIGTERM", 1],
  ]) {
    const dir = tempDir();
    const p = await startTsnats(["-a", "127.0.0.1", "-p", "-1", "--ports_file_dir", dir], { dir });
    try {
      const ports = await p.portsFile();
      const port = parseInt(ports.nats[0].split(":").pop(), 10);
      const sub = await RawClient.open(port);
      sub.send('CONNECT {"verbose":false}\r\nSUB big 1\r\n');
      await sub.ping();
      // Stop reading: what the server sends now piles up in its buffers.
      sub.socket.pause();
      const pub = await RawClient.open(port);
      const n = 256;
      const payload = "x".repeat(32 * 1024);
      let batch = 'CONNECT {"verbose":false}\r\n';
      for (let i = 0; i < n; i++) batch += `PUB big ${payload.length}\r\n${payload}\r\n`;
      pub.send(batch);
      await pub.ping(5000);
      p.child.kill(sig);
      await waitFor(() => p.log.includes("Initiating Shutdown"), "shutdown start");
      sub.socket.resume();
      await sub.waitClosed(5000);
      assert.equal(sub.count("MSG big 1 32768\r\n"), n, `${sig}: every queued message arrives before the close`);
      assert.deepEqual(await p.exited, { code, signal: null });
    } finally {
      await p.kill();
      removeDir(dir);
    }
  }
});

test("--signal without a PID finds the running tsnats processes (several: nats-server's error, nothing sent)", T, async () => {
  const dir = tempDir();
  const a = await startTsnats(["-a", "127.0.0.1", "-p", "-1"], { dir });
  const b = await startTsnats(["-a", "127.0.0.1", "-p", "-1"], { dir });
  try {
    // An unknown command: even if only one server were found, no signal is sent.
    const r = await runTsnats(["--signal", "foo"]);
    assert.equal(r.code, 1);
    const [first, ...pids] = r.stderr.trimEnd().split("\n");
    assert.equal(first, "tsnats: multiple tsnats processes running:");
    assert.ok(pids.includes(String(a.pid)) && pids.includes(String(b.pid)), r.stderr);
    assert.equal(a.exitInfo, null);
    assert.equal(b.exitInfo, null);
  } finally {
    await a.kill();
    await b.kill();
    removeDir(dir);
  }
});
