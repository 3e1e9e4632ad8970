// Auth building blocks without a server: the config mapping of
// `authorization`/`no_auth_user`, the Authenticator's decisions (order,
// constant-time plain secrets, bcrypt, nkey signatures, no_auth_user), the
// compiled permissions (non-ASCII rules against wire subjects) and their
// bounded per-connection caches, and the
// bounded allow_responses tracker.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import bcrypt from "bcryptjs";
import { createUser } from "@nats-io/nkeys";
import { loadConfigFile } from "../../dist/config/index.js";
import { Authenticator, constantTimeEqual } from "../../dist/auth/authenticator.js";
import { CompiledPermissions, ConnectionPermissions } from "../../dist/auth/permissions.js";
import { subjectIsSubsetMatch as isSubsetMatch } from "../../dist/sublist/subject-trie.js";
import { ResponseTracker } from "../../dist/auth/response-tracker.js";
import { isBcrypt } from "../../dist/auth/model.js";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "auth-unit-"));
let n = 0;
const load = (text) => {
  const f = path.join(dir, `${n++}.conf`);
  fs.writeFileSync(f, text);
  return loadConfigFile(f);
};
const creds = (c = {}) => ({ user: "", pass: "", authToken: "", nkey: "", sig: "", ...c });
const auth = (o) => new Authenticator({ username: "", password: "", authToken: "", users: null, nkeys: null, noAuthUser: "", ...o });

describe("config mapping", () => {
  test("authorization block → Options fields; the tree keeps the block", () => {
    const { options: o, tree } = load(`no_auth_user: a\nauthorization { timeout: 0.5, users: [ {user: a, password: p, permissions: {publish: "x", subscribe: {allow: ["y"], deny: "z"}, allow_responses: {max: 3, expires: "1s"}}}, {user: b, password: q} ], permissions: {publish: ["d"]} }\n`);
    assert.equal(o.noAuthUser, "a");
    assert.equal(o.authTimeout, 500);
    assert.deepEqual(o.users[0], { username: "a", password: "p", permissions: { publish: { allow: ["x"] }, subscribe: { allow: ["y"], deny: ["z"] }, responses: { max: 3, expires: 1000 } } });
    // Block permissions are the default for users without their own.
    assert.deepEqual(o.users[1].permissions, { publish: { allow: ["d"] } });
    assert.equal(tree.authorization.timeout, 0.5);
  });
  test("single user, token, nkeys; `users: []` means no users", () => {
    assert.deepEqual(pick(load("authorization { user: u, password: p }\n").options), { username: "u", password: "p", authToken: "" });
    assert.equal(load("authorization { token: t }\n").options.authToken, "t");
    const kp = createUser();
    assert.deepEqual(load(`authorization { users: [ {nkey: ${kp.getPublicKey()}} ] }\n`).options.nkeys, [{ nkey: kp.getPublicKey() }]);
    assert.equal(load("authorization { users: [] }\n").options.users, undefined);
  });
  test("allow_responses: true takes Go's defaults and turns off the blanket publish allow", () => {
    const p = load("authorization { users: [ {user: a, permissions: {allow_responses: true}} ] }\n").options.users[0].permissions;
    assert.deepEqual(p, { responses: { max: 1, expires: 120000 }, publish: { allow: [] } });
  });
});

function pick(o) {
  return { username: o.username, password: o.password, authToken: o.authToken };
}

describe("Authenticator", () => {
  test("not required: anything goes, no user registered", () => {
    const a = auth({});
    assert.equal(a.required, false);
    assert.deepEqual(a.check(creds({ user: "x" }), ""), { ok: true });
  });
  test("token and single user; plain secrets compare in constant time", () => {
    assert.equal(auth({ authToken: "t" }).check(creds({ authToken: "t" }), "").ok, true);
    assert.equal(auth({ authToken: "t" }).check(creds({ authToken: "tt" }), "").ok, false);
    assert.equal(auth({ username: "u", password: "p" }).check(creds({ user: "u", pass: "p" }), "").ok, true);
    assert.equal(auth({ username: "u", password: "p" }).check(creds({ user: "v", pass: "p" }), "").ok, false);
    assert.equal(constantTimeEqual("abc", "abc"), true);
    assert.equal(constantTimeEqual("abc", "abd"), false);
    assert.equal(constantTimeEqual("abc", "abcd"), false);
  });
  test("bcrypt: asynchronous verdict; the hash itself is not a password; a known secret skips the compare", async () => {
    const hash = bcrypt.hashSync("pw", 4);
    assert.ok(isBcrypt(hash));
    const a = auth({ users: [{ username: "u", password: hash }] });
    const v = a.check(creds({ user: "u", pass: "pw" }), "");
    assert.ok(v instanceof Promise);
    const ok = await v;
    assert.equal(ok.ok, true);
    assert.equal(ok.user.name, "u");
    assert.equal((await a.check(creds({ user: "u", pass: hash }), "")).ok, false);
    assert.equal(a.check(creds({ user: "u", pass: "pw" }), "", ok.matchedSecret).ok, true);
  });
  test("nkey: signature over the nonce, url-safe or standard base64", () => {
    const kp = createUser();
    const a = auth({ nkeys: [{ nkey: kp.getPublicKey() }] });
    assert.equal(a.nonceRequired, true);
    const nonce = a.newNonce();
    assert.match(nonce, /^[A-Za-z0-9_-]{15}$/);
    const sig = Buffer.from(kp.sign(Buffer.from(nonce)));
    assert.equal(a.check(creds({ nkey: kp.getPublicKey(), sig: sig.toString("base64url") }), nonce).ok, true);
    assert.equal(a.check(creds({ nkey: kp.getPublicKey(), sig: sig.toString("base64") }), nonce).ok, true);
    assert.deepEqual(a.check(creds({ nkey: kp.getPublicKey(), sig: sig.toString("base64url") }), a.newNonce()), { ok: false, debug: "Signature not verified" });
    assert.deepEqual(a.check(creds({ nkey: kp.getPublicKey() }), nonce), { ok: false, debug: "Signature missing" });
  });
  test("no_auth_user: empty credentials become that user", () => {
    const a = auth({ users: [{ username: "g", password: "x" }], noAuthUser: "g" });
    const c = creds();
    const v = a.check(c, "");
    assert.equal(v.ok, true);
    assert.equal(v.user.name, "g");
    assert.equal(c.user, "g");
    assert.equal(a.check(creds({ user: "g", pass: "wrong" }), "").ok, false);
  });
  test("lookupUser: a configured user with its compiled permissions", () => {
    const a = auth({ users: [{ username: "m", password: "", permissions: { publish: { allow: ["a"] } } }] });
    const u = a.lookupUser("m");
    assert.equal(u.kind, "user");
    assert.equal(u.permissions.pubAllow.match("a").psubs.length, 1);
    assert.equal(a.lookupUser("nobody"), undefined);
  });
});

describe("permissions", () => {
  test("publish decisions are cached, boundedly", () => {
    const p = new ConnectionPermissions(new CompiledPermissions({ publish: { allow: ["ok.>"], deny: ["ok.no"] } }));
    assert.equal(p.canPublish("ok.a"), true);
    assert.equal(p.canPublish("ok.no"), false);
    assert.equal(p.canPublish("x"), false);
    for (let i = 0; i < 1000; i++) p.canPublish(`ok.${i}`);
    // Internal, but the bound is the point: it never holds more than Go's 128 (+1 before a prune).
    assert.ok(p.pubCache.size <= 129, `cache size ${p.pubCache.size}`);
  });
  test("queue permissions as Go: plain-only, queue-only, mixed, wildcard queue names", () => {
    const p = new ConnectionPermissions(new CompiledPermissions({ subscribe: { allow: ["a", "b q1", "c", "c q2", "d.> w.*"] } }));
    assert.equal(p.canSubscribe("a"), true);
    assert.equal(p.canSubscribe("a", "any"), true);
    assert.equal(p.canSubscribe("b"), false);
    assert.equal(p.canSubscribe("b", "q1"), true);
    assert.equal(p.canSubscribe("c", "q3"), false);
    assert.equal(p.canSubscribe("c", "q2"), true);
    assert.equal(p.canSubscribe("d.x", "w.1"), true);
    assert.equal(p.canSubscribe("d.x", "v.1"), false);
  });
  test("a wildcard SUB overlapping a deny rule switches on delivery filtering", () => {
    const p = new ConnectionPermissions(new CompiledPermissions({ subscribe: { deny: ["s.secret"] } }));
    assert.equal(p.filtersDeliveries, false);
    assert.equal(p.canSubscribe("s.plain"), true);
    assert.equal(p.filtersDeliveries, false);
    assert.equal(p.canSubscribe("s.*"), true);
    assert.equal(p.filtersDeliveries, true);
    assert.equal(p.admitDelivery("s.secret", undefined), false);
    assert.equal(p.admitDelivery("s.ok", undefined), true);
  });
  test("non-ASCII rules match the bytes a client sends (wire subjects are one char per byte)", () => {
    const wire = (text) => Buffer.from(text, "utf8").toString("latin1");
    const p = new ConnectionPermissions(new CompiledPermissions({ publish: { deny: ["tschüss.>"] }, subscribe: { allow: ["grüße.>", "q.ä grüppe"], deny: ["grüße.geheim"] } }));
    assert.equal(p.canPublish(wire("tschüss.x")), false);
    assert.equal(p.canPublish(wire("tschuss.x")), true);
    assert.equal(p.canSubscribe(wire("grüße.welt")), true);
    assert.equal(p.canSubscribe(wire("grüße.geheim")), false);
    assert.equal(p.canSubscribe(wire("q.ä"), wire("grüppe")), true);
    assert.equal(p.canSubscribe(wire("grüße.*")), true);
    assert.equal(p.admitDelivery(wire("grüße.geheim"), undefined), false);
  });
  test("isSubsetMatch as Go's subjectIsSubsetMatch", () => {
    assert.equal(isSubsetMatch("foo.bar", "foo.*"), true);
    assert.equal(isSubsetMatch("foo.*", ">"), true);
    assert.equal(isSubsetMatch("foo.*", "foo.bar"), false);
    assert.equal(isSubsetMatch("foo.>", "foo.*"), false);
    assert.equal(isSubsetMatch("a.b.c", "a.>"), true);
    // An empty token never matches, on either side (Go).
    assert.equal(isSubsetMatch("a..b", "a..b"), false);
    assert.equal(isSubsetMatch("a.b", "a..b"), false);
  });
});

describe("ResponseTracker", () => {
  test("max uses and expiry", async () => {
    const t = new ResponseTracker({ max: 2, expires: 50 });
    t.grant("r");
    assert.equal(t.use("r"), true);
    assert.equal(t.use("r"), true);
    assert.equal(t.use("r"), false);
    t.grant("e");
    await new Promise((r) => setTimeout(r, 80));
    assert.equal(t.use("e"), false);
  });
  test("cannot grow without bound", () => {
    const t = new ResponseTracker({ max: -1, expires: -1 });
    for (let i = 0; i < 20000; i++) t.grant(`r.${i}`);
    assert.ok(t.size <= 4097, `size ${t.size}`);
    // The newest grants survive.
    assert.equal(t.use("r.19999"), true);
  });
});
