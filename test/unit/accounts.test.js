// Accounts without sockets: Go's subject-subset rule for imports against
// exports (public, listed accounts, account token position), the parse
// errors of the accounts block, and the registry's checks.
import { test } from "node:test";
import assert from "node:assert/strict";
import { findApprovedExport, StreamExport } from "../../dist/accounts/exports.js";
import { subjectIsSubsetMatch as isSubsetMatch } from "../../dist/sublist/subject-trie.js";
import { AccountRegistry } from "../../dist/accounts/registry.js";
import { optionsFromConf } from "../helpers/accounts.js";

test("isSubsetMatch: an import may narrow an export, never widen it", () => {
  assert.equal(isSubsetMatch("a.b", "a.*"), true);
  assert.equal(isSubsetMatch("a.b.c", "a.>"), true);
  assert.equal(isSubsetMatch("a.*", "a.*"), true);
  assert.equal(isSubsetMatch("a.*", "a.>"), true);
  assert.equal(isSubsetMatch("a.>", "a.*"), false);
  assert.equal(isSubsetMatch("a.*", "a.b"), false);
  assert.equal(isSubsetMatch("a", "a.>"), false);
  assert.equal(isSubsetMatch("a.b", "a.b.c"), false);
});

test("export approval: public, listed accounts, importer's name at a token position", () => {
  const exports = new Map([
    ["pub.>", new StreamExport("pub.>", { approved: null, accountTokenPosition: 0 })],
    ["priv.>", new StreamExport("priv.>", { approved: new Set(["B"]), accountTokenPosition: 0 })],
    ["acc.*.data", new StreamExport("acc.*.data", { approved: null, accountTokenPosition: 2 })],
  ]);
  assert.ok(findApprovedExport(exports, "X", "pub.x"));
  assert.ok(findApprovedExport(exports, "B", "priv.x"));
  assert.equal(findApprovedExport(exports, "C", "priv.x"), undefined);
  assert.ok(findApprovedExport(exports, "C", "acc.C.data"));
  assert.equal(findApprovedExport(exports, "C", "acc.B.data"), undefined);
  assert.equal(findApprovedExport(exports, "X", "other"), undefined);
});

test("accounts block: Go's parse errors", () => {
  const err = (conf) => {
    try {
      optionsFromConf(conf);
    } catch (e) {
      return e.message;
    }
    return "";
  };
  assert.match(err(`accounts { A: { imports: [{stream: {account: B, subject: x}, prefix: p, to: y}] }, B: {} }`), /Stream import can not have a 'prefix' and a 'to' property/);
  assert.match(err(`accounts { A: { exports: [{stream: x, response: stream}] } }`), /Detected response directive on non-service/);
  assert.match(err(`accounts { A: { exports: [{service: x, response: sometimes}] } }`), /Unknown response type: "sometimes"/);
  assert.match(err(`accounts { A: { exports: [{service: x, threshold: "soon"}] } }`), /Expected response threshold to be a parseable time duration, got "soon"/);
  assert.match(err(`accounts { A: { exports: "x" } }`), /Exports should be an array, got string/);
  assert.match(err(`accounts { A: { imports: [{service: {account: B}}] } }`), /Expect an account name and a subject/);
  assert.match(err(`accounts { A: { nkey: nope } }`), /Not a valid public nkey for an account: "nope"/);
  assert.match(err(`accounts { A: { users: [{user: u}] }, B: { users: [{user: u}] } }`), /Duplicate user "u" detected/);
  assert.match(err(`accounts { A: { bogus: 1 } }`), /unknown field "bogus"/);
  assert.match(err(`authorization { user: x, password: y }\naccounts { A: { users: [{user: u}] } }`), /Can not have a single user\/pass and accounts/);
});

test("account users are users with an account; jetstream is kept as written; limits", () => {
  const o = optionsFromConf(`accounts {
    A: { users: [{user: u, password: p, permissions: {publish: "x"}}], jetstream: {max_mem: 1G}, limits: {max_conn: 3, max_subs: 4, max_payload: 5, max_leafnodes: 6} }
  }`);
  assert.deepEqual(o.users, [{ username: "u", password: "p", permissions: { publish: { allow: ["x"] } }, account: "A" }]);
  assert.deepEqual(o.accounts[0].jetstream, { max_mem: 1_000_000_000 });
  assert.deepEqual(o.accounts[0].limits, { maxConnections: 3, maxSubscriptions: 4, maxPayload: 5, maxLeafnodes: 6 });
});

test("registry: system account by default, reload keeps account objects, extension state survives", () => {
  let cid = 0;
  const r = new AccountRegistry(() => ++cid, true);
  const settings = (accounts) => ({ accounts, systemAccount: "", noSystemAccount: false, mappings: [] });
  const cfg = (name, extra = {}) => ({ name, nkey: "", exports: [], imports: [], mappings: [], limits: { maxConnections: -1, maxSubscriptions: -1, maxPayload: -1, maxLeafnodes: -1 }, ...extra });
  assert.deepEqual(r.configure(settings([cfg("A")])).errors, []);
  assert.deepEqual(r.list().map((a) => a.name).sort(), ["$G", "$SYS", "A"]);
  assert.equal(r.system.name, "$SYS");
  const a = r.get("A");
  a.extensions.set("jetstream", { enabled: true });
  const { removed } = r.configure(settings([cfg("A"), cfg("B")]));
  assert.deepEqual(removed, []);
  assert.equal(r.get("A"), a);
  assert.deepEqual(a.extensions.get("jetstream"), { enabled: true });
  assert.deepEqual(r.configure(settings([cfg("B")])).removed.map((x) => x.name), ["A"]);
  assert.equal(r.get("A"), undefined);
  // Every account but the system account imports the system services.
  assert.deepEqual([...r.get("B").serviceImports.keys()].sort(), ["$SYS.REQ.ACCOUNT.PING.CONNZ", "$SYS.REQ.ACCOUNT.PING.STATZ", "$SYS.REQ.SERVER.PING.CONNZ", "$SYS.REQ.USER.INFO"]);
  assert.equal(r.system.serviceImports.size, 0);
});

test("latency sampling by tracing headers, as Go's shouldSample", async () => {
  const { shouldSample } = await import("../../dist/accounts/trace-sampling.js");
  const hdr = (lines) => Buffer.from(`NATS/1.0\r\n${lines.map((l) => `${l}\r\n`).join("")}\r\n`, "latin1");
  assert.deepEqual(shouldSample(100, null), { sampled: true, header: null });
  assert.deepEqual(shouldSample(0, null), { sampled: false });
  assert.deepEqual(shouldSample(0, hdr(["traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "tracestate: x=1"])), {
    sampled: true,
    header: { Traceparent: ["00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"], Tracestate: ["x=1"] },
  });
  assert.deepEqual(shouldSample(0, hdr(["traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00"])), { sampled: false });
  assert.deepEqual(shouldSample(0, hdr(["X-B3-Sampled: 0", "X-B3-TraceId: 80f198ee56343ba8"])), { sampled: false });
  assert.deepEqual(shouldSample(0, hdr(["X-B3-TraceId: 80f198ee56343ba8", "X-B3-SpanId: e457b5a2e4d86bd1"])).header, { "X-B3-Traceid": ["80f198ee56343ba8"], "X-B3-Spanid": ["e457b5a2e4d86bd1"] });
  assert.equal(shouldSample(0, hdr(["b3: 80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-0"])).sampled, false);
  assert.deepEqual(shouldSample(0, hdr(["uber-trace-id: 479fefe9525eddb:5adb976bfc1f95c1:479fefe9525eddb:1", "uberctx-user: x"])).header, {
    "Uber-Trace-Id": ["479fefe9525eddb:5adb976bfc1f95c1:479fefe9525eddb:1"],
    "Uberctx-User": ["x"],
  });
  assert.equal(shouldSample(0, hdr(["uber-trace-id: 479fefe9525eddb:5adb976bfc1f95c1:479fefe9525eddb:2"])).sampled, false);
});
