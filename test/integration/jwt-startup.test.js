// Operator-mode start-up refusals of the embedding API, as nats-server
// 2.10: an operator's assert_server_version newer than this server (or
// malformed), configured accounts, and an auth_callout block beside an
// operator. A version this server satisfies starts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { startServer } from "../helpers/server.js";
import { makeOperator, memoryOptions } from "../helpers/jwt-fixtures.js";

const T = { timeout: 20000 };

test("assert_server_version: older or equal starts, newer or malformed is refused with Go's error", T, async () => {
  for (const v of ["2.10.0", "2.9.99", "1.0.0"]) {
    const op = await makeOperator({ operator: { assert_server_version: v } });
    const s = await startServer(memoryOptions(op, []));
    await s.shutdown();
  }
  const cases = [
    ["2.11.0", (k) => `operator ${k} expected minor version 11 > server minor version 10`],
    ["2.10.1", (k) => `operator ${k} expected update version 1 > server update version 0`],
    ["3.0.0", (k) => `operator ${k} expected major version 3 > server major version 2`],
    ["2.10", (k) => `operator ${k} expects version 2.10 got error instead: asserted server version must be of the form <major>.<minor>.<update>`],
    ["2.y.0", (k) => `operator ${k} expects version 2.y.0 got error instead: asserted server version cant parse y to int`],
  ];
  for (const [v, msg] of cases) {
    const op = await makeOperator({ operator: { assert_server_version: v } });
    await assert.rejects(startServer(memoryOptions(op, [])), { message: msg(op.kp.getPublicKey()) });
  }
});

test("operator mode refuses configured accounts and an auth_callout block", T, async () => {
  const op = await makeOperator();
  await assert.rejects(startServer(memoryOptions(op, [], { accounts: [{ name: "X", users: [] }] })), { message: "operators do not allow Accounts to be configured directly" });
  const callout = { issuer: op.sys.getPublicKey(), account: "$G", authUsers: ["svc"], xkey: "", allowedAccounts: [] };
  await assert.rejects(startServer(memoryOptions(op, [], { authCallout: callout })), { message: "operators do not allow authorization callouts to be configured directly" });
});
