// Differential auth check: the same config files and the same raw protocol
// scripts against the Go nats-server (the reference) and tsnats. Transcripts
// (INFO reduced to its key set, so ids, ports and nonces do not matter) and
// whether the server closed each connection must be identical. Covers every
// mechanism with right/wrong/missing credentials, permission forms, queue
// permissions, deny filtering of wildcard deliveries, allow_responses,
// no_auth_user, the auth timeout, input before CONNECT, and the startup
// errors for bad combinations. Skipped when nats-server is not on PATH.
import { test, describe, after } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { createUser } from "@nats-io/nkeys";
import { RawClient } from "../helpers/raw-client.js";
import { startServer, sleep } from "../helpers/server.js";
import { goServerPath, startGoServer, freePort } from "../helpers/go-server.js";
import { BIN, startTsnats } from "../helpers/tsnats-process.js";
import { loadConfigFile } from "../../dist/config/index.js";
import { runWithConfig } from "../helpers/config-run.js";

const goBin = goServerPath();
const nkUser = createUser();
const NKEY = nkUser.getPublicKey();
const otherNkey = createUser();
// bcrypt of "secret" (cost 4 keeps the tests fast).
const HASH = "$2b$04$y/2pU83TWPOQYTvWCu07z.odmT2wlDCksWY7u982qgEz5DAweESfm";

const CONFIGS = {
  token: `authorization { token: "s3cr3t" }`,
  bcryptToken: `authorization { token: "${HASH}" }`,
  single: `authorization { user: alice, password: pw }`,
  users: `authorization { users: [ {user: alice, password: pa}, {user: bob, password: "${HASH}"} ] }`,
  nkeys: `authorization { users: [ {nkey: ${NKEY}}, {user: carol, password: pc} ] }`,
  noAuthUser: `no_auth_user: guest\nauthorization { users: [ {user: guest, password: gp, permissions: {publish: "pub.>", subscribe: "sub.>"}}, {user: admin, password: ap} ] }`,
  timeout: `authorization { token: t, timeout: 0.3 }`,
  perms: `authorization {
    users: [
      {user: lister, password: p, permissions: {publish: ["foo", "bar.*"], subscribe: ["foo", "bar.>"]}}
      {user: allowdeny, password: p, permissions: {publish: {allow: "x.>", deny: "x.secret"}, subscribe: {allow: ">", deny: ["priv.>", "foo.secret"]}}}
      {user: queues, password: p, permissions: {subscribe: {allow: ["q.plain", "q.only g1", "q.wild.> grp*", "q.star.> g.*", "q.mixed", "q.mixed g2"], deny: ["q.denyq bad"]}}}
      {user: pub, password: p}
    ]
    permissions: {publish: "default.>", subscribe: "default.>"}
  }`,
  defaults: `authorization { users: [ {user: d, password: p} ], permissions: {publish: "ok", subscribe: {deny: "no"}} }`,
  responses: `authorization { users: [
      {user: svc, password: p, permissions: {subscribe: "req.>", allow_responses: true}}
      {user: svcmax, password: p, permissions: {subscribe: "req.>", allow_responses: {max: 2}}}
      {user: svcttl, password: p, permissions: {subscribe: "req.>", allow_responses: {expires: "250ms"}}}
      {user: client, password: p}
    ] }`,
};

const connect = (fields) => `CONNECT ${JSON.stringify({ verbose: false, pedantic: false, ...fields })}\r\n`;
const as = (user, pass = "p") => connect({ user, pass });
/** CONNECT with the nonce from this connection's INFO signed by `kp`, encoded as `enc`. */
const nkeyConnect = (kp, enc = "base64url", extra = {}) => (info) =>
  connect({ nkey: kp.getPublicKey(), sig: Buffer.from(kp.sign(Buffer.from(info.nonce ?? ""))).toString(enc), ...extra });

/**
 * Scripts: steps [conn, bytes | (info) => bytes, opts?], run in order, each
 * followed by a PING sync (unless `nosync`; `wait` sleeps instead).
 */
const SCRIPTS = [
  // token
  { conf: "token", name: "token: right", steps: [[0, connect({ auth_token: "s3cr3t" }) + "SUB a 1\r\nPUB a 1\r\nx\r\n"]] },
  { conf: "token", name: "token: wrong", steps: [[0, connect({ auth_token: "nope" })]] },
  { conf: "token", name: "token: missing", steps: [[0, connect({})]] },
  { conf: "token", name: "token: a user/password instead", steps: [[0, connect({ user: "s3cr3t", pass: "s3cr3t" })]] },
  { conf: "bcryptToken", name: "bcrypt token: right", steps: [[0, connect({ auth_token: "secret" }) + "PING\r\n"]] },
  { conf: "bcryptToken", name: "bcrypt token: the hash itself is refused", steps: [[0, connect({ auth_token: HASH })]] },
  // single user
  { conf: "single", name: "single user: right", steps: [[0, connect({ user: "alice", pass: "pw" }) + "SUB a 1\r\nPUB a 1\r\nx\r\n"]] },
  { conf: "single", name: "single user: wrong password", steps: [[0, connect({ user: "alice", pass: "px" })]] },
  { conf: "single", name: "single user: wrong user", steps: [[0, connect({ user: "bob", pass: "pw" })]] },
  { conf: "single", name: "single user: missing", steps: [[0, connect({})]] },
  { conf: "single", name: "single user: verbose right gets +OK", steps: [[0, `CONNECT {"verbose":true,"user":"alice","pass":"pw"}\r\n`]] },
  // users
  { conf: "users", name: "users: right", steps: [[0, connect({ user: "alice", pass: "pa" }) + "SUB a 1\r\nPUB a 1\r\nx\r\n"]] },
  { conf: "users", name: "users: wrong password", steps: [[0, connect({ user: "alice", pass: "pb" })]] },
  { conf: "users", name: "users: unknown user", steps: [[0, connect({ user: "zed", pass: "pa" })]] },
  { conf: "users", name: "users: missing", steps: [[0, connect({})]] },
  { conf: "users", name: "users: bcrypt right, input after CONNECT kept in order", steps: [[0, connect({ user: "bob", pass: "secret" }) + "SUB a 1\r\nPUB a 1\r\nx\r\nPING\r\n"]] },
  { conf: "users", name: "users: bcrypt wrong", steps: [[0, connect({ user: "bob", pass: "secrex" }) + "PING\r\n"]] },
  { conf: "users", name: "users: bcrypt hash sent as the password", steps: [[0, connect({ user: "bob", pass: HASH })]] },
  { conf: "users", name: "users: a second CONNECT with a wrong password closes", steps: [[0, connect({ user: "alice", pass: "pa" }) + connect({ user: "alice", pass: "x" })]] },
  // nkeys
  { conf: "nkeys", name: "nkey: right (base64url signature)", steps: [[0, (info) => nkeyConnect(nkUser)(info) + "SUB a 1\r\nPUB a 1\r\nx\r\n"]] },
  { conf: "nkeys", name: "nkey: right (std base64 signature)", steps: [[0, nkeyConnect(nkUser, "base64")]] },
  { conf: "nkeys", name: "nkey: signature by another key", steps: [[0, (info) => connect({ nkey: NKEY, sig: Buffer.from(otherNkey.sign(Buffer.from(info.nonce))).toString("base64url") })]] },
  { conf: "nkeys", name: "nkey: signature missing", steps: [[0, connect({ nkey: NKEY })]] },
  { conf: "nkeys", name: "nkey: signature not base64", steps: [[0, connect({ nkey: NKEY, sig: "!!!" })]] },
  { conf: "nkeys", name: "nkey: unknown key", steps: [[0, nkeyConnect(otherNkey)]] },
  { conf: "nkeys", name: "nkey: missing credentials", steps: [[0, connect({})]] },
  { conf: "nkeys", name: "nkey config: a password user still works", steps: [[0, connect({ user: "carol", pass: "pc" }) + "PING\r\n"]] },
  { conf: "nkeys", name: "nkey config: a wrong password", steps: [[0, connect({ user: "carol", pass: "x" })]] },
  // no_auth_user
  { conf: "noAuthUser", name: "no_auth_user: no credentials is the user, with its permissions", steps: [[0, connect({}) + "SUB sub.a 1\r\nSUB other 2\r\nPUB pub.a 1\r\nx\r\nPUB other 1\r\nx\r\n"]] },
  { conf: "noAuthUser", name: "no_auth_user: wrong credentials are refused", steps: [[0, connect({ user: "admin", pass: "bad" })]] },
  { conf: "noAuthUser", name: "no_auth_user: another user's credentials", steps: [[0, connect({ user: "admin", pass: "ap" }) + "SUB other 2\r\nPUB other 1\r\nx\r\n"]] },
  { conf: "noAuthUser", name: "no_auth_user: PING without CONNECT (telnet style)", steps: [[0, "PING\r\nSUB other 1\r\nSUB sub.x 2\r\n"]] },
  // timeout and input before CONNECT
  { conf: "timeout", name: "auth timeout: no CONNECT", steps: [[0, "", { nosync: true, wait: 700 }]] },
  { conf: "timeout", name: "auth timeout: partial CONNECT line", steps: [[0, "CONN", { nosync: true, wait: 700 }]] },
  {
    conf: "token",
    name: "PUB before CONNECT: violation, nothing delivered",
    steps: [
      [0, connect({ auth_token: "s3cr3t" }) + "SUB foo 1\r\n"],
      [1, "PUB foo 2\r\nhi\r\n", { nosync: true, wait: 150 }],
      [0, ""],
    ],
  },
  { conf: "token", name: "SUB before CONNECT", steps: [[0, "SUB foo 1\r\n" + connect({ auth_token: "s3cr3t" }), { nosync: true, wait: 150 }]] },
  { conf: "token", name: "PING before CONNECT", steps: [[0, "PING\r\n", { nosync: true, wait: 150 }]] },
  { conf: "token", name: "stray CRLF before CONNECT", steps: [[0, "\r\n" + connect({ auth_token: "s3cr3t" }), { nosync: true, wait: 150 }]] },
  { conf: "token", name: "CONNECT naming an account is refused", steps: [[0, connect({ auth_token: "s3cr3t", account: "A" })]] },
  { conf: "token", name: "CONNECT asking for a new account is refused", steps: [[0, connect({ auth_token: "s3cr3t", new_account: true })]] },
  { conf: "token", name: "CONNECT and PUB in one write, right token", steps: [[0, connect({ auth_token: "s3cr3t" }) + "SUB z 1\r\nPUB z 1\r\nq\r\n"]] },
  // permissions
  { conf: "perms", name: "publish list: allowed and denied", steps: [[0, as("lister") + "SUB foo 1\r\nSUB bar.> 2\r\nPUB foo 1\r\na\r\nPUB bar.x 1\r\nb\r\nPUB bar.x.y 1\r\nc\r\nPUB baz 1\r\nd\r\n"]] },
  { conf: "perms", name: "subscribe list: allowed and denied, wildcards", steps: [[0, as("lister") + "SUB foo 1\r\nSUB bar.* 2\r\nSUB bar.> 3\r\nSUB baz 4\r\nSUB > 5\r\nSUB foo.* 6\r\n"]] },
  { conf: "perms", name: "verbose: no +OK for a violation", steps: [[0, `CONNECT {"verbose":true,"user":"lister","pass":"p"}\r\nPUB baz 0\r\n\r\nSUB baz 1\r\nPUB foo 0\r\n\r\n`]] },
  { conf: "perms", name: "allow/deny publish", steps: [[0, as("allowdeny") + "SUB x.> 1\r\nPUB x.a 1\r\na\r\nPUB x.secret 1\r\nb\r\nPUB y 1\r\nc\r\n"]] },
  { conf: "perms", name: "allow/deny subscribe", steps: [[0, as("allowdeny") + "SUB priv.a 1\r\nSUB priv.> 2\r\nSUB foo.secret 3\r\nSUB foo.* 4\r\nSUB anything 5\r\n"]] },
  {
    conf: "perms",
    name: "deny filters deliveries to wildcard subscriptions",
    steps: [
      [0, as("allowdeny") + "SUB foo.* 1\r\nSUB > 2\r\n"],
      [1, as("pub") + "PUB foo.secret 1\r\ns\r\nPUB foo.ok 1\r\no\r\nPUB priv.x 1\r\np\r\n"],
      [0, ""],
    ],
  },
  {
    conf: "perms",
    name: "a queue member whose deny rule refuses a message leaves it to another member",
    steps: [
      [0, as("allowdeny") + "SUB foo.* g 1\r\n"],
      [1, as("pub") + "SUB foo.* g 1\r\n"],
      [2, as("pub") + "PUB foo.secret 1\r\n1\r\nPUB foo.secret 1\r\n2\r\nPUB foo.secret 1\r\n3\r\nPUB foo.secret 1\r\n4\r\nPUB foo.secret 1\r\n5\r\nPUB foo.secret 1\r\n6\r\n"],
      [1, ""],
      [0, ""],
    ],
  },
  {
    conf: "perms",
    name: "queue permissions",
    steps: [[0, as("queues") + "SUB q.plain 1\r\nSUB q.plain any 2\r\nSUB q.only 3\r\nSUB q.only g1 4\r\nSUB q.only g2 5\r\nSUB q.wild.a grpx 6\r\nSUB q.wild.a other 7\r\nSUB q.star.a g.1 13\r\nSUB q.star.a h.1 14\r\nSUB q.star.a g 15\r\nSUB q.mixed 8\r\nSUB q.mixed g2 9\r\nSUB q.mixed g3 10\r\nSUB q.denyq 11\r\nSUB q.denyq bad 12\r\n"]],
  },
  { conf: "perms", name: "block default permissions for users without their own", steps: [[0, as("pub") + "SUB default.a 1\r\nSUB foo 2\r\nPUB default.a 1\r\nx\r\nPUB foo 1\r\ny\r\n"]] },
  { conf: "defaults", name: "default permissions: publish list and subscribe deny", steps: [[0, as("d") + "SUB ok 1\r\nSUB no 2\r\nSUB other 3\r\nPUB ok 1\r\nx\r\nPUB other 1\r\ny\r\n"]] },
  // allow_responses
  {
    conf: "responses",
    name: "allow_responses default: one reply, then violation",
    steps: [
      [0, as("svc") + "SUB req.a 1\r\nPUB other 0\r\n\r\n"],
      [1, as("client") + "SUB inbox.1 9\r\nPUB req.a inbox.1 1\r\nq\r\n"],
      [0, "PUB inbox.1 1\r\nr\r\nPUB inbox.1 1\r\ns\r\nPUB inbox.2 1\r\nt\r\n"],
      [1, ""],
    ],
  },
  {
    conf: "responses",
    name: "allow_responses max 2",
    steps: [
      [0, as("svcmax") + "SUB req.a 1\r\n"],
      [1, as("client") + "SUB inbox.1 9\r\nPUB req.a inbox.1 1\r\nq\r\n"],
      [0, "PUB inbox.1 1\r\nr\r\nPUB inbox.1 1\r\ns\r\nPUB inbox.1 1\r\nt\r\n"],
      [1, ""],
    ],
  },
  {
    conf: "responses",
    name: "allow_responses expires",
    steps: [
      [0, as("svcttl") + "SUB req.a 1\r\n"],
      [1, as("client") + "SUB inbox.1 9\r\nSUB inbox.2 8\r\nPUB req.a inbox.1 1\r\nq\r\nPUB req.a inbox.2 1\r\nq\r\n"],
      [0, "PUB inbox.1 1\r\nr\r\n"],
      [0, "", { wait: 500 }],
      [0, "PUB inbox.2 1\r\ns\r\n"],
      [1, ""],
    ],
  },
];

/** Configs nats-server refuses at startup: exit code and message must match. */
const BAD_CONFIGS = [
  ["token with user", `authorization { token: x, user: a, password: b }`],
  ["token with users", `authorization { token: x, users: [{user: a, password: b}] }`],
  ["single user with users", `authorization { user: x, users: [{user: a, password: b}] }`],
  ["unknown no_auth_user", `no_auth_user: zz\nauthorization { users: [{user: a, password: b}] }`],
  ["no_auth_user without users", `no_auth_user: zz`],
  ["duplicate user", `authorization { users: [{user: a, password: b}, {user: a, password: c}] }`],
  ["bad nkey", `authorization { users: [{nkey: UBAD}] }`],
  // Go locates this at whichever field its map iteration saw last: the position is not compared.
  ["nkey with a password", `authorization { users: [{nkey: ${NKEY}, password: x}] }`, { anyPosition: true }],
  ["user entry without a user", `authorization { users: [{password: b}] }`],
  ["invalid permission subject", `authorization { users: [{user: a, permissions: {publish: "foo..bar"}}] }`],
  ["three-field permission subject", `authorization { users: [{user: a, permissions: {subscribe: ["foo bar baz"]}}] }`],
  ["unknown subject permission field", `authorization { users: [{user: a, permissions: {pub: {allow: "x", denny: "y"}}}] }`],
  ["unknown permissions field", `authorization { users: [{user: a, permissions: {bogus: 1}}] }`],
  ["allow_responses not a map", `authorization { users: [{user: a, permissions: {allow_responses: "x"}}] }`],
  ["allow_responses expires not a duration", `authorization { users: [{user: a, permissions: {allow_responses: {expires: 5}}}] }`],
  ["unknown user field", `authorization { users: [{user: a, account: B}] }`],
  ["unknown authorization field", `authorization { foo: 1 }`],
];

async function open(port) {
  const c = await RawClient.connect(port);
  await c.waitFor(/^INFO .*\r\n/).catch(() => {});
  return c;
}

const countPings = (text) => text.split("\n").filter((l) => /^ping/i.test(l)).length;

async function waitPongs(c, n) {
  await c.waitFor(() => c.count("PONG\r\n") >= n, 3000).catch((e) => {
    if (!c.closed) throw e;
  });
}

async function runScript(port, script) {
  const conns = [];
  const pongs = [];
  try {
    for (const [i, step, o = {}] of script.steps) {
      if (!conns[i]) {
        conns[i] = await open(port);
        pongs[i] = 0;
      }
      const c = conns[i];
      const bytes = typeof step === "function" ? step(c.info() ?? {}) : step;
      pongs[i] += countPings(bytes);
      if (!c.closed && (bytes || !o.nosync)) c.send(bytes + (o.nosync ? "" : "PING\r\n"));
      if (o.wait) await sleep(o.wait);
      if (!o.nosync) await waitPongs(c, (pongs[i] += 1));
    }
    for (let i = 0; i < conns.length; i++) {
      if (conns[i].closed) continue;
      conns[i].send("PING\r\n");
      await waitPongs(conns[i], (pongs[i] += 1));
    }
    return conns.map((c) => c.data.replace(/^INFO (.*) \r\n/, (_, j) => `INFO ${Object.keys(JSON.parse(j)).sort().join(",")}\r\n`) + (c.closed ? "<closed>" : ""));
  } finally {
    for (const c of conns) c?.close();
  }
}


describe("auth: tsnats vs nats-server", { skip: goBin ? false : "nats-server not on PATH" }, () => {
  const tmp = goBin ? fs.mkdtempSync(path.join(os.tmpdir(), "auth-diff-")) : "";
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const confFile = (name, text) => {
    const f = path.join(tmp, `${name}.conf`);
    // First line left blank: nats-server counts columns on line 1 differently.
    fs.writeFileSync(f, `# ${name}\n${text}\n`);
    return f;
  };

  for (const [name, text] of Object.entries(CONFIGS)) {
    describe(`config ${name}`, () => {
      let go;
      let ts;
      const file = goBin ? confFile(name, text) : "";
      const up = async () => {
        if (go) return;
        const { options } = loadConfigFile(file);
        [go, ts] = await Promise.all([startGoServer(["-c", file]), startServer({ ...options, host: "127.0.0.1", port: 0 })]);
      };
      after(async () => {
        await go?.stop();
        await ts?.shutdown();
      });

      test("INFO: auth_required and nonce as Go", async () => {
        await up();
        const [g, t] = await Promise.all([RawClient.open(go.port), RawClient.open(ts.port)]);
        try {
          const gi = g.info();
          const ti = t.info();
          assert.equal(ti.auth_required, gi.auth_required);
          assert.equal(typeof ti.nonce, typeof gi.nonce);
          if (gi.nonce) assert.equal(ti.nonce.length, gi.nonce.length);
        } finally {
          g.close();
          t.close();
        }
      });

      for (const script of SCRIPTS.filter((s) => s.conf === name)) {
        test(script.name, async () => {
          await up();
          const [want, got] = await Promise.all([runScript(go.port, script), runScript(ts.port, script)]);
          assert.deepEqual(got, want);
        });
      }
    });
  }

  test("monitoring: /varz auth_required, /connz?auth=1 authorized_user and close reasons as Go", async () => {
    const file = confFile("mon", CONFIGS.noAuthUser);
    const { options } = loadConfigFile(file);
    const httpPort = await freePort();
    const [go, ts] = await Promise.all([startGoServer(["-c", file, "-m", String(httpPort)]), startServer({ ...options, host: "127.0.0.1", port: 0, httpPort: -1 })]);
    const urls = [`http://127.0.0.1:${httpPort}`, ts.monitorUrl];
    const ports = [go.port, ts.port];
    try {
      const views = await Promise.all(
        [0, 1].map(async (i) => {
          const ok = await RawClient.open(ports[i]);
          ok.send(connect({ user: "admin", pass: "ap" }) + "PING\r\n");
          await ok.waitFor("PONG");
          const guest = await RawClient.open(ports[i]);
          guest.send(connect({ name: "g" }) + "PING\r\n");
          await guest.waitFor("PONG");
          const bad = await RawClient.open(ports[i]);
          bad.send(connect({ user: "admin", pass: "nope" }));
          await bad.waitClosed();
          const get = async (p) => (await fetch(urls[i] + p)).json();
          const varz = await get("/varz");
          const open = await get("/connz?auth=1");
          const closed = await get("/connz?state=closed&auth=1");
          ok.close();
          guest.close();
          return {
            auth_required: varz.auth_required,
            open: open.connections.map((c) => c.authorized_user ?? null).sort(),
            // The Go helper's start-up probe (a bare TCP connect, no user) is listed too: leave it out.
            closed: closed.connections.filter((c) => c.authorized_user !== undefined).map((c) => [c.authorized_user, c.reason]),
          };
        }),
      );
      assert.deepEqual(views[1], views[0]);
      assert.deepEqual(views[0].closed.at(-1), ["admin", "Authentication Failure"]);
    } finally {
      await go.stop();
      await ts.shutdown();
    }
  });

  test("nonces differ per connection", async () => {
    const { options } = loadConfigFile(confFile("nk2", CONFIGS.nkeys));
    const ts = await startServer({ ...options, host: "127.0.0.1", port: 0 });
    try {
      const [a, b] = await Promise.all([RawClient.open(ts.port), RawClient.open(ts.port)]);
      assert.notEqual(a.info().nonce, b.info().nonce);
      assert.match(a.info().nonce, /^[A-Za-z0-9_-]{15}$/);
      a.close();
      b.close();
    } finally {
      await ts.shutdown();
    }
  });

  const FLAG_CASES = [
    [["--user", "u", "--pass", "p"], [connect({ user: "u", pass: "p" }) + "SUB a 1\r\nPUB a 1\r\nx\r\n", connect({ user: "u", pass: "x" }), connect({})]],
    [["--auth", "tok"], [connect({ auth_token: "tok" }) + "PING\r\n", connect({ auth_token: "bad" })]],
  ];
  for (const [flags, sends] of FLAG_CASES) {
    test(`command line ${flags.join(" ")}`, async () => {
      const port = await freePort();
      const [go, ts] = await Promise.all([startGoServer(flags), startTsnats(["-a", "127.0.0.1", "-p", String(port), ...flags])]);
      try {
        for (const bytes of sends) {
          const script = { steps: [[0, bytes]] };
          const [want, got] = await Promise.all([runScript(go.port, script), runScript(port, script)]);
          assert.deepEqual(got, want);
        }
      } finally {
        await go.stop();
        await ts.kill();
      }
    });
  }

  for (const [name, text, how = {}] of BAD_CONFIGS) {
    test(`startup refused: ${name}`, async () => {
      const file = confFile(`bad-${name.replace(/\W+/g, "-")}`, text);
      const [g, t] = await Promise.all([runWithConfig(goBin, [], file), runWithConfig(process.execPath, [BIN], file)]);
      assert.equal(g.code, 1);
      assert.equal(t.code, g.code);
      const norm = (s) => {
        const line = s.replace(/^(nats-server|tsnats): /m, "").split("\n")[0].trim();
        return how.anyPosition ? line.replace(/^\S+:\d+:\d+: /, "") : line;
      };
      assert.equal(norm(t.stderr), norm(g.stderr));
    });
  }
});
