// Subject mappings from a config file, at runtime, seen by a real client:
// $N and {{wildcard(N)}}, partition (same buckets as nats-server), split and
// slice functions, ">" carried over, weighted destinations (100%/0% exactly,
// 50/50 both used), and the same results as nats-server when installed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { connect } from "@nats-io/transport-node";
import { goServerPath } from "../helpers/go-server.js";
import { removeDir, startWithConfig, tempDir, waitFor } from "../helpers/tsnats-process.js";

const T = { timeout: 15000 };

const MAPPINGS = `mappings: {
  "plain.*": "mapped.$1"
  "wc.*.*": "wc.{{wildcard(2)}}.{{wildcard(1)}}"
  "part.*.*": "part.{{partition(5,1,2)}}.{{wildcard(1)}}.{{wildcard(2)}}"
  "part1.*": "p1.{{partition(10,1)}}.{{wildcard(1)}}"
  "split.*": "split.{{split(1,-)}}"
  "sfl.*": "sfl.{{splitFromLeft(1,3)}}"
  "sfr.*": "sfr.{{splitFromRight(1,3)}}"
  "slfl.*": "slfl.{{sliceFromLeft(1,2)}}"
  "slfr.*": "slfr.{{sliceFromRight(1,2)}}"
  "gt.>": "gtm.>"
  "pw.*.>": "pw.$1.>"
  "w100": [{destination: "w100.yes", weight: 100%}]
  "w0": [{destination: "w0.never", weight: 0%}]
  "half": [{destination: "half.a", weight: 50%}, {destination: "half.b", weight: 50%}]
}
`;

/** Published subject → the subject a `>` subscriber receives (observed from nats-server 2.9.10). */
const EXPECTED = [
  ["plain.x", "mapped.x"],
  ["wc.a.b", "wc.b.a"],
  ["part.a.b", "part.1.a.b"],
  ["part.x.y", "part.2.x.y"],
  ["part.hello.world", "part.2.hello.world"],
  ["part1.a", "p1.0.a"],
  ["part1.b", "p1.7.b"],
  ["part1.c", "p1.8.c"],
  ["part1.12345", "p1.4.12345"],
  ["part1.foo", "p1.3.foo"],
  ["split.a-b--c-", "split.a.b.c"],
  ["sfl.abcdef", "sfl.abc.def"],
  ["sfl.ab", "sfl.ab"],
  ["sfr.abcdef", "sfr.abc.def"],
  ["sfr.ab", "sfr.ab"],
  ["slfl.abcde", "slfl.ab.cd.e"],
  ["slfl.a", "slfl.a"],
  ["slfr.abcde", "slfr.a.bc.de"],
  ["slfr.abcd", "slfr.ab.cd"],
  ["gt.a.b.c", "gtm.a.b.c"],
  ["pw.x.y.z", "pw.x.y.z"],
  ["w100", "w100.yes"],
  ["w0", "w0"],
  ["other.subject", "other.subject"],
];

/** Publish each source once (in order) and return what a `>` subscriber got. */
async function mapAll(port, sources) {
  const nc = await connect({ servers: `127.0.0.1:${port}`, reconnect: false });
  try {
    const got = [];
    nc.subscribe(">", { callback: (_e, m) => got.push(m.subject) });
    await nc.flush();
    for (const s of sources) nc.publish(s, s);
    await nc.flush();
    await waitFor(() => got.length >= sources.length, `${sources.length} messages`);
    return got;
  } finally {
    await nc.close();
  }
}

test("config mappings rewrite published subjects: wildcards, functions, '>', weights 100%/0%", T, async () => {
  const p = await startWithConfig(MAPPINGS);
  try {
    const got = await mapAll(
      p.port,
      EXPECTED.map(([s]) => s),
    );
    assert.deepEqual(
      EXPECTED.map(([s], i) => [s, got[i]]),
      EXPECTED,
    );
  } finally {
    await p.kill();
    removeDir(p.dir);
  }
});

test("a 50/50 split uses both destinations and nothing else", T, async () => {
  const p = await startWithConfig(MAPPINGS);
  try {
    const got = await mapAll(p.port, Array(200).fill("half"));
    const seen = new Set(got);
    assert.deepEqual([...seen].sort(), ["half.a", "half.b"]);
  } finally {
    await p.kill();
    removeDir(p.dir);
  }
});

test("differential: nats-server maps the same subjects the same way", { ...T, skip: !goServerPath() && "nats-server not installed" }, async () => {
  const dir = tempDir();
  const conf = join(dir, "go.conf");
  writeFileSync(conf, `listen: 127.0.0.1:-1\nports_file_dir: ${JSON.stringify(dir)}\n${MAPPINGS}`);
  const go = spawn(goServerPath(), ["-c", conf], { stdio: "ignore" });
  const p = await startWithConfig(MAPPINGS);
  try {
    const file = join(dir, `nats-server_${go.pid}.ports`);
    const ports = await waitFor(() => existsSync(file) && JSON.parse(readFileSync(file, "utf8")), "Go ports file");
    const goPort = parseInt(ports.nats[0].split(":").pop(), 10);
    const sources = EXPECTED.map(([s]) => s);
    const [fromGo, fromTs] = await Promise.all([mapAll(goPort, sources), mapAll(p.port, sources)]);
    assert.deepEqual(fromTs, fromGo);
  } finally {
    go.kill("SIGKILL");
    await p.kill();
    removeDir(p.dir);
    removeDir(dir);
  }
});
