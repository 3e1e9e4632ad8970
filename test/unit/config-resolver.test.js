// Unit tests for the operator-mode resolver block and resolver_tls in config
// files (src/config/operator.ts): Go's defaults (full: no limit, a sync
// every minute; cache: 1000 JWTs, kept until they expire) and nats-server
// 2.10's hard_delete rules.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadConfigFile } from "../../dist/config/index.js";
import { makeOperator } from "../helpers/jwt-fixtures.js";

let dir;
let op;
let n = 0;
before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "tsnats-resolver-conf-"));
  op = await makeOperator();
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const load = (resolver, extra = "") => {
  const file = path.join(dir, `c${++n}.conf`);
  fs.writeFileSync(file, `operator: ${op.jwt}\nresolver: ${resolver}\n${extra}`);
  return loadConfigFile(file).options;
};

describe("resolver block", () => {
  test("full: Go's defaults, interval and limit as given, hard_delete", () => {
    assert.deepEqual(load(`{ type: full, dir: "${dir}/a" }`).accountResolver, { type: "full", dir: `${dir}/a`, allowDelete: false, hardDelete: false, interval: 60000, timeout: 0, limit: 0 });
    const r = load(`{ type: full, dir: "${dir}/a", allow_delete: true, hard_delete: true, interval: "2m", timeout: "1s", limit: 5 }`).accountResolver;
    assert.deepEqual(r, { type: "full", dir: `${dir}/a`, allowDelete: true, hardDelete: true, interval: 120000, timeout: 1000, limit: 5 });
  });
  test("cache: Go's defaults and ttl as given", () => {
    assert.deepEqual(load(`{ type: cache, dir: "${dir}/c" }`).accountResolver, { type: "cache", dir: `${dir}/c`, ttl: 0, timeout: 0, limit: 1000 });
    assert.deepEqual(load(`{ type: cache, dir: "${dir}/c", ttl: "90s", limit: 3 }`).accountResolver, { type: "cache", dir: `${dir}/c`, ttl: 90000, timeout: 0, limit: 3 });
  });
  test("hard_delete errors as nats-server 2.10", () => {
    assert.throws(() => load(`{ type: cache, dir: "${dir}/c", hard_delete: true }`), /CACHE does not accept hard_delete/);
    assert.throws(() => load(`{ type: full, dir: "${dir}/c", hard_delete: true }`), /hard_delete has no effect without delete/);
  });
  test("resolver_tls is a TLS block for the URL resolver", () => {
    const o = load("URL(https://127.0.0.1:1/jwt/v1/accounts/)", `resolver_tls { ca_file: "/x/ca.pem", insecure: true }\n`);
    assert.equal(o.accountResolverTls.caFile, "/x/ca.pem");
    assert.equal(o.accountResolverTls.insecure, true);
  });
});
