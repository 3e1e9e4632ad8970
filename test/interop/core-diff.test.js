// Differential core-protocol check: the same raw protocol scripts run
// against the Go nats-server (the reference) and tsnats; what each
// connection receives (INFO reduced to its key set) and whether the server
// closed it must be identical. Skipped when nats-server is not on PATH.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { RawClient } from "../helpers/raw-client.js";
import { startServer, sleep } from "../helpers/server.js";
import { goServerPath, startGoServer } from "../helpers/go-server.js";

const OFF = `CONNECT {"verbose":false,"pedantic":false}\r\n`;
const HDRS = `CONNECT {"verbose":false,"pedantic":false,"headers":true}\r\n`;
const longSubject = (n) => "a".repeat(n);

/**
 * A script: steps run in order; each step is [conn, bytes, stepOpts?].
 * A connection is opened (and its INFO awaited) when first used. After a
 * step the connection is synced with a PING (unless `nosync`) so output is
 * complete before the next step; `wait` sleeps instead. `norm` rewrites each
 * connection's output before comparing (for legitimately random parts).
 * `go`/`ts`: config text for nats-server and Options for tsnats (own servers).
 */
const SCRIPTS = [
  { name: "connect + ping (verbose off)", steps: [[0, OFF + "PING\r\n"]] },
  { name: "defaults before CONNECT are verbose (+OK after SUB/PUB/UNSUB)", steps: [[0, "SUB foo 1\r\nPUB foo 2\r\nhi\r\nUNSUB 1\r\n"]] },
  { name: "CONNECT {} keeps the verbose/pedantic defaults", steps: [[0, "CONNECT {}\r\nSUB foo 1\r\nPUB foo.* 0\r\n\r\n"]] },
  { name: "verbose: +OK for CONNECT, SUB, PUB, UNSUB, dup SUB", steps: [[0, `CONNECT {"verbose":true,"pedantic":false}\r\nSUB foo 1\r\nSUB foo 1\r\nPUB foo 2\r\nhi\r\nUNSUB 1\r\nUNSUB 99\r\n`]] },
  { name: "second CONNECT keeps earlier fields", steps: [[0, `CONNECT {"verbose":false,"pedantic":false}\r\nCONNECT {"name":"x"}\r\nSUB foo 1\r\n`]] },
  {
    name: "pedantic: Invalid Publish Subject, message still delivered",
    steps: [[0, `CONNECT {"verbose":false,"pedantic":true}\r\nSUB > 1\r\nPUB foo.* 2\r\nhi\r\nPUB foo..bar 0\r\n\r\nPUB foo.> 0\r\n\r\nPUB foo.bar 0\r\n\r\n`]],
  },
  { name: "pedantic + verbose ordering", steps: [[0, `CONNECT {"verbose":true,"pedantic":true}\r\nPUB a.* 0\r\n\r\n`]] },
  { name: "case-insensitive ops, tabs and repeated spaces", steps: [[0, OFF + "sub\tfoo  \t 1\r\npUb  foo\t 2\r\nhi\r\nPiNg\r\nunsub\t1\r\npub foo 0\r\n\r\n"]] },
  { name: "LF-only line endings", steps: [[0, OFF + "SUB foo 1\nPUB foo 2\nhi\r\nPING\n"]] },
  { name: "PING with trailing junk is a PING", steps: [[0, OFF + "PINGxx\r\nPONG yy\r\n"]] },
  { name: "unknown op closes with -ERR", steps: [[0, OFF + "FOO bar\r\n"]] },
  { name: "unknown op after a good one", steps: [[0, OFF + "PING\r\nPUBX foo 1\r\n"]] },
  { name: "unknown op without a newline is caught at once", steps: [[0, OFF + "XYZ", { nosync: true, wait: 150 }]] },
  { name: "stray CRLF before an op", steps: [[0, OFF + "\r\nPING\r\n"]] },
  { name: "op word without its argument separator", steps: [[0, OFF + "SUB\r\n"]] },
  { name: "UNSUB without args", steps: [[0, OFF + "UNSUB\r\n"]] },
  { name: "SUB with 1 arg closes silently", steps: [[0, OFF + "SUB foo\r\n"]] },
  { name: "SUB with 4 args closes silently", steps: [[0, OFF + "SUB a b c d\r\n"]] },
  { name: "PUB with 1 arg closes silently", steps: [[0, OFF + "PUB foo\r\n"]] },
  { name: "PUB with 4 args closes silently", steps: [[0, OFF + "PUB a b c 1\r\n"]] },
  { name: "PUB with non-numeric size closes silently", steps: [[0, OFF + "PUB foo x1\r\n"]] },
  { name: "PUB with negative size closes silently", steps: [[0, OFF + "PUB foo -1\r\n"]] },
  { name: "PUB size of 10 digits is a bad size, not max payload", steps: [[0, OFF + "PUB foo 1000000000\r\n"]] },
  { name: "UNSUB with 3 args closes silently", steps: [[0, OFF + "SUB foo 1\r\nUNSUB 1 2 3\r\n"]] },
  { name: "UNSUB with a bad max unsubscribes now", steps: [[0, OFF + "SUB foo 1\r\nUNSUB 1 x\r\nPUB foo 0\r\n\r\n"]] },
  { name: "payload with wrong trailer", steps: [[0, OFF + "PUB foo 1\r\nxx\r\n"]] },
  { name: "zero-length payload", steps: [[0, OFF + "SUB foo 1\r\nPUB foo 0\r\n\r\n"]] },
  { name: "max payload (default 1 MB): -ERR and close", steps: [[0, OFF + "PUB foo 1048577\r\n"]] },
  { name: "max payload exactly at the limit is fine", steps: [[0, OFF + "SUB foo 1\r\nPUB foo 1048576\r\n" + "x".repeat(1048576) + "\r\n"]], norm: (s) => s.replace(/x{1000,}/, "<payload>") },
  { name: "max payload (configured 100)", go: "max_payload: 100", ts: { maxPayload: 100 }, steps: [[0, OFF + "PUB foo 100\r\n" + "y".repeat(100) + "\r\nPUB foo 101\r\n"]] },
  { name: "HPUB over max payload", steps: [[0, HDRS + "HPUB foo 12 1048577\r\n"]] },
  { name: "control line arg exactly 4096 bytes is accepted", steps: [[0, OFF + `SUB ${longSubject(4094)} 1\r\n`]] },
  { name: "control line arg of 4097 bytes", steps: [[0, OFF + `SUB ${longSubject(4095)} 1\r\n`]] },
  // Sizes stay below ~7 KB: Go reads 512, 1K, 2K, 4K bytes in turn, and a
  // close with unread input would reset the connection (and lose the -ERR).
  { name: "control line far too long (one write)", steps: [[0, OFF + `PUB ${longSubject(6000)} 1\r\nx\r\n`]] },
  { name: "control line too long without a newline", steps: [[0, OFF + `PUB ${longSubject(6000)}`, { nosync: true, wait: 200 }]] },
  { name: "PING/PONG followed by junk longer than the control line limit", steps: [[0, OFF + `PING${"x".repeat(5000)}\r\nPONG ${"y".repeat(5000)}\r\n`]] },
  { name: "CONNECT longer than the control line limit", steps: [[0, `CONNECT {"verbose":false,"name":"${"n".repeat(5000)}"}\r\n`]] },
  { name: "configured max_control_line", go: "max_control_line: 64", ts: { maxControlLine: 64 }, steps: [[0, OFF + `SUB ${longSubject(62)} 1\r\nSUB ${longSubject(63)} 2\r\n`]] },
  {
    name: "maximum connections exceeded",
    go: "max_connections: 1",
    ts: { maxConnections: 1 },
    // Let the servers forget the start-up probe connection first.
    settle: 100,
    steps: [
      [0, OFF],
      [1, "", { nosync: true, wait: 100 }],
    ],
  },
  { name: "maximum subscriptions exceeded (connection stays)", go: "max_subscriptions: 2", ts: { maxSubscriptions: 2 }, steps: [[0, OFF + "SUB a 1\r\nSUB b 2\r\nSUB c 3\r\nSUB a 1\r\nPUB a 0\r\n\r\n"]] },
  { name: "Invalid Subject on SUB (connection stays)", steps: [[0, OFF + "SUB foo..bar 1\r\nSUB foo.>.bar 2\r\nSUB .foo 3\r\nSUB foo. 4\r\nSUB >.> 5\r\nSUB foo*bar 6\r\nSUB * q 7\r\nSUB > 8\r\n"]] },
  { name: "Invalid Subject in verbose mode has no +OK", steps: [[0, `CONNECT {"verbose":true,"pedantic":false}\r\nSUB a..b 1\r\n`]] },
  { name: "no_responders requires headers", steps: [[0, `CONNECT {"verbose":false,"no_responders":true}\r\n`]] },
  { name: "no_responders with headers: 503 HMSG", steps: [[0, `CONNECT {"verbose":false,"pedantic":false,"headers":true,"no_responders":true}\r\nSUB reply.* 9\r\nPUB nobody reply.1 0\r\n\r\nHPUB nobody reply.2 12 12\r\nNATS/1.0\r\n\r\n\r\n`]] },
  { name: "no_responders without a reply subscription sends nothing", steps: [[0, `CONNECT {"verbose":false,"headers":true,"no_responders":true}\r\nPUB nobody reply 0\r\n\r\n`]] },
  { name: "no_responders not triggered when someone listens", steps: [[0, `CONNECT {"verbose":false,"headers":true,"no_responders":true}\r\nSUB svc 1\r\nSUB r 2\r\nPUB svc r 1\r\nq\r\n`]] },
  { name: "bad client protocol version", steps: [[0, `CONNECT {"verbose":false,"protocol":2}\r\n`]] },
  { name: "CONNECT with bad JSON closes silently", steps: [[0, `CONNECT {"verbose":\r\n`]] },
  { name: "CONNECT with a wrongly typed field closes silently", steps: [[0, `CONNECT {"verbose":"yes"}\r\n`]] },
  { name: "CONNECT without a space", steps: [[0, `CONNECT{"verbose":false}\r\nPING\r\n`]] },
  { name: "CONNECT field names are case-insensitive", steps: [[0, `CONNECT {"Verbose":false,"PEDANTIC":false}\r\nSUB a 1\r\n`]] },
  { name: "client +OK is ignored", steps: [[0, OFF + "+OK\r\nPING\r\n"]] },
  { name: "client -ERR closes silently", steps: [[0, OFF + "-ERR 'oops'\r\n"]] },
  { name: "client INFO is ignored", steps: [[0, OFF + `INFO {"server_id":"x"}\r\nPING\r\n`]] },
  { name: "client INFO with bad JSON closes", steps: [[0, OFF + "INFO nope\r\n"]] },
  { name: "HPUB without headers support closes silently", steps: [[0, OFF + "HPUB foo 12 14\r\nNATS/1.0\r\n\r\nhi\r\n"]] },
  { name: "HPUB header size larger than total", steps: [[0, HDRS + "HPUB foo 14 12\r\n"]] },
  {
    name: "headers: HMSG for a headers subscriber, MSG (stripped) for the other",
    steps: [
      [0, OFF + "SUB foo 1\r\n"],
      [1, HDRS + "SUB foo 2\r\n"],
      [2, HDRS + "HPUB foo reply 22 24\r\nNATS/1.0\r\nA: b\r\n\r\nhi\r\nHPUB foo 12 12\r\nNATS/1.0\r\n\r\n\r\nPUB foo 2\r\nok\r\n"],
    ],
  },
  {
    name: "wildcard delivery",
    steps: [
      [0, OFF + "SUB foo.* 1\r\nSUB foo.> 2\r\nSUB > 3\r\nSUB *.bar 4\r\nSUB *.*.* 5\r\nSUB foo.bar 6\r\n"],
      [1, OFF + "PUB foo.bar 1\r\na\r\nPUB foo.bar.baz 1\r\nb\r\nPUB foo 1\r\nc\r\nPUB x.bar 1\r\nd\r\n"],
    ],
  },
  { name: "reply subject delivered", steps: [[0, OFF + "SUB foo 1\r\nPUB foo bar.baz 2\r\nhi\r\n"]] },
  { name: "auto-unsubscribe after N", steps: [[0, OFF + "SUB foo 1\r\nUNSUB 1 2\r\nPUB foo 1\r\na\r\nPUB foo 1\r\nb\r\nPUB foo 1\r\nc\r\n"]] },
  { name: "UNSUB max below delivered count removes now", steps: [[0, OFF + "SUB foo 1\r\nPUB foo 1\r\na\r\nPUB foo 1\r\nb\r\nUNSUB 1 2\r\nPUB foo 1\r\nc\r\n"]] },
  { name: "duplicate sid keeps the first subscription", steps: [[0, OFF + "SUB foo 1\r\nSUB bar 1\r\nPUB bar 1\r\nb\r\nPUB foo 1\r\nf\r\n"]] },
  {
    name: "queue group: one member per message",
    // Two groups on different connections: the order of groups is random in Go.
    steps: [
      [0, OFF + "SUB q.foo grp 1\r\nSUB q.foo grp 2\r\n"],
      [1, OFF + "SUB q.foo other 3\r\n"],
      [2, OFF + Array.from({ length: 20 }, (_, i) => `PUB q.foo 2\r\n${String(i).padStart(2, "0")}\r\n`).join("")],
    ],
    // Which member of `grp` gets a message is random; the count is not.
    norm: (s) => s.replace(/MSG q\.foo [12] /g, "MSG q.foo G "),
  },
  {
    name: "echo false: own messages are not delivered",
    steps: [
      [0, `CONNECT {"verbose":false,"echo":false}\r\nSUB foo 1\r\nPUB foo 1\r\na\r\n`],
      [1, OFF + "PUB foo 1\r\nb\r\n"],
    ],
  },
  { name: "many ops in one chunk", steps: [[0, OFF + "SUB m 1\r\n" + Array.from({ length: 200 }, (_, i) => `PUB m ${String(i).length}\r\n${i}\r\n`).join("")]] },
  { name: "a PUB arriving one byte at a time", steps: [[0, OFF + "SUB s 1\r\n"], [0, "PUB s r 5\r\nhello\r\n", { slow: true }]] },
  { name: "HPUB arriving one byte at a time", steps: [[0, HDRS + "SUB s 1\r\n"], [0, "HPUB s 12 14\r\nNATS/1.0\r\n\r\nhi\r\n", { slow: true }]] },
  { name: "CONNECT + SUB + PING arriving one byte at a time", steps: [[0, OFF + "SUB s 1\r\nPUB s 2\r\nok\r\n", { slow: true }]] },
  {
    name: "HPUB with a zero-length header block",
    steps: [
      [0, OFF + "SUB z 1\r\n"],
      [1, HDRS + "SUB z 2\r\nHPUB z 0 2\r\nhi\r\n"],
    ],
  },
  {
    name: "HPUB with a reply to a subscriber without headers",
    steps: [
      [0, OFF + "SUB hr 1\r\n"],
      [1, HDRS + "HPUB hr _INBOX.abcdefghijklmnop 12 14\r\nNATS/1.0\r\n\r\nhi\r\n"],
    ],
  },
  { name: "UTF-8 and other non-ASCII bytes in subjects", steps: [[0, OFF + "SUB caf\xc3\xa9.* 1\r\nPUB caf\xc3\xa9.\xff r\xe9 1\r\nx\r\n"]] },
  { name: "publishing to `>` and `*` without pedantic", steps: [[0, OFF + "SUB > 1\r\nSUB * 2\r\nSUB a 3\r\nPUB > 1\r\nx\r\nPUB * 1\r\ny\r\n"]] },
  { name: "queue SUB in verbose mode and a queue with echo off", steps: [[0, `CONNECT {"verbose":true,"pedantic":false,"echo":false}\r\nSUB qe g 1\r\nPUB qe 1\r\nx\r\n`]] },
  { name: "UNSUB then SUB again with the same sid", steps: [[0, OFF + "SUB a 1\r\nUNSUB 1\r\nSUB b 1\r\nPUB a 1\r\nx\r\nPUB b 1\r\ny\r\n"]] },
  { name: "a 200 KB payload in one write", steps: [[0, OFF + "SUB big 1\r\nPUB big 204800\r\n" + "b".repeat(204800) + "\r\n"]], norm: (s) => s.replace(/b{1000,}/, "<payload>") },
  { name: "PING/PONG from the client; PONG needs no answer", steps: [[0, OFF + "PONG\r\nPING\r\nPING\r\n"]] },
  { name: "stale connection", go: 'ping_interval: "100ms"\nping_max: 1', ts: { pingInterval: 100, pingMax: 1 }, steps: [[0, OFF, { nosync: true, wait: 700 }]] },
];

const goBin = goServerPath();

/** Open connection i (waiting for INFO, or for a close that comes instead). */
async function open(port) {
  const c = await RawClient.connect(port);
  await c.waitFor(/^INFO .*\r\n/).catch(() => {});
  return c;
}

function countPings(text) {
  return text.split("\n").filter((l) => /^ping/i.test(l)).length;
}

/** Run one script against the server on `port`: the normalised output per connection. */
async function runScript(port, script) {
  const conns = [];
  const expectedPongs = [];
  if (script.settle) await sleep(script.settle);
  try {
    for (const [i, bytes, o = {}] of script.steps) {
      if (!conns[i]) {
        conns[i] = await open(port);
        expectedPongs[i] = 0;
      }
      const c = conns[i];
      expectedPongs[i] += countPings(bytes);
      // The sync PING goes in the same write: a server that closes on an
      // error then has read everything, so the close is clean (no RST that
      // could discard what it sent).
      const syncInline = !o.nosync && !o.slow;
      if (!c.closed) {
        if (o.slow) await c.sendSlowly(bytes, 0);
        else if (bytes || syncInline) c.send(bytes + (syncInline ? "PING\r\n" : ""));
      }
      if (o.wait) await sleep(o.wait);
      if (syncInline) await waitPongs(c, (expectedPongs[i] += 1));
      else if (!o.nosync) await sync(c, (expectedPongs[i] += 1));
    }
    // Let everyone catch up with the last step.
    for (let i = 0; i < conns.length; i++) if (conns[i] && !conns[i].closed) await sync(conns[i], (expectedPongs[i] += 1));
    return conns.map((c) => {
      let s = c.data.replace(/^INFO (.*) \r\n/, (_, j) => `INFO ${Object.keys(JSON.parse(j)).sort().join(",")}\r\n`);
      if (script.norm) s = script.norm(s);
      return s + (c.closed ? "<closed>" : "");
    });
  } finally {
    for (const c of conns) c?.close();
  }
}

/** Send a PING and wait for the n-th PONG, or for the server to close. */
async function sync(c, n) {
  if (c.closed) return;
  c.send("PING\r\n");
  await waitPongs(c, n);
}

async function waitPongs(c, n) {
  await c.waitFor(() => c.count("PONG\r\n") >= n, 3000).catch((e) => {
    if (!c.closed) throw e;
  });
}

describe("core protocol: tsnats vs nats-server", { skip: goBin ? false : "nats-server not on PATH" }, () => {
  const tmp = goBin ? fs.mkdtempSync(path.join(os.tmpdir(), "core-diff-")) : "";
  let goDefault;
  let tsDefault;

  before(async () => {
    [goDefault, tsDefault] = await Promise.all([startGoServer(), startServer()]);
  });
  after(async () => {
    await goDefault?.stop();
    await tsDefault?.shutdown();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  test("INFO carries the same keys and the same values where they are not per-server", async () => {
    const [g, t] = await Promise.all([RawClient.open(goDefault.port), RawClient.open(tsDefault.port)]);
    try {
      const gi = g.info();
      const ti = t.info();
      // git_commit is empty in a build without git info; tsnats never has one.
      assert.deepEqual(Object.keys(ti).sort(), Object.keys(gi).filter((k) => k !== "git_commit" || gi[k] !== "").sort());
      // `version` is deliberately not compared: tsnats advertises the release
      // whose features it has (src/server/version.ts), not 2.9.10.
      assert.match(ti.version, /^\d+\.\d+\.\d+$/);
      for (const k of ["proto", "headers", "max_payload", "host", "client_ip"]) assert.deepEqual(ti[k], gi[k], k);
      assert.match(g.data, /^INFO \{.*\} \r\n$/);
      assert.match(t.data, /^INFO \{.*\} \r\n$/);
    } finally {
      g.close();
      t.close();
    }
  });

  for (const script of SCRIPTS) {
    test(script.name, async () => {
      let go = goDefault;
      let ts = tsDefault;
      let own = false;
      if (script.go || script.ts) {
        own = true;
        const conf = path.join(tmp, `${SCRIPTS.indexOf(script)}.conf`);
        fs.writeFileSync(conf, (script.go ?? "") + "\n");
        [go, ts] = await Promise.all([startGoServer(["-c", conf]), startServer(script.ts ?? {})]);
      }
      try {
        const [want, got] = await Promise.all([runScript(go.port, script), runScript(ts.port, script)]);
        assert.deepEqual(got, want);
      } finally {
        if (own) {
          await go.stop();
          await ts.shutdown();
        }
      }
    });
  }
});
