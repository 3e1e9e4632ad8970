// PID file (-P, pid_file) and ports file (--ports_file_dir, ports_file_dir):
// written once the listener is bound (port -1 shows the real port), shaped
// and named as nats-server's, removed at exit; a restart with the real port
// written into the config works; write failures log nats-server's texts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { RawClient } from "../helpers/raw-client.js";
import { goServerPath } from "../helpers/go-server.js";
import { removeDir, startTsnats, startWithConfig, tempDir, waitFor, writeConfig, runTsnats } from "../helpers/tsnats-process.js";
import { resolveListenUrl } from "../../dist/server/process-files.js";

const T = { timeout: 15000 };

test("-P and --ports_file_dir: real port after bind, nats-server's shape and name, removed at exit", T, async () => {
  const dir = tempDir();
  const pidFile = join(dir, "s.pid");
  const p = await startTsnats(["-a", "127.0.0.1", "-p", "-1", "-P", pidFile, "--ports_file_dir", dir], { dir });
  try {
    const ports = await p.portsFile();
    assert.equal(readFileSync(pidFile, "utf8"), String(p.pid));
    const file = join(dir, `tsnats_${p.pid}.ports`);
    const port = parseInt(ports.nats[0].split(":").pop(), 10);
    assert.ok(port > 0);
    assert.equal(readFileSync(file, "utf8"), JSON.stringify({ nats: [`nats://127.0.0.1:${port}`] }));
    const c = await RawClient.open(port);
    assert.equal(c.info().port, port);
    c.socket.destroy();
    p.child.kill("SIGINT");
    assert.deepEqual(await p.exited, { code: 0, signal: null });
    assert.equal(existsSync(file), false);
    assert.equal(existsSync(pidFile), false);
  } finally {
    await p.kill();
    removeDir(dir);
  }
});

test("nats-server writes the same ports file shape", { ...T, skip: !goServerPath() && "nats-server not installed" }, async () => {
  const dir = tempDir();
  const go = spawn(goServerPath(), ["-a", "127.0.0.1", "-p", "-1", "--ports_file_dir", dir], { stdio: "ignore" });
  try {
    const file = join(dir, `nats-server_${go.pid}.ports`);
    const text = await waitFor(() => existsSync(file) && readFileSync(file, "utf8"), "Go ports file");
    assert.match(text, /^\{"nats":\["nats:\/\/127\.0\.0\.1:\d+"\]\}$/);
  } finally {
    go.kill("SIGKILL");
    removeDir(dir);
  }
});

test("a restart with the real port written back into the config listens on that port", T, async () => {
  const dir = tempDir();
  const p = await startWithConfig(`pid_file: ${JSON.stringify(join(dir, "s.pid"))}\n`, { dir });
  let q;
  try {
    const port = p.port;
    p.child.kill("SIGTERM");
    await p.exited;
    writeConfig(p.confFile, `listen: 127.0.0.1:${port}\npid_file: ${JSON.stringify(join(dir, "s.pid"))}\n`, dir);
    q = await startWithConfig(readFileSync(p.confFile, "utf8"), { dir });
    assert.equal(q.port, port);
    assert.equal(readFileSync(join(dir, "s.pid"), "utf8"), String(q.pid));
    const c = await RawClient.open(port);
    assert.equal(c.info().port, port);
    c.socket.destroy();
  } finally {
    await p.kill();
    await q?.kill();
    removeDir(dir);
  }
});

test("reloading pid_file and ports_file_dir writes the new files and drops the old ports file", T, async () => {
  const dir = tempDir();
  const other = tempDir();
  const p = await startWithConfig("", { dir });
  try {
    const oldPorts = join(dir, `tsnats_${p.pid}.ports`);
    assert.ok(existsSync(oldPorts));
    writeConfig(p.confFile, `ports_file_dir: ${JSON.stringify(other)}\npid_file: ${JSON.stringify(join(other, "new.pid"))}\n`, dir);
    await p.signalAndWait("SIGHUP", "Reloaded server configuration");
    assert.ok(p.lines(`[INF] Reloaded: pid_file = ${join(other, "new.pid")}`).length === 1, p.log);
    assert.ok(p.lines(`[INF] Reloaded: ports_file_dir = ${other}`).length === 1, p.log);
    assert.equal(readFileSync(join(other, "new.pid"), "utf8"), String(p.pid));
    assert.equal(existsSync(oldPorts), false);
    assert.deepEqual(JSON.parse(readFileSync(join(other, `tsnats_${p.pid}.ports`), "utf8")), { nats: [`nats://127.0.0.1:${p.port}`] });
  } finally {
    await p.kill();
    removeDir(dir);
    removeDir(other);
  }
});

test("an unwritable pid file is fatal, an unwritable ports dir is logged, with nats-server's texts", T, async () => {
  const dir = tempDir();
  try {
    const badPid = join(dir, "missing/s.pid");
    const r = await runTsnats(["-a", "127.0.0.1", "-p", "-1", "-P", badPid]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`\\[FTL\\] Could not write pidfile: open ${badPid}: no such file or directory\\n$`));

    const badDir = join(dir, "missing");
    const p = await startTsnats(["-a", "127.0.0.1", "-p", "-1", "--ports_file_dir", badDir], { dir });
    const file = join(badDir, `tsnats_${p.pid}.ports`);
    await p.waitLog(`[ERR] Error writing ports file (${file}): open ${file}: no such file or directory`);
    p.child.kill("SIGINT");
    await p.exited;
    assert.ok(p.lines(`[ERR] Error cleaning up ports file ${file}: remove ${file}: no such file or directory`).length === 1, p.log);
  } finally {
    removeDir(dir);
  }
});

test("wildcard listeners expand to the interface addresses in the ports file", () => {
  const urls = resolveListenUrl("nats://0.0.0.0:4222");
  assert.ok(urls.includes("nats://127.0.0.1:4222"), String(urls));
  assert.ok(urls.every((u) => /^nats:\/\/\d+\.\d+\.\d+\.\d+:4222$/.test(u)));
  const all = resolveListenUrl("nats://[::]:4222");
  assert.ok(all.includes("nats://127.0.0.1:4222") && all.length >= urls.length);
  assert.deepEqual(resolveListenUrl("nats://::1:4222"), ["nats://[::1]:4222"]);
  assert.deepEqual(resolveListenUrl("http://127.0.0.1:8222"), ["http://127.0.0.1:8222"]);
});
