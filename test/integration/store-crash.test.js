// FileStore crash loop: a child process appends and flushes batches, deletes
// messages and stores consumer state, printing what each flush made durable;
// it is SIGKILLed at a random moment, several times on one store directory.
// After every kill the parent reopens the store: every message the child
// reported flushed is there at its sequence with its payload, every reported
// delete stays deleted, the consumer state is at least the last reported one,
// and a KV-style stream (one message per subject) shows exactly the newest revisions.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const STORE = path.join(ROOT, "dist/jetstream/store/index.js");

const CHILD = `
import { writeSync } from "node:fs";
import { FileStore } from ${JSON.stringify(STORE)};
// Synchronous writes to the pipe: once written, the parent reads it even after a SIGKILL.
const report = (line) => writeSync(1, line + "\\n");
const opts = { storeDir: process.env.STORE_DIR, account: "ACC", blockSize: 4096 };
let s;
try { s = FileStore.open(opts, "C"); } catch { s = FileStore.create(opts, { config: { name: "C" }, created: "" }); }
let next = s.state().last_seq + 1;
const consumer = s.consumerStore("dur");
let delivered = consumer.state()?.delivered.stream_seq ?? 0;
let kv;
try { kv = FileStore.open(opts, "K"); } catch { kv = FileStore.create(opts, { config: { name: "K", max_msgs_per_subject: 1 }, created: "" }); }
let rev = kv.state().last_seq;
report("start " + (next - 1));
function turn() {
  const n = 1 + Math.floor(Math.random() * 300);
  for (let i = 0; i < n; i++) {
    const seq = s.append("c." + (next % 5), next % 7 === 0 ? Buffer.from("NATS/1.0\\r\\nS: " + next + "\\r\\n\\r\\n") : null, Buffer.from("m-" + next));
    if (seq !== next) throw new Error("sequence " + seq + " expected " + next);
    next++;
  }
  s.flushPending();
  for (let i = 0; i < 50; i++) {
    rev++;
    kv.append("k." + (rev % 10), null, Buffer.from("rev-" + rev));
  }
  kv.flushPending();
  report("a " + (next - 1));
  report("k " + rev);
  if (Math.random() < 0.2) {
    const victim = 1 + Math.floor(Math.random() * (next - 1));
    // Announced first: killed between the two lines, the message may be there or not.
    report("p " + victim);
    if (s.deleteMsg(victim, Math.random() < 0.5)) report("d " + victim);
  }
  if (Math.random() < 0.3) {
    delivered = next - 1;
    consumer.update({ delivered: { consumer_seq: delivered, stream_seq: delivered }, ack_floor: { consumer_seq: 0, stream_seq: 0 }, pending: new Map(), redelivered: new Map() });
    consumer.flushPending();
    report("c " + delivered);
  }
  setImmediate(turn);
}
turn();
`;

function runChild(dir, killAfterMs) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--input-type=module", "-e", CHILD], { env: { ...process.env, STORE_DIR: dir }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    let timer = null;
    const limit = setTimeout(() => child.kill("SIGKILL"), 20000);
    child.stdout.on("data", (d) => {
      out += d;
      if (timer === null && out.includes("start ")) timer = setTimeout(() => child.kill("SIGKILL"), killAfterMs);
    });
    child.stderr.on("data", (d) => (err += d));
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      clearTimeout(limit);
      if (timer) clearTimeout(timer);
      if (signal !== "SIGKILL") reject(new Error(`child exited ${code} ${signal}: ${err}`));
      else resolve(out.slice(0, out.lastIndexOf("\n") + 1).split("\n").filter(Boolean));
    });
  });
}

test("kill -9 at random moments never loses a flushed message, delete or consumer state", { timeout: 120000 }, async () => {
  const { FileStore } = await import(STORE);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "store-crash-"));
  try {
    let acked = 0;
    let consumerAt = 0;
    let kvRev = 0;
    const deleted = new Set();
    const maybeDeleted = new Set();
    for (let round = 0; round < 6; round++) {
      const lines = await runChild(dir, 150 + Math.floor(Math.random() * 500));
      const start = Number(lines[0].split(" ")[1]);
      assert.ok(start >= acked, `round ${round}: child started at ${start}, below acknowledged ${acked}`);
      for (const line of lines.slice(1)) {
        const [kind, v] = line.split(" ");
        if (kind === "a") acked = Math.max(acked, Number(v));
        else if (kind === "p") maybeDeleted.add(Number(v));
        else if (kind === "d") deleted.add(Number(v));
        else if (kind === "c") consumerAt = Math.max(consumerAt, Number(v));
        else if (kind === "k") kvRev = Math.max(kvRev, Number(v));
      }
      const s = FileStore.open({ storeDir: dir, account: "ACC" }, "C");
      try {
        assert.ok(s.state().last_seq >= acked, `round ${round}: last_seq ${s.state().last_seq} < acknowledged ${acked}`);
        for (let q = 1; q <= acked; q++) {
          const m = s.getMsg(q);
          if (deleted.has(q)) {
            assert.equal(m, null, `round ${round}: deleted ${q} is back`);
            continue;
          }
          if (maybeDeleted.has(q) && m === null) continue;
          assert.ok(m, `round ${round}: acknowledged message ${q} lost`);
          assert.equal(m.data.toString(), `m-${q}`);
          assert.equal(m.subject, `c.${q % 5}`);
          assert.equal(m.hdr?.toString() ?? null, q % 7 === 0 ? `NATS/1.0\r\nS: ${q}\r\n\r\n` : null);
        }
        const cs = s.consumerStore("dur").state();
        assert.ok((cs?.delivered.stream_seq ?? 0) >= consumerAt, `round ${round}: consumer state went back`);
      } finally {
        s.stop();
      }
      const kv = FileStore.open({ storeDir: dir, account: "ACC" }, "K");
      try {
        assert.ok(kv.state().last_seq >= kvRev, `round ${round}: kv last_seq ${kv.state().last_seq} < acknowledged ${kvRev}`);
        assert.equal(kv.state().msgs, Math.min(10, kv.state().last_seq), `round ${round}: one revision per key`);
        for (let k = 0; k < 10 && kvRev >= 10; k++) {
          const m = kv.getLastBySubject(`k.${k}`);
          const r = Number(m.data.toString().slice(4));
          assert.equal(m.seq, r);
          assert.ok(r % 10 === k && r > kvRev - 10, `round ${round}: key ${k} at revision ${r}, acknowledged up to ${kvRev}`);
        }
      } finally {
        kv.stop();
      }
    }
    assert.ok(acked > 0, "the child acknowledged something");
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
