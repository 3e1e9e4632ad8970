// The C client (libnats 3.4.1, built with gcc) against tsnats and the Go
// nats-server 2.9.10 side by side, same configuration files: the scenario
// program test/interop/clients/c-client.c prints a transcript per group (core
// pub/sub, request/reply, headers, drain, limits; reconnect after a restart
// and lame duck mode (notice, listener closed, clients closed after the grace
// period); user/password, bcrypt, nkeys, permissions; token; accounts with
// service and stream imports, no_auth_user and the system account; bad input,
// limits, no echo, allow_responses, verbose/pedantic, non-ASCII subjects in
// permissions, mappings and imports, large payloads; TLS with client
// certificates mapped to a user) and each section of tsnats' transcript must
// equal the Go server's.
// Skipped when gcc, libnats-dev or nats-server is missing.
import { describe, test } from "node:test";
import bcrypt from "bcryptjs";
import { cClientMissing, buildCClient, clientSuite, tlsGroups } from "../helpers/client-programs.js";
import { haveOpenssl } from "../helpers/certs.js";
import { CONFS } from "./clients/confs.js";

const skip = cClientMissing();

describe("the C client against tsnats and nats-server", { skip, timeout: 120_000 }, () => {
  const suite = clientSuite(buildCClient, "tsnats-c-client-");
  const group = suite.group;

  test("core", (t) =>
    group(t, "core", CONFS.core, {
      expect: {
        pubsub: ['  msg foo "hello" reply=false'],
        queue: ["  queue total=20 plain=20"],
        request: ["  new-style: re:new", "  old-style: re:old"],
        headers: ["  header: Trace=abc def X-One=1,2", "  header: Echo=q1"],
        "no-responders": ["  request: No responders available for request (NATS_NO_RESPONDERS)"],
        drain: ["  handled=10", "  closed after drain: true"],
        "max-payload": ["  publish too big: Maximum Payload Exceeded (NATS_MAX_PAYLOAD)"],
      },
    }));

  test("reconnect and lame duck", (t) =>
    group(t, "restart", CONFS.restart, {
      expect: { reconnect: ['  msg rc "after restart" reply=false'], "lame-duck": ["  lame duck mode notified", "  closed by the server: true"] },
    }));

  test("user/password, nkey, permissions", (t) =>
    group(t, "auth", CONFS.auth(suite.nkey.pub, bcrypt.hashSync("pw2", 4)), {
      args: [`seed=${suite.nkey.seedFile}`, `pub=${suite.nkey.pub}`],
      expect: {
        nkey: ["  seed file: connected", "  callback: connected"],
        permissions: ['  publish denied: Not Permitted: Permissions Violation for Publish to "forbidden.x"', '  msg open.x "fine" reply=false'],
      },
    }));

  test("token", (t) => group(t, "token", CONFS.token, { expect: { token: ["  token: connected"] } }));

  test("accounts and the system account", (t) =>
    group(t, "accounts", CONFS.accounts, {
      expect: { "service-import": ["  request: echo:hi"], "stream-import": ['  msg imp.news.today "headline" reply=false'],
        "utf8-imports": ["  service: echo:frage", '  msg ü.nachrichten.ö "neu" reply=false'],
        "no-auth-user": ["  request as the no_auth_user: echo:anon"],
        "system-account": ["  ping: server=yes statsz=yes connections=yes name_srv=yes", "  connect event: client_connect=yes acc_A=yes name=yes lang_c=yes"] },
    }));

  test("limits, bad input, no echo, allow_responses, verbose and pedantic, large payloads", (t) =>
    group(t, "edge", CONFS.edge, {
      expect: {
        "max-subscriptions": ["  connected: false; last error: Error maximum subscriptions exceeded"],
        "deny-under-wildcard": ['  msg open.x "seen" reply=false', "  next: Timeout"],
        "utf8-subjects": ['  publish denied: Not Permitted: Permissions Violation for Publish to "tschüss.x"', '  msg birnen.rot "mapped" reply=false'],
        "large-payloads": ["  got 1048576 bytes, intact=true", "  burst received=5000"],
      },
    }));

  test("TLS: verify, and verify_and_map", { skip: !haveOpenssl() && "openssl is not installed" }, (t) =>
    tlsGroups(t, group, CONFS, '  mapped user\'s permissions: Not Permitted: Permissions Violation for Publish to "t.denied"'));
});
