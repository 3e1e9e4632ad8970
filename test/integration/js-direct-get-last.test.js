// Direct get of the newest message of one subject (the KV get,
// $JS.API.DIRECT.GET.<stream>.<subject>, and {"last_by_subj"} without
// wildcards), which is encoded straight from the store: the exact reply bytes
// (the stored header block first, then Nats-Stream, Nats-Subject,
// Nats-Sequence, Nats-Time-Stamp), payloads short and long, file and memory,
// after the subject's newer revision is deleted, after a restart, and the 404s.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startServer, withTimeout } from "../helpers/server.js";
import { RawClient } from "../helpers/raw-client.js";

const TIME = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z";

/** One request on a raw connection; resolves with the reply's HMSG frame (header block and payload). */
async function ask(c, subject, body = "") {
  const id = ++ask.n;
  const from = c.data.length;
  c.send(`PUB ${subject} _R.${id} ${Buffer.byteLength(body)}\r\n${body}\r\n`);
  await c.waitFor(new RegExp(`HMSG _R\\.${id} 1 (\\d+) (\\d+)\\r\\n`));
  const at = c.data.indexOf(`HMSG _R.${id} `, from);
  const line = c.data.slice(at, c.data.indexOf("\r\n", at));
  const [hlen, total] = line.split(" ").slice(-2).map(Number);
  const start = at + line.length + 2;
  await c.waitFor((d) => d.length >= start + total + 2);
  return { hdr: c.data.slice(start, start + hlen), data: c.data.slice(start + hlen, start + total) };
}
ask.n = 0;

async function publish(c, subject, data, hdr = "") {
  const id = ++ask.n;
  c.send(hdr ? `HPUB ${subject} _A.${id} ${hdr.length} ${hdr.length + data.length}\r\n${hdr}${data}\r\n` : `PUB ${subject} _A.${id} ${data.length}\r\n${data}\r\n`);
  await c.waitFor(new RegExp(`MSG _A\\.${id} 2 \\d+\\r\\n\\{"stream"`));
}

async function open(port) {
  const c = await RawClient.open(port);
  c.send('CONNECT {"verbose":false,"headers":true}\r\nSUB _R.* 1\r\nSUB _A.* 2\r\n');
  await c.ping();
  return c;
}

for (const storage of ["file", "memory"]) {
  test(`direct get of a subject's newest message, ${storage} storage`, async () => {
    const dir = mkdtempSync(join(tmpdir(), "tsnats-dglast-"));
    let s = await startServer({ jetstream: true, storeDir: dir });
    try {
      await withTimeout(
        (async () => {
          let c = await open(s.port);
          const cfg = JSON.stringify({ name: "KVX", subjects: ["kv.>"], storage, max_msgs_per_subject: 5, allow_direct: true });
          c.send(`PUB $JS.API.STREAM.CREATE.KVX _A.0 ${cfg.length}\r\n${cfg}\r\n`);
          await c.waitFor(/MSG _A\.0 2 \d+\r\n\{"type"/);
          const long = "L".repeat(300);
          const stored = `NATS/1.0\r\nKV-Operation: PUT\r\nX-Long: ${"h".repeat(90)}\r\n\r\n`;
          await publish(c, "kv.a", "first");
          await publish(c, "kv.a", long, stored);
          await publish(c, "kv.b", "");
          await publish(c, "kv.c", "c1");
          await publish(c, "kv.c", "c2");

          const expect = (got, { hdr, seq, subject, data }) => {
            const re = new RegExp(`^${hdr.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}Nats-Stream: KVX\\r\\nNats-Subject: ${subject.replace(".", "\\.")}\\r\\nNats-Sequence: ${seq}\\r\\nNats-Time-Stamp: ${TIME}\\r\\n\\r\\n$`);
            assert.match(got.hdr, re);
            assert.equal(got.data, data);
          };
          const storedHead = stored.slice(0, -2);
          const check = async () => {
            expect(await ask(c, "$JS.API.DIRECT.GET.KVX.kv.a"), { hdr: storedHead, seq: 2, subject: "kv.a", data: long });
            expect(await ask(c, "$JS.API.DIRECT.GET.KVX", '{"last_by_subj":"kv.a"}'), { hdr: storedHead, seq: 2, subject: "kv.a", data: long });
            expect(await ask(c, "$JS.API.DIRECT.GET.KVX.kv.b"), { hdr: "NATS/1.0\r\n", seq: 3, subject: "kv.b", data: "" });
            expect(await ask(c, "$JS.API.DIRECT.GET.KVX.kv.c"), { hdr: "NATS/1.0\r\n", seq: 5, subject: "kv.c", data: "c2" });
            assert.equal((await ask(c, "$JS.API.DIRECT.GET.KVX.kv.none")).hdr, "NATS/1.0 404 Message Not Found\r\n\r\n");
            assert.equal((await ask(c, "$JS.API.DIRECT.GET.KVX", '{"last_by_subj":"kv.none"}')).hdr, "NATS/1.0 404 Message Not Found\r\n\r\n");
            // A wildcard is still the newest message matching it.
            expect(await ask(c, "$JS.API.DIRECT.GET.KVX.kv.*"), { hdr: "NATS/1.0\r\n", seq: 5, subject: "kv.c", data: "c2" });
          };
          await check();
          // The newest revision deleted: the one before it is the answer.
          c.send(`PUB $JS.API.STREAM.MSG.DELETE.KVX _A.d 9\r\n{"seq":5}\r\n`);
          await c.waitFor(/MSG _A\.d 2 \d+\r\n\{"type":"io\.nats\.jetstream\.api\.v1\.stream_msg_delete_response","success":true\}/);
          expect(await ask(c, "$JS.API.DIRECT.GET.KVX.kv.c"), { hdr: "NATS/1.0\r\n", seq: 4, subject: "kv.c", data: "c1" });
          if (storage === "file") {
            c.socket.destroy();
            await s.shutdown();
            s = await startServer({ jetstream: true, storeDir: dir });
            c = await open(s.port);
            expect(await ask(c, "$JS.API.DIRECT.GET.KVX.kv.a"), { hdr: storedHead, seq: 2, subject: "kv.a", data: long });
            expect(await ask(c, "$JS.API.DIRECT.GET.KVX.kv.c"), { hdr: "NATS/1.0\r\n", seq: 4, subject: "kv.c", data: "c1" });
          }
          c.socket.destroy();
        })(),
        20000,
        "direct get",
      );
    } finally {
      await s.shutdown();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
