// Lame duck mode (SIGUSR2, `--signal ldm`): stop accepting, INFO with
// "ldm": true to connected clients (nats.js reports an "ldm" status), wait
// lame_duck_grace_period, close the clients spread over lame_duck_duration,
// exit. Short durations come through the embedding options (config files
// require lame_duck_duration >= 30s, as nats-server does).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { connect as tcpConnect } from "node:net";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { connect } from "@nats-io/transport-node";
import { RawClient } from "../helpers/raw-client.js";
import { goServerPath } from "../helpers/go-server.js";
import { ROOT, TsnatsProcess, removeDir, runTsnats, startWithConfig, tempDir, waitFor, sleep } from "../helpers/tsnats-process.js";

const T = { timeout: 15000 };
const dist = (f) => JSON.stringify(pathToFileURL(join(ROOT, "dist", f)).href);

/** A child process embedding tsnats with `opts` and the CLI's signal handling; logs to stderr. */
async function startEmbedded(opts) {
  const code = `
    import { NatsServer } from ${dist("index.js")};
    import { installSignalHandlers } from ${dist("server/signals.js")};
    const s = await NatsServer.start(JSON.parse(process.argv[1]));
    installSignalHandlers(s.server, () => {});
    process.stdout.write("PORT " + s.port + "\\n");
    await s.done();
    process.exit(0);`;
  const options = { host: "127.0.0.1", port: 0, quiet: false, ...opts };
  const child = spawn(process.execPath, ["--input-type=module", "-e", code, "--", JSON.stringify(options)], { stdio: ["ignore", "pipe", "pipe"] });
  const p = new TsnatsProcess(child, "");
  const line = await Promise.race([
    waitFor(() => /PORT (\d+)/.exec(p.log), "embedded server", 5000),
    p.exited.then(() => {
      throw new Error(`embedded server exited:\n${p.log}`);
    }),
  ]);
  p.port = parseInt(line[1], 10);
  return p;
}

/** A nats.js connection that records its status events and when it closed. */
async function watchedClient(port) {
  const nc = await connect({ servers: `127.0.0.1:${port}`, reconnect: false });
  const w = { nc, events: [], closedAt: 0 };
  (async () => {
    for await (const s of nc.status()) w.events.push({ type: s.type, at: Date.now() });
  })();
  nc.closed().then(() => (w.closedAt = Date.now()));
  return w;
}

const refused = (port) =>
  new Promise((resolve) => {
    const s = tcpConnect({ port, host: "127.0.0.1" });
    s.on("connect", () => {
      s.destroy();
      resolve(false);
    });
    s.on("error", (e) => resolve(e.code === "ECONNREFUSED"));
  });

test("SIGUSR2: clients see ldm, new connections are refused, clients close after the grace period, exit within duration + grace", T, async () => {
  const grace = 300;
  const duration = 1200;
  const p = await startEmbedded({ lameDuckGracePeriod: grace, lameDuckDuration: duration, debug: true });
  try {
    const clients = await Promise.all([1, 2, 3].map(() => watchedClient(p.port)));
    // A protocol-0 client gets no async INFO, as with nats-server.
    const old = await RawClient.open(p.port);
    old.send('CONNECT {"verbose":false,"protocol":0}\r\n');
    await old.ping();
    const t0 = Date.now();
    p.child.kill("SIGUSR2");
    await waitFor(() => clients.every((c) => c.events.some((e) => e.type === "ldm")), "ldm status on every client", 1000);
    for (const c of clients) assert.ok(c.events.find((e) => e.type === "ldm").at - t0 < grace, "ldm before the grace period ends");
    assert.equal(await refused(p.port), true, "listener closed");
    assert.equal(old.data.includes('"ldm":true'), false);

    const exit = await p.exited;
    const elapsed = Date.now() - t0;
    assert.deepEqual(exit, { code: 0, signal: null });
    assert.ok(elapsed < duration + grace + 500, `exited after ${elapsed}ms`);
    await waitFor(() => clients.every((c) => c.closedAt > 0), "clients closed");
    for (const c of clients) assert.ok(c.closedAt - t0 >= grace - 20, `closed ${c.closedAt - t0}ms after the signal, grace ${grace}`);
    // Spread over the rest of the duration: not all at once.
    const times = clients.map((c) => c.closedAt).sort((a, b) => a - b);
    assert.ok(times[times.length - 1] - times[0] >= 100, `closes spread: ${times.map((t) => t - t0)}`);
    const order = ["Entering lame duck mode, stop accepting new clients", "Closing existing clients", "Initiating Shutdown...", "Server Exiting.."];
    const at = order.map((m) => p.log.indexOf(`[INF] ${m}`));
    assert.ok(at.every((i, k) => i >= 0 && (k === 0 || i > at[k - 1])), p.log);
    assert.ok(p.log.includes('[DBG] Trapped "user defined signal 2" signal'));
  } finally {
    await p.kill();
  }
});

test("during lame duck mode SIGTERM is ignored and SIGINT exits at once", T, async () => {
  const p = await startEmbedded({ lameDuckGracePeriod: 2000, lameDuckDuration: 4000 });
  try {
    const c = await watchedClient(p.port);
    p.child.kill("SIGUSR2");
    await waitFor(() => c.events.some((e) => e.type === "ldm"), "ldm");
    p.child.kill("SIGTERM");
    await sleep(300);
    assert.equal(p.exitInfo, null, "still running after SIGTERM");
    const t0 = Date.now();
    p.child.kill("SIGINT");
    assert.deepEqual(await p.exited, { code: 0, signal: null });
    assert.ok(Date.now() - t0 < 1000);
  } finally {
    await p.kill();
  }
});

test("lame duck mode without clients shuts down at once", T, async () => {
  const p = await startEmbedded({ lameDuckGracePeriod: 5000, lameDuckDuration: 10000 });
  try {
    const t0 = Date.now();
    p.child.kill("SIGUSR2");
    assert.deepEqual(await p.exited, { code: 0, signal: null });
    assert.ok(Date.now() - t0 < 1000);
    assert.match(p.log, /\[INF\] Entering lame duck mode, stop accepting new clients\n.*\[INF\] Initiating Shutdown\.\.\./);
  } finally {
    await p.kill();
  }
});

test("tsnats --signal ldm=PIDFILE with lame duck settings from the config file", T, async () => {
  const dir = tempDir();
  const pidFile = join(dir, "s.pid");
  const p = await startWithConfig(`pid_file: ${JSON.stringify(pidFile)}\nlame_duck_duration: "30s"\nlame_duck_grace_period: "400ms"\n`, { dir });
  try {
    const c = await watchedClient(p.port);
    const t0 = Date.now();
    const r = await runTsnats(["--signal", `ldm=${pidFile}`]);
    assert.equal(r.code, 0, r.stderr);
    await waitFor(() => c.events.some((e) => e.type === "ldm"), "ldm");
    // One client: closed right after the grace period, then the server exits.
    assert.deepEqual(await p.exited, { code: 0, signal: null });
    assert.ok(c.closedAt === 0 || c.closedAt - t0 >= 350);
    assert.ok(Date.now() - t0 < 2500);
  } finally {
    await p.kill();
    removeDir(dir);
  }
});

test("a grace period not below the duration is refused at startup with nats-server's message", T, async () => {
  const dir = tempDir();
  try {
    const file = join(dir, "c.conf");
    await import("node:fs").then((fs) => fs.writeFileSync(file, 'listen: 127.0.0.1:-1\nlame_duck_duration: "30s"\nlame_duck_grace_period: "40s"\n'));
    const r = await runTsnats(["-c", file]);
    const msg = "lame duck grace period (40s) should be strictly lower than lame duck duration (30s)";
    assert.deepEqual([r.code, r.stderr], [1, `tsnats: ${msg}\n`]);
    if (goServerPath()) {
      const go = await new Promise((res) => {
        const c = spawn(goServerPath(), ["-c", file], { stdio: ["ignore", "ignore", "pipe"] });
        let err = "";
        c.stderr.on("data", (d) => (err += d));
        c.on("close", (code) => res([code, err]));
      });
      assert.deepEqual(go, [1, `nats-server: ${msg}\n`]);
    }
  } finally {
    removeDir(dir);
  }
});
