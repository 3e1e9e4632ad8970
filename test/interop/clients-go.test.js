// nats.go (Debian's 1.22.1, built offline) against tsnats and the Go
// nats-server 2.9.10 side by side, same configuration files: the scenario
// program test/interop/clients/go-client.go prints a transcript per group
// (core pub/sub, request/reply, headers, drain, limits; reconnect after a
// restart and lame duck mode (notice, listener closed, clients closed after
// the grace period); user/password, bcrypt, nkeys, permissions; token;
// accounts with service and stream imports, no_auth_user and the system
// account; bad input, limits, no echo, allow_responses, verbose/pedantic,
// non-ASCII subjects in permissions, mappings and imports, large payloads;
// WebSocket; TLS with client certificates mapped to a user) and each section
// of tsnats' transcript must equal the Go server's.
// Skipped when go, nats.go or nats-server is missing.
import { describe, test } from "node:test";
import bcrypt from "bcryptjs";
import { goClientMissing, buildGoClient, clientSuite, tlsGroups } from "../helpers/client-programs.js";
import { haveOpenssl } from "../helpers/certs.js";
import { CONFS } from "./clients/confs.js";

const skip = goClientMissing();

describe("nats.go against tsnats and nats-server", { skip, timeout: 120_000 }, () => {
  const suite = clientSuite(buildGoClient, "tsnats-go-client-");
  const group = suite.group;

  test("core", (t) =>
    group(t, "core", CONFS.core, {
      expect: {
        pubsub: ['  msg foo "hello" reply=false'],
        queue: ["  queue total=20 plain=20"],
        request: ["  new-style: re:new", "  old-style: re:old"],
        headers: ["  header: Trace=abc def X-One=1,2"],
        "no-responders": ["  new-style: nats: no responders available for request"],
        drain: ["  handled=10 valid=false"],
        "max-payload": ["  publish too big: nats: maximum payload exceeded"],
      },
    }));

  test("reconnect and lame duck", (t) =>
    group(t, "restart", CONFS.restart, {
      expect: { reconnect: ['  msg rc "after restart" reply=false'], "lame-duck": ["  lame duck mode notified", "  closed by the server; last error: EOF"] },
    }));

  test("user/password, nkey, permissions", (t) =>
    group(t, "auth", CONFS.auth(suite.nkey.pub, bcrypt.hashSync("pw2", 4)), {
      args: [`seed=${suite.nkey.seedFile}`],
      expect: { nkey: ["  seed file connected; flush: ok", "  callback connected; flush: ok"], permissions: ['  publish denied: nats: Permissions Violation for Publish to "forbidden.x" (sub "")', '  msg open.x "fine" reply=false'] },
    }));

  test("token", (t) => group(t, "token", CONFS.token, { expect: { token: ["  connected; flush: ok"] } }));

  test("accounts and the system account", (t) =>
    group(t, "accounts", CONFS.accounts, {
      expect: { "service-import": ["  request: echo:hi"], "stream-import": ['  msg imp.news.today "headline" reply=false'],
        "utf8-imports": ["  service: antwort", '  msg ü.nachrichten.ö "neu" reply=false'],
        "no-auth-user": ["  request as the no_auth_user: echo:anon"],
        "non-ascii-account": ['  connect event "$SYS.ACCOUNT.Müller.CONNECT" acc="Müller"', '  $SYS.REQ.ACCOUNT.Müller.CONNZ: connections=1 error=""', '  $SYS.REQ.ACCOUNT.PING.CONNZ: connections=1 error=""'],
        "system-account": ["  ping server name: srv", "  disconnect event: type=io.nats.server.advisory.v1.client_disconnect reason=Client Closed name=watched sent=1/5", "  connect event: type=io.nats.server.advisory.v1.client_connect acc=A user=a name=watched lang=go"] },
    }));

  test("limits, bad input, no echo, allow_responses, verbose and pedantic, large payloads", (t) =>
    group(t, "edge", CONFS.edge, {
      expect: {
        "max-subscriptions": ["  connected: false; last error: nats: maximum subscriptions exceeded"],
        "deny-under-wildcard": ['  msg open.x "seen" reply=false', "  next: nats: timeout"],
        "utf8-subjects": ['  publish denied: nats: Permissions Violation for Publish to "tschüss.x" (sub "")', '  msg birnen.rot "mapped" reply=false'],
        "large-payloads": ["  got 1048576 bytes, intact=true", "  burst received=5000"],
      },
    }));

  test("WebSocket", (t) =>
    group(t, "websocket", CONFS.websocket, {
      scheme: "ws",
      extraPort: true,
      expect: { websocket: ['  msg ws.a "over websocket" reply=false', "  200000 bytes, header K=v"] },
    }));

  test("TLS: verify, and verify_and_map", { skip: !haveOpenssl() && "openssl is not installed" }, (t) =>
    tlsGroups(t, group, CONFS, '  mapped user\'s permissions: nats: Permissions Violation for Publish to "t.denied" (sub "")'));
});
