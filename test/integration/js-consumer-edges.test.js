// Consumer edges where Go 2.9.10/2.10 behave in a particular way a client or
// tester can see: the ack floor of a fresh consumer reads 0/0 until the
// first ack or delivery; every ack sent with a reply is answered (also for
// a sequence never delivered, tokens that are not numbers, an ack-none
// consumer on a limits stream), except one naming stream sequence 0; pull
// requests with batch 0 or negative take one message, and on an empty stream
// expire with 408 carrying that batch; a request whose expiry has passed when
// a message arrives is dropped unanswered; a push consumer answers pull
// requests 409; a purge of one subject moves only the consumers it concerns.
import { test } from "node:test";
import assert from "node:assert/strict";
import { sleep } from "../helpers/server.js";
import { withJs } from "../helpers/jetstream.js";

const api = async (nc, subj, body) => (await nc.request(`$JS.API.${subj}`, body === undefined ? "" : JSON.stringify(body), { timeout: 2000 })).json();

/** Everything a pull request gets within `ms`: "msg <data>" or "<code> <description> <pending msgs>". */
async function pull(nc, consumer, body, ms) {
  const inbox = `_INBOX.e${Math.random().toString(36).slice(2)}`;
  const got = [];
  const sub = nc.subscribe(inbox, {
    callback: (_e, m) => got.push(m.headers?.code ? `${m.headers.code} ${m.headers.description} ${m.headers.get("Nats-Pending-Messages")}` : `msg ${m.string()}`),
  });
  await nc.flush();
  nc.publish(`$JS.API.CONSUMER.MSG.NEXT.S.${consumer}`, JSON.stringify(body), { reply: inbox });
  await sleep(ms);
  sub.unsubscribe();
  return got;
}

async function answered(nc, subject, body) {
  try {
    await nc.request(subject, body, { timeout: 300 });
    return true;
  } catch {
    return false;
  }
}

test("a fresh consumer's ack floor is 0/0 until an ack or a delivery moves it", () =>
  withJs(async ({ nc, js }) => {
    await api(nc, "STREAM.CREATE.S", { name: "S", subjects: ["s.>"], storage: "memory" });
    for (let i = 1; i <= 4; i++) await js.publish("s.a", `m${i}`);
    for (const [name, config] of [
      ["N", { ack_policy: "none", deliver_policy: "new" }],
      ["E", { ack_policy: "explicit", deliver_policy: "by_start_sequence", opt_start_seq: 3 }],
      ["A", { ack_policy: "all", deliver_policy: "last" }],
      ["P", { ack_policy: "none", deliver_policy: "new", deliver_subject: "nobody.listens" }],
    ]) {
      const created = await api(nc, `CONSUMER.DURABLE.CREATE.S.${name}`, { stream_name: "S", config: { durable_name: name, ...config } });
      assert.deepEqual(created.ack_floor, { consumer_seq: 0, stream_seq: 0 }, name);
      assert.deepEqual((await api(nc, `CONSUMER.INFO.S.${name}`)).ack_floor, { consumer_seq: 0, stream_seq: 0 }, name);
    }
    assert.equal((await api(nc, "CONSUMER.INFO.S.E")).delivered.stream_seq, 2);
    // An ack-none delivery moves it to the delivery.
    await js.publish("s.a", "m5");
    assert.deepEqual(await pull(nc, "N", { batch: 1, expires: 500e6 }, 200), ["msg m5"]);
    assert.deepEqual((await api(nc, "CONSUMER.INFO.S.N")).ack_floor, { consumer_seq: 1, stream_seq: 5 });
    // An explicit ack of the only pending message moves it to the last delivery.
    const ackSubjects = [];
    const inbox = "_INBOX.acks";
    const sub = nc.subscribe(inbox, { callback: (_e, m) => ackSubjects.push(m.reply) });
    await nc.flush();
    nc.publish("$JS.API.CONSUMER.MSG.NEXT.S.E", JSON.stringify({ batch: 1, expires: 500e6 }), { reply: inbox });
    await sleep(200);
    sub.unsubscribe();
    assert.equal(await answered(nc, ackSubjects[0], "+ACK"), true);
    const info = await api(nc, "CONSUMER.INFO.S.E");
    assert.deepEqual([info.delivered.stream_seq, info.ack_floor.stream_seq, info.ack_floor.consumer_seq], [3, 3, 1]);
  }));

test("acks with a reply are answered as Go does, except for stream sequence 0", () =>
  withJs(async ({ nc, js }) => {
    await api(nc, "STREAM.CREATE.S", { name: "S", subjects: ["s.>"], storage: "memory" });
    for (let i = 1; i <= 3; i++) await js.publish("s.a", `m${i}`);
    await api(nc, "CONSUMER.DURABLE.CREATE.S.E", { stream_name: "S", config: { durable_name: "E", ack_policy: "explicit" } });
    await api(nc, "CONSUMER.DURABLE.CREATE.S.N", { stream_name: "S", config: { durable_name: "N", ack_policy: "none" } });
    assert.deepEqual(await pull(nc, "E", { batch: 1, expires: 500e6 }, 200), ["msg m1"]);
    for (const c of ["E", "N"]) {
      for (const tail of ["1.1.1.0.0", "1.2.2.0.0", "1.99.99.0.0", "x.y.z.0.0", "1.99999999999999999999.1.0.0"]) {
        for (const body of ["+ACK", "-NAK", "+TERM", "+WPI", "junk"]) {
          assert.equal(await answered(nc, `$JS.ACK.S.${c}.${tail}`, body), true, `${c} ${tail} ${body}`);
        }
      }
      for (const body of ["+ACK", "-NAK", "+TERM"]) assert.equal(await answered(nc, `$JS.ACK.S.${c}.1.0.0.0.0`, body), false, `${c} seq 0 ${body}`);
    }
    // None of that acknowledged anything still pending, or moved the floor past the deliveries.
    const info = await api(nc, "CONSUMER.INFO.S.E");
    assert.equal(info.num_ack_pending, 0);
    assert.deepEqual([info.delivered.stream_seq, info.ack_floor.stream_seq], [1, 1]);
    assert.deepEqual(await pull(nc, "E", { batch: 5, no_wait: true }, 200), ["msg m2", "msg m3", "408 Request Timeout 3"]);
    // +NXT on a malformed ack subject is still a pull request.
    const inbox = "_INBOX.nxt";
    const got = [];
    const sub = nc.subscribe(inbox, { callback: (_e, m) => got.push(m.string()) });
    await nc.flush();
    await js.publish("s.a", "m4");
    nc.publish("$JS.ACK.S.N.x.y.z.0.0", "+NXT", { reply: inbox });
    await sleep(200);
    sub.unsubscribe();
    assert.deepEqual(got, ["m1"]);
  }));

test("pull requests for 0 or a negative batch take one message; expired ones meeting a message go unanswered", () =>
  withJs(async ({ nc, js }) => {
    await api(nc, "STREAM.CREATE.S", { name: "S", subjects: ["s.>"], storage: "memory" });
    await api(nc, "CONSUMER.DURABLE.CREATE.S.P", { stream_name: "S", config: { durable_name: "P", ack_policy: "explicit" } });
    assert.deepEqual(await pull(nc, "P", { batch: 0, expires: 150e6 }, 400), ["408 Request Timeout 0"]);
    assert.deepEqual(await pull(nc, "P", { batch: -3, expires: 150e6 }, 400), ["408 Request Timeout -3"]);
    for (let i = 1; i <= 5; i++) await js.publish("s.a", `m${i}`);
    assert.deepEqual(await pull(nc, "P", { batch: 0, expires: 300e6 }, 400), ["msg m1"]);
    assert.deepEqual(await pull(nc, "P", { batch: -1 }, 200), ["msg m2"]);
    assert.deepEqual(await pull(nc, "P", { batch: 1, expires: -1 }, 300), []);
    assert.deepEqual(await pull(nc, "P", { batch: 1, expires: -1, no_wait: true }, 300), []);
    assert.equal((await api(nc, "CONSUMER.INFO.S.P")).num_waiting, 0);
    assert.deepEqual(await pull(nc, "P", { batch: 5, no_wait: true }, 200), ["msg m3", "msg m4", "msg m5", "408 Request Timeout 2"]);
  }));

test("a pull request to a push consumer is answered 409 Consumer is push based", () =>
  withJs(async ({ nc }) => {
    await api(nc, "STREAM.CREATE.S", { name: "S", subjects: ["s.>"], storage: "memory" });
    await api(nc, "CONSUMER.DURABLE.CREATE.S.Q", { stream_name: "S", config: { durable_name: "Q", ack_policy: "none", deliver_subject: "qq" } });
    assert.deepEqual(await pull(nc, "Q", { batch: 1 }, 300), ["409 Consumer is push based "]);
  }));

test("a purge of one subject moves only the consumers it concerns (Go 2.10)", () =>
  withJs(async ({ nc, js }) => {
    await api(nc, "STREAM.CREATE.S", { name: "S", subjects: ["s.>"], storage: "file" });
    for (const s of ["s.a", "s.b", "s.a", "s.b", "s.c"]) await js.publish(s, s);
    const mk = (name, filter) => api(nc, `CONSUMER.DURABLE.CREATE.S.${name}`, { stream_name: "S", config: { durable_name: name, ack_policy: "explicit", ...(filter ? { filter_subject: filter } : {}) } });
    await mk("A");
    await mk("B", "s.b");
    await mk("O", "s.a");
    await mk("K", "s.b");
    assert.deepEqual(await pull(nc, "A", { batch: 2, no_wait: true }, 200), ["msg s.a", "msg s.b"]);
    assert.deepEqual(await pull(nc, "O", { batch: 1, no_wait: true }, 200), ["msg s.a"]);
    const before = await api(nc, "CONSUMER.INFO.S.O");
    assert.equal((await api(nc, "STREAM.PURGE.S", { filter: "s.b" })).purged, 2);
    // Within the purged subject: past the end, nothing pending.
    const b = await api(nc, "CONSUMER.INFO.S.B");
    assert.deepEqual([b.delivered.stream_seq, b.ack_floor.stream_seq, b.num_pending], [5, 5, 0]);
    // Elsewhere: untouched.
    const o = await api(nc, "CONSUMER.INFO.S.O");
    assert.deepEqual([o.delivered, o.ack_floor, o.num_pending, o.num_ack_pending], [before.delivered, before.ack_floor, 1, 1]);
    // Wider: the purged pending message is gone, the other stays.
    const a = await api(nc, "CONSUMER.INFO.S.A");
    assert.deepEqual([a.num_ack_pending, a.num_pending, a.delivered.stream_seq], [1, 2, 2]);
    await js.publish("s.b", "new");
    assert.deepEqual(await pull(nc, "K", { batch: 5, no_wait: true }, 200), ["msg new", "408 Request Timeout 4"]);
    assert.deepEqual(await pull(nc, "A", { batch: 5, no_wait: true }, 200), ["msg s.a", "msg s.c", "msg new", "408 Request Timeout 2"]);
  }));
