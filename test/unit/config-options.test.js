// Unit tests for mapping config files onto Options (src/config/options-map.ts,
// src/config/subject-mappings.ts) through loadConfigFile. Error texts and
// validity match nats-server 2.9.10 (`nats-server -t`), except for the
// documented tsnats additions (logtime_utc, tags, auth_timeout, ...).
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadConfigFile, ConfigError } from "../../dist/config/index.js";
import { resolveOptions } from "../../dist/options.js";

let dir;
let n = 0;
before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "tsnats-options-"));
});
after(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function write(text) {
  const file = path.join(dir, `c${++n}.conf`);
  fs.writeFileSync(file, text);
  return file;
}
const load = (text, opts) => loadConfigFile(write(text), opts);
const options = (text) => load(text).options;
function loadError(text, opts) {
  const file = write(text);
  try {
    loadConfigFile(file, opts);
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected ConfigError, got ${e}`);
    return { e, file };
  }
  assert.fail(`expected ${JSON.stringify(text)} to be rejected`);
}

describe("network keys", () => {
  test("listen host:port, :port, -1 and plain port", () => {
    assert.deepEqual(options("listen: 127.0.0.1:4333\n"), { host: "127.0.0.1", port: 4333, configFile: path.join(dir, `c${n}.conf`) });
    const o = options('listen: ":-1"\n');
    assert.equal(o.port, -1);
    assert.equal(o.host, undefined, "an empty host keeps the default interface");
    assert.equal(resolveOptions(o).port, 0, "-1 resolves to a random port");
    assert.equal(options("listen: 4444\n").port, 4444);
    assert.deepEqual(options('listen: "[::1]:4555"\n').host, "::1");
  });
  test("host/net and port", () => {
    assert.deepEqual(options("net: 10.0.0.1\nport: 5000\n").host, "10.0.0.1");
    assert.equal(options("host: localhost\n").host, "localhost");
    assert.equal(options("port: 5000\n").port, 5000);
  });
  test("bad listen values", () => {
    assert.equal(loadError('listen: "localhost"\n').e.reason, 'could not parse address string "localhost"');
    assert.equal(loadError('listen: "h:x"\n').e.reason, 'could not parse port "x"');
    assert.equal(loadError('listen: "a:b:1"\n').e.reason, 'could not parse address string "a:b:1"');
    assert.equal(loadError("listen: true\n").e.reason, "expected port or host:port, got bool");
  });
  test("server_name, client_advertise", () => {
    const o = options('server_name: "n1"\nclient_advertise: "nats.example.com:4222"\n');
    assert.equal(o.serverName, "n1");
    assert.equal(o.clientAdvertise, "nats.example.com:4222");
  });
  test("monitoring: http, http_port / monitor_port, http_base_path", () => {
    const o = options('http: "127.0.0.1:8222"\nhttp_base_path: "/mon"\n');
    assert.equal(o.httpHost, "127.0.0.1");
    assert.equal(o.httpPort, 8222);
    assert.equal(o.httpBasePath, "/mon");
    assert.equal(options("http_port: 8333\n").httpPort, 8333);
    assert.equal(options("monitor_port: -1\n").httpPort, -1);
    assert.equal(options("http: 8444\n").httpPort, 8444);
  });
});

describe("limits and sizes", () => {
  test("sizes are bytes, with Go's suffix meanings", () => {
    const o = options("max_payload: 2MB\nmax_pending: 64MB\nmax_control_line: 4k\nlog_size_limit: 1GB\nmax_traced_msg_len: 1KB\n");
    assert.equal(o.maxPayload, 2 * 1024 * 1024);
    assert.equal(o.maxPending, 64 * 1024 * 1024);
    assert.equal(o.maxControlLine, 4000);
    assert.equal(o.logSizeLimit, 1024 ** 3);
    assert.equal(o.maxTracedMsgLen, 1024);
  });
  test("max_payload and max_control_line must fit in an int32 (2G fits, 2GB does not)", () => {
    assert.equal(options("max_payload: 2G\n").maxPayload, 2e9);
    const { e, file } = loadError("max_payload: 2GB\n");
    assert.equal(e.message, `${file}:1:1: max_payload value is too big`);
    assert.equal(loadError("Max_Control_Line: 3g\n").e.reason, "Max_Control_Line value is too big");
  });
  test("connection and subscription limits with aliases", () => {
    assert.equal(options("max_connections: 10\n").maxConnections, 10);
    assert.equal(options("max_conn: 11\n").maxConnections, 11);
    assert.equal(options("max_subscriptions: 12\n").maxSubscriptions, 12);
    assert.equal(options("max_subs: 13\n").maxSubscriptions, 13);
    assert.equal(options("ping_max: 4\n").pingMax, 4);
    assert.equal(options("max_closed_clients: 5\n").maxClosedClients, 5);
  });
  test("wrong value types fail like Go's type assertions", () => {
    assert.equal(loadError('port: "4222"\n').e.reason, "interface conversion: interface {} is string, not int64");
    assert.equal(loadError("max_payload: 1.5\n").e.reason, "interface conversion: interface {} is float64, not int64");
    assert.equal(loadError("server_name: 5\n").e.reason, "interface conversion: interface {} is int64, not string");
    assert.equal(loadError("debug: {}\n").e.reason, "interface conversion: interface {} is map[string]interface {}, not bool");
    assert.equal(loadError("max_subs: [1 ]\n").e.reason, "interface conversion: interface {} is []interface {}, not int64");
  });
});

describe("durations", () => {
  test("duration strings become milliseconds", () => {
    const o = options('ping_interval: "2m"\nwrite_deadline: "1.5s"\nlame_duck_duration: "1h30m"\nlame_duck_grace_period: "250ms"\n');
    assert.equal(o.pingInterval, 120_000);
    assert.equal(o.writeDeadline, 1500);
    assert.equal(o.lameDuckDuration, 90 * 60_000);
    assert.equal(o.lameDuckGracePeriod, 250);
  });
  test("ping_interval/write_deadline as plain integers are seconds, with Go's warning", () => {
    const { options: o, warnings } = load("ping_interval: 30\nwrite_deadline: 3\n");
    assert.equal(o.pingInterval, 30_000);
    assert.equal(o.writeDeadline, 3000);
    assert.equal(warnings.length, 2);
    assert.match(warnings[0], /:1:1: invalid use of field "ping_interval": ping_interval should be converted to a duration$/);
  });
  test("Go quirk: an unquoted 2m is the integer 2,000,000 (seconds!)", () => {
    assert.equal(load("ping_interval: 2m\n").options.pingInterval, 2_000_000_000);
  });
  test("warnings are fatal when asked (nats-server -t does this)", () => {
    const { e } = loadError("ping_interval: 5\n", { warningsAsErrors: true });
    assert.equal(e.errors.length, 0);
    assert.equal(e.warnings.length, 1);
    assert.match(e.message, /invalid use of field "ping_interval"/);
  });
  test("bad durations", () => {
    assert.equal(loadError('write_deadline: "2x"\n').e.reason, 'error parsing write_deadline: time: unknown unit "x" in duration "2x"');
    assert.equal(loadError('ping_interval: "5"\n').e.reason, 'error parsing ping_interval: time: missing unit in duration "5"');
    assert.equal(loadError('ping_interval: "abc"\n').e.reason, 'error parsing ping_interval: time: invalid duration "abc"');
    assert.equal(loadError('lame_duck_duration: "10s"\n').e.reason, "invalid lame_duck_duration of 10s, minimum is 30 seconds");
    assert.equal(loadError('lame_duck_duration: "29500ms"\n').e.reason, "invalid lame_duck_duration of 29.5s, minimum is 30 seconds");
    assert.equal(loadError("lame_duck_duration: 60\n").e.reason, "interface conversion: interface {} is int64, not string");
    assert.equal(loadError('lame_duck_grace_period: "-1s"\n').e.reason, "invalid lame_duck_grace_period, needs to be positive");
  });
  test("auth_timeout accepts seconds or a duration string", () => {
    assert.equal(options("auth_timeout: 3\n").authTimeout, 3000);
    assert.equal(options("auth_timeout: 0.5\n").authTimeout, 500);
    assert.equal(options('auth_timeout: "750ms"\n').authTimeout, 750);
  });
});

describe("logging and misc flags", () => {
  test("booleans", () => {
    const o = options("debug: true\ntrace: yes\nlogtime: off\nlogtime_utc: on\nsyslog: true\nno_header_support: true\ndisable_sublist_cache: true\n");
    assert.deepEqual(
      [o.debug, o.trace, o.logtime, o.logtimeUTC, o.syslog, o.noHeaderSupport, o.disableSublistCache],
      [true, true, false, true, true, true, true],
    );
    assert.equal(options("no_sublist_cache: true\n").disableSublistCache, true);
  });
  test("trace_verbose also turns trace on", () => {
    const o = options("trace_verbose: true\n");
    assert.equal(o.traceVerbose, true);
    assert.equal(o.trace, true);
  });
  test("files and paths, with aliases", () => {
    const o = options('log_file: "/tmp/a.log"\npid_file: "/tmp/a.pid"\nports_file_dir: "/tmp"\nremote_syslog: "udp://h:514"\nlogfile_max_num: 3\n');
    assert.deepEqual(
      [o.logFile, o.pidFile, o.portsFileDir, o.remoteSyslog, o.logFileMaxNum],
      ["/tmp/a.log", "/tmp/a.pid", "/tmp", "udp://h:514", 3],
    );
    assert.equal(options("logfile: x\n").logFile, "x");
    assert.equal(options("pidfile: y\n").pidFile, "y");
    assert.equal(options("logfile_size_limit: 1k\n").logSizeLimit, 1000);
  });
  test("error report intervals", () => {
    const o = options("connect_error_reports: 7\nreconnect_error_reports: 8\n");
    assert.equal(o.connectErrorReports, 7);
    assert.equal(o.reconnectErrorReports, 8);
  });
  test("server_tags/tags are trimmed, lower-cased and de-duplicated (like Go's TagList)", () => {
    assert.deepEqual(options('server_tags: ["Zone:EU ", "zone:eu", b]\n').tags, ["zone:eu", "b"]);
    assert.deepEqual(options("server_tags: single\ntags: [two]\n").tags, ["single", "two"]);
    assert.equal(loadError("server_tags: [true ]\n").e.reason, "error parsing tags: unsupported type *conf.token where string is expected");
    assert.equal(loadError("server_tags: 5\n").e.reason, "error parsing tags: unsupported type int64");
  });
  test("keys are case-insensitive", () => {
    const o = options("DEBUG: true\nPort: 4999\nServer_Name: x\n");
    assert.equal(o.debug, true);
    assert.equal(o.port, 4999);
    assert.equal(o.serverName, "x");
  });
});

describe("unknown and unimplemented keys", () => {
  test("unknown top-level fields are errors at the key's position", () => {
    const { e, file } = loadError("port: 1\n  bogus: 2\n");
    assert.equal(e.message, `${file}:2:3: unknown field "bogus"`);
    assert.equal(e.line, 2);
    assert.equal(e.column, 3);
  });
  test("every problem is reported, one per line", () => {
    const { e } = loadError("a: 1\nport: x\nb: 2\n");
    assert.deepEqual(e.errors.map((i) => i.reason), [
      'unknown field "a"',
      "interface conversion: interface {} is string, not int64",
      'unknown field "b"',
    ]);
    assert.equal(e.message.split("\n").length, 3);
  });
  test("keys only used as $variables are not unknown", () => {
    assert.equal(options("MY_PORT: 4777\nport: $MY_PORT\n").port, 4777);
    assert.equal(loadError("UNUSED: 1\nport: 2\n").e.reason, 'unknown field "UNUSED"');
  });
  test("feature blocks not implemented yet are accepted, kept in the tree and not mapped", () => {
    const text = [
      "cluster { name: c, listen: 127.0.0.1:6222, routes: [nats://127.0.0.1:6223] }",
      "leafnodes { port: 7422 }",
      "gateway { name: g, port: 7222 }",
      "mqtt { port: 1883 }",
      "",
    ].join("\n");
    const { options: o, tree } = load(text);
    assert.deepEqual(Object.keys(o), ["configFile"]);
    assert.equal(load("system_account: SYS\n").options.systemAccount, "SYS");
    assert.equal(tree.cluster.routes[0], "nats://127.0.0.1:6223");
  });
  test("jetstream: bool, enabled/disabled, or a block mapped like Go's parseJetStream", () => {
    assert.equal(options("jetstream: enabled\n").jetstream, true);
    assert.equal(options("jetstream: disabled\n").jetstream, false);
    const o = options("jetstream { store_dir: /tmp/x, max_mem: 1G, max_file_store: 2048, domain: hub, sync_interval: always, limits { duplicate_window: '60s' } }\n");
    assert.equal(o.storeDir, "/tmp/x");
    assert.deepEqual(o.jetstream, { maxMemory: 1e9, maxStore: 2048, domain: "hub", syncAlways: true, maxDuplicateWindow: 60_000 });
    assert.equal(options("jetstream { enabled: false }\n").jetstream, false);
    assert.equal(loadError("jetstream { bogus: 1 }\n").e.reason, 'unknown field "bogus"');
    assert.equal(options("jetstream { max_buffered_size: 64M, max_buffered_msgs: 10000 }\n").jetstream !== false, true);
    assert.equal(loadError("jetstream { max_buffered_msgs: x }\n").e.reason, 'Expected a parseable size for "max_buffered_msgs", got x');
    assert.equal(loadError("jetstream { max_mem: 5X }\n").e.reason, "max_mem_store sizes defined as strings must end in K, M, G, T");
    assert.equal(loadError("store_dir: /a\njetstream { store_dir: /b }\n").e.reason, "Duplicate 'store_dir' configuration");
  });
  test("the shape of jetstream and a few scalar settings is still checked like Go", () => {
    assert.equal(loadError("jetstream: maybe\n").e.reason, "Expected 'enabled' or 'disabled' for string value, got 'maybe'");
    assert.equal(loadError("jetstream: 5\n").e.reason, "Expected map, bool or string to define JetStream, got int64");
    assert.equal(loadError("system_account: 5\n").e.reason, "system account name must be a string");
    assert.equal(loadError("max_sub_tokens: 300\n").e.reason, "max_sub_tokens value is too big");
  });
});

describe("subject mappings", () => {
  test("simple and weighted mappings", () => {
    const o = options(
      [
        "mappings {",
        '  "orders.*": "orders.new.$1"',
        '  canary: [ { destination: canary.v1, weight: 90% }, { destination: canary.v2, weight: "10%" } ]',
        "  scoped: [ { dest: s.west, weight: 100, cluster: west } ]",
        '  single: { destination: "single.x", weight: 40 }',
        "}",
        "",
      ].join("\n"),
    );
    assert.deepEqual(o.mappings, [
      { source: "orders.*", destinations: [{ subject: "orders.new.$1", weight: 100 }] },
      { source: "canary", destinations: [{ subject: "canary.v1", weight: 90 }, { subject: "canary.v2", weight: 10 }] },
      { source: "scoped", destinations: [{ subject: "s.west", weight: 100, cluster: "west" }] },
      { source: "single", destinations: [{ subject: "single.x", weight: 40 }] },
    ]);
  });
  test("mustache functions and wildcard positions", () => {
    const o = options('maps { "a.*.*": "b.{{wildcard(2)}}.{{ Wildcard( 1 ) }}", "p.*": "p.{{partition(3,1)}}.$1", "f.>": "g.>" }\n');
    assert.equal(o.mappings.length, 3);
  });
  const bad = [
    ['mappings { "a..b": c }', 'Subject "a..b" is not a valid subject'],
    ['mappings { "a.*": b }', 'Error adding mapping for "a.*" to "b" : invalid mapping destination: not using all of the token wildcard(s) in b'],
    ['mappings { "a.*": "b.$2" }', 'Error adding mapping for "a.*" to "b.$2" : invalid mapping destination: wildcard index out of range in $2: [2]'],
    ['mappings { "a.*": "b.*" }', 'Error adding mapping for "a.*" to "b.*" : invalid subject'],
    ['mappings { "a.>": "b" }', 'Error adding mapping for "a.>" to "b" : invalid subject'],
    ['mappings { "a.*": "b.{{nope(1)}}" }', 'Error adding mapping for "a.*" to "b.{{nope(1)}}" : invalid mapping destination: unknown function in {{nope(1)}}'],
    ['mappings { "a.*": "b.{{wildcard()}}" }', 'Error adding mapping for "a.*" to "b.{{wildcard()}}" : invalid mapping destination: not enough arguments passed to the function in {{wildcard()}}'],
    ['mappings { "a.*": "b.{{wildcard(x)}}" }', 'Error adding mapping for "a.*" to "b.{{wildcard(x)}}" : invalid mapping destination: function argument is invalid or in the wrong format in {{wildcard(x)}}'],
    ['mappings { "a": "b..c" }', 'Error adding mapping for "a" to "b..c" : invalid mapping destination: invalid subject in '],
    ["mappings { a: [ {destination: b, weight: 60}, {destination: c, weight: 50} ] }", 'Error adding mapping for "a" to "b, c" : total weight needs to be <= 100'],
    ["mappings { a: [ {destination: b, weight: 10}, {destination: b, weight: 10} ] }", 'Error adding mapping for "a" to "b, b" : duplicate entry for "b"'],
    ["mappings { a: [ {destination: b, weight: 101} ] }", "Invalid weight 101 for mapping destination"],
    ['mappings { a: [ {destination: b, weight: "x%"} ] }', 'Invalid weight "x" for mapping destination'],
    ["mappings { a: [ {destination: b} ] }", 'Missing weight for mapping destination "b"'],
    ["mappings { a: [ {destination: b, weight: 1, color: red} ] }", 'Unknown field "color" for mapping destination'],
    ["mappings { a: [ b ] }", "Expected an entry for the mapping destination"],
    ["mappings: x", "interface conversion: interface {} is string, not map[string]interface {}"],
  ];
  for (const [text, reason] of bad) {
    test(`rejects ${text}`, () => {
      assert.equal(loadError(text + "\n").e.reason, reason);
    });
  }
});

describe("loadConfigFile", () => {
  test("returns options, the raw tree and warnings; configFile is set", () => {
    const file = write("port: 4222\nping_interval: 10\ncluster { name: x }\n");
    const r = loadConfigFile(file);
    assert.equal(r.options.configFile, file);
    assert.equal(r.options.port, 4222);
    assert.deepEqual(r.tree, { port: 4222, ping_interval: 10, cluster: { name: "x" } });
    assert.equal(r.warnings.length, 1);
    assert.ok(r.warnings[0].startsWith(`${file}:2:1: `));
  });
  test("a missing file is a ConfigError with Go's text", () => {
    const file = path.join(dir, "missing.conf");
    assert.throws(() => loadConfigFile(file), (e) => e instanceof ConfigError && e.message === `open ${file}: no such file or directory`);
  });
  test("parse errors carry file, line and column", () => {
    const { e, file } = loadError("port: 4222\nserver_name: [\n");
    assert.equal(e.file, file);
    assert.equal(e.line, 3);
    assert.match(e.message, new RegExp(`^${file.replace(/[.\\/]/g, "\\$&")}:3:1: Parse error on line 3: `));
  });
  test("an env option replaces process.env for $VARS", () => {
    assert.equal(load("port: $P\n", { env: { P: "4321" } }).options.port, 4321);
  });
  test("resolveOptions fills in defaults around the loaded values", () => {
    const o = resolveOptions(options("port: 4999\n"));
    assert.equal(o.port, 4999);
    assert.equal(o.maxPayload, 1024 * 1024);
  });
});
