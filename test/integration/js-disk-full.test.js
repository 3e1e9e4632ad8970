// A full disk (a small tmpfs, so only where the test may mount one, e.g. as
// root): a publish whose write fails gets a store error instead of a PubAck,
// the stream keeps every acknowledged message at its sequence, and other
// streams and clients keep working. Skipped where mounting is not allowed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { connect } from "@nats-io/transport-node";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { startServer } from "../helpers/server.js";
import { tempDir, removeDir } from "../helpers/tsnats-process.js";

function mountTmpfs(dir, size) {
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", `size=${size}`, "tmpfs", dir], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

const probeDir = tempDir("tsnats-full-");
const canMount = mountTmpfs(probeDir, "64k");
if (canMount) execFileSync("umount", [probeDir]);
removeDir(probeDir);

const skip = !canMount && "cannot mount a tmpfs here";

async function fillUp(jetstreamOptions, expected) {
  const dir = tempDir("tsnats-full-");
  assert.ok(mountTmpfs(dir, "2m"));
  const server = await startServer({ jetstream: { storeDir: dir, ...jetstreamOptions } });
  const nc = await connect({ servers: server.url });
  try {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: "FULL", subjects: ["full"] });
    await jsm.streams.add({ name: "RAM", subjects: ["ram"], storage: "memory" });
    const js = jetstream(nc);
    const payload = new Uint8Array(16 * 1024);
    const acked = [];
    let failure = null;
    for (let i = 0; i < 400 && !failure; i++) {
      try {
        acked.push((await js.publish("full", payload)).seq);
      } catch (e) {
        failure = e;
      }
    }
    assert.ok(failure, "the disk never filled up");
    assert.match(failure.message, expected);
    // Other streams and core messaging are unaffected.
    assert.equal((await js.publish("ram", "still here")).stream, "RAM");
    const st = (await jsm.streams.info("FULL")).state;
    assert.equal(st.last_seq, acked.at(-1));
    assert.equal(st.messages, acked.length);
    const last = await jsm.streams.getMessage("FULL", { seq: acked.at(-1) });
    assert.equal(last.data.length, payload.length);
  } finally {
    await nc.close();
    await server.shutdown();
    execFileSync("umount", [dir]);
    removeDir(dir);
  }
}

test("disk full: a write that fails answers a store error, nothing acknowledged is lost, the server keeps serving", { skip, timeout: 60_000 }, () =>
  // A max_file_store beyond the disk: the write itself fails (ENOSPC).
  fillUp({ maxStore: 1e12 }, /ENOSPC|no space|write/i),
);

test("store nearly full: the dynamic max_file_store (75% of the free disk) answers insufficient resources first, as Go", { skip, timeout: 60_000 }, () =>
  fillUp({}, /insufficient resources/),
);
