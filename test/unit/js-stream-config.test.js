// Stream config decoding, defaults, validation and update rules (Go's
// checkStreamCfg / configUpdateCheck texts), and the error table.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { checkStreamConfig, checkStreamUpdate, decodeStreamConfig } from "../../dist/jetstream/stream-config.js";
import { JS_ERRORS, jsError } from "../../dist/jetstream/api/errors.js";
import { accountLimitsFromPlain } from "../../dist/config/jetstream-options.js";
import { parseNodes, plainValue } from "../../dist/config/parser.js";

const lookup = (streams = {}) => ({
  config: (n) => streams[n],
  maxDuplicateWindow: 0,
  maxBytesRequired: false,
  maxStreamBytes: () => 0,
});

function errorOf(fn) {
  try {
    fn();
  } catch (e) {
    return e.error;
  }
  assert.fail("expected an error");
}

const check = (body, streams) => checkStreamConfig(decodeStreamConfig(body), lookup(streams));

describe("stream config", () => {
  test("defaults as Go", () => {
    const c = check({ name: "S" });
    assert.deepEqual(c.subjects, ["S"]);
    assert.deepEqual([c.max_msgs, c.max_bytes, c.max_msgs_per_subject, c.max_msg_size, c.max_consumers, c.num_replicas], [-1, -1, -1, -1, -1, 1]);
    assert.equal(c.duplicate_window, 120e9);
    assert.equal(c.storage, "file");
    assert.equal(check({ name: "S", max_age: 1e9 }).duplicate_window, 1e9);
  });

  test("wrong types are invalid JSON; unknown fields are ignored", () => {
    for (const body of [{ name: 5 }, { name: "S", subjects: "a" }, { name: "S", retention: "forever" }, { name: "S", max_msgs: 1.5 }, { name: "S", storage: 1 }, [], "x"]) {
      assert.equal(errorOf(() => decodeStreamConfig(body)).err_code, 10025, JSON.stringify(body));
    }
    assert.equal(decodeStreamConfig({ name: "S", whatever: 1 }).name, "S");
  });

  test("validation texts", () => {
    const cases = [
      [{ name: "a.b" }, "stream name is required and can not contain '.', '*', '>'"],
      [{ name: "a b" }, "stream name is required and can not contain '.', '*', '>'"],
      [{ name: "x".repeat(256) }, "stream name is too long, maximum allowed is 255"],
      [{ name: "S", max_age: 1 }, "max age needs to be >= 100ms"],
      [{ name: "S", duplicate_window: -1 }, "duplicates window can not be negative"],
      [{ name: "S", max_age: 1e9, duplicate_window: 2e9 }, "duplicates window can not be larger then max age"],
      [{ name: "S", duplicate_window: 1000 }, "duplicates window needs to be >= 100ms"],
      [{ name: "S", deny_purge: true, allow_rollup_hdrs: true }, "roll-ups require the purge permission"],
      [{ name: "S", discard_new_per_subject: true }, "discard new per subject requires discard new policy to be set"],
      [{ name: "S", discard: "new", discard_new_per_subject: true }, "discard new per subject requires max msgs per subject > 0"],
      [{ name: "S", subjects: ["a..b"] }, "invalid subject"],
      [{ name: "S", subjects: ["a", "a"] }, "duplicate subjects detected"],
      [{ name: "S", subjects: [">"] }, "capturing all subjects requires no-ack to be true"],
      [{ name: "S", subjects: ["$JS.API.x"] }, "subjects that overlap with jetstream api require no-ack to be true"],
      [{ name: "S", subjects: ["$SYS.x"] }, "subjects that overlap with system api require no-ack to be true"],
      [{ name: "S", subjects: ["a.*", "a.b"] }, 'subject "a.*" overlaps with "a.b"'],
      [{ name: "S", subjects: ["a"], republish: { dest: "a" } }, "stream configuration for republish destination forms a cycle"],
      [{ name: "S", num_replicas: 6 }, "maximum replicas is 5"],
    ];
    for (const [body, text] of cases) {
      const e = errorOf(() => check(body));
      assert.equal(e.description, text, JSON.stringify(body));
      assert.equal(e.err_code, 10052);
    }
    assert.equal(errorOf(() => check({ name: "S", num_replicas: -1 })).err_code, 10133);
    assert.equal(check({ name: "S", subjects: [">"], no_ack: true }).subjects[0], ">");
    assert.equal(check({ name: "S", subjects: ["$JS.EVENT.>"] }).subjects[0], "$JS.EVENT.>");
  });

  test("mirror and source rules", () => {
    assert.equal(errorOf(() => check({ name: "M", mirror: { name: "O" }, subjects: ["x"] })).err_code, 10034);
    assert.equal(errorOf(() => check({ name: "M", mirror: { name: "O" }, sources: [{ name: "P" }] })).err_code, 10031);
    assert.equal(errorOf(() => check({ name: "M", mirror: { name: "O" }, first_seq: 5 })).err_code, 10143);
    assert.equal(errorOf(() => check({ name: "M", mirror: { name: "a.b" } })).err_code, 10142);
    assert.equal(errorOf(() => check({ name: "M", sources: [{ name: "O" }, { name: "O" }] })).err_code, 10140);
    assert.equal(errorOf(() => check({ name: "M", sources: [{ name: "*" }] })).err_code, 10141);
    const orig = check({ name: "O", allow_direct: true });
    assert.equal(check({ name: "M", mirror: { name: "O" } }, { O: orig }).mirror_direct, true);
    const a = check({ name: "A", subjects: ["a"], sources: [{ name: "B" }] });
    assert.equal(errorOf(() => check({ name: "B", subjects: ["b"], sources: [{ name: "A" }] }, { A: a })).description, "detected cycle");
    assert.equal(check({ name: "M", sources: [{ name: "O" }] }).subjects, undefined);
  });

  test("update rules", () => {
    const old = check({ name: "S", subjects: ["a"], deny_delete: true });
    const upd = (body) => checkStreamUpdate(old, decodeStreamConfig({ name: "S", subjects: ["a"], deny_delete: true, ...body }), lookup());
    assert.equal(errorOf(() => upd({ storage: "memory" })).description, "stream configuration update can not change storage type");
    assert.equal(errorOf(() => upd({ max_consumers: 5 })).description, "stream configuration update can not change MaxConsumers");
    assert.equal(errorOf(() => upd({ retention: "workqueue" })).description, "stream configuration update can not change retention policy to/from workqueue");
    assert.equal(errorOf(() => upd({ deny_delete: false })).description, "stream configuration update can not cancel deny message deletes");
    assert.equal(errorOf(() => upd({ mirror: { name: "X" } })).err_code, 10034);
    const sealed = upd({ sealed: true, max_age: 5e9 });
    assert.deepEqual([sealed.max_age, sealed.discard, sealed.deny_purge, sealed.allow_rollup_hdrs], [0, "new", true, false]);
    assert.equal(upd({ subjects: ["a", "b"] }).subjects.length, 2);
  });

  test("error table: Go's facts and placeholders", () => {
    assert.deepEqual(jsError("streamNotFound"), { code: 404, err_code: 10059, description: "stream not found" });
    assert.deepEqual(jsError("streamWrongLastSequence", { seq: 7 }), { code: 400, err_code: 10071, description: "wrong last sequence: 7" });
    assert.equal(jsError("insufficientResources").code, 503);
    const codes = Object.values(JS_ERRORS).map((e) => e[1]);
    assert.equal(new Set(codes).size, codes.length);
  });
});

describe("account-level jetstream config", () => {
  const read = (text) => {
    const issues = [];
    const limits = accountLimitsFromPlain(plainValue(parseNodes(text).get("jetstream")), (m) => issues.push(m));
    return { limits, issues };
  };
  test("enabled / disabled / a block of limits, with Go's aliases", () => {
    assert.equal(read("jetstream: enabled").limits.max_streams, -1);
    assert.equal(read("jetstream: disabled").limits, null);
    const { limits, issues } = read("jetstream { max_mem: 1000, disk: 2000, streams: 3, consumers: 4, max_bytes_required: true, mem_max_stream_bytes: 5, store_max_stream_bytes: 6, max_ack_pending: 7, nope: 1 }");
    assert.deepEqual(limits, { max_memory: 1000, max_storage: 2000, max_streams: 3, max_consumers: 4, max_ack_pending: 7, memory_max_stream_bytes: 5, storage_max_stream_bytes: 6, max_bytes_required: true });
    assert.deepEqual(issues, ['unknown field "nope"']);
    assert.deepEqual(read("jetstream { max_streams: x }").issues, ['Expected a parseable size for "max_streams", got x']);
  });
});
