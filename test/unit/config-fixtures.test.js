// Loads every config fixture in test/fixtures/config: files under valid/ must
// load, files under invalid/ must be rejected with a located ConfigError.
// Several fixtures are re-typed examples from the docs.nats.io configuration
// pages; their mapped values are checked here. (The interop test checks the
// same corpus against nats-server itself.)
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { loadConfigFile, ConfigError } from "../../dist/config/index.js";

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "fixtures", "config");
/** Environment the fixtures expect (see valid/variables-env.conf). */
const FIXTURE_ENV = { TSNATS_FIXTURE_PORT: "4333", TSNATS_FIXTURE_NAME: "envname" };
const env = { ...FIXTURE_ENV };
const list = (sub) => fs.readdirSync(path.join(root, sub)).filter((f) => f.endsWith(".conf")).sort();
const load = (name) => loadConfigFile(path.join(root, "valid", name), { env, warningsAsErrors: true });

describe("valid fixtures load", () => {
  for (const name of list("valid")) {
    test(name, () => {
      const { options, tree } = load(name);
      assert.equal(options.configFile, path.join(root, "valid", name));
      assert.equal(typeof tree, "object");
    });
  }
});

describe("invalid fixtures are rejected with a location", () => {
  for (const name of list("invalid")) {
    test(name, () => {
      const file = path.join(root, "invalid", name);
      assert.throws(
        () => loadConfigFile(file, { env, warningsAsErrors: true }),
        (e) => e instanceof ConfigError && e.file === file && e.line > 0 && e.column > 0 && e.message.startsWith(`${file}:`),
      );
    });
  }
});

describe("mapped values of selected fixtures", () => {
  test("docs configuration example", () => {
    const { options: o, tree } = load("docs-configuration-example.conf");
    assert.equal(o.port, 4242);
    assert.equal(o.host, "127.0.0.1");
    assert.equal(o.httpPort, 8222);
    assert.equal(o.trace, true);
    assert.equal(o.logtime, false);
    assert.equal(o.maxControlLine, 512);
    assert.equal(o.maxPayload, 65536);
    assert.equal(o.pingInterval, 60_000);
    assert.equal(o.writeDeadline, 2000);
    assert.deepEqual(tree.cluster.routes, ["nats-route://user1:pass1@127.0.0.1:4245", "nats-route://user2:pass2@127.0.0.1:4246"]);
    assert.equal(tree.cluster.authorization.timeout, 0.5);
  });
  test("docs variables example", () => {
    assert.equal(load("docs-variables.conf").tree.authorization.token, "secret");
  });
  test("docs include example", () => {
    const { options: o, tree } = load("docs-include-server.conf");
    assert.equal(o.host, "127.0.0.1");
    assert.equal(tree.authorization.token, "f0oBar");
  });
  test("docs subject mapping example", () => {
    const { options: o } = load("docs-subject-mapping.conf");
    const bySource = Object.fromEntries(o.mappings.map((m) => [m.source, m.destinations]));
    assert.deepEqual(Object.keys(bySource).sort(), [
      "bar.*.*", "foo", "foo.cluster.scoped", "foo.loss.>", "myservice.request", "myservice.test.*",
    ]);
    assert.deepEqual(bySource["bar.*.*"], [{ subject: "baz.$2.$1", weight: 100 }]);
    assert.deepEqual(bySource["foo.cluster.scoped"], [{ subject: "bar.cluster.scoped", weight: 100, cluster: "us-west-1" }]);
    assert.deepEqual(bySource["myservice.request"].map((d) => d.weight), [90, 10]);
  });
  test("docs monitoring, logging and timeouts examples", () => {
    assert.equal(load("docs-monitoring.conf").options.httpHost, "localhost");
    const log = load("docs-logging.conf").options;
    assert.equal(log.logSizeLimit, 1024 ** 3);
    assert.equal(log.logFile, "/tmp/nats-server.log");
    const t = load("docs-timeouts.conf").options;
    assert.deepEqual([t.pingInterval, t.pingMax, t.writeDeadline, t.lameDuckDuration, t.lameDuckGracePeriod], [120_000, 2, 10_000, 120_000, 10_000]);
  });
  test("docs jetstream example is mapped", () => {
    const { options: o } = load("docs-jetstream.conf");
    assert.equal(o.jetstream.maxStore, 10e9);
  });
  test("includes resolve relative to each including file", () => {
    const { options: o } = load("include-nested.conf");
    assert.equal(o.serverName, "nested");
    assert.equal(o.port, 4334);
    assert.equal(o.maxPayload, 2 * 1024 * 1024);
    assert.equal(o.maxConnections, 50);
    const m = load("include-in-block.conf").options.mappings;
    assert.deepEqual(m.map((x) => x.source).sort(), ["x.*", "z"]);
  });
  test("environment variables", () => {
    const { options: o } = load("variables-env.conf");
    assert.equal(o.port, 4333);
    assert.equal(o.serverName, "envname");
  });
  test("strings with escapes and a text block", () => {
    assert.equal(load("strings.conf").options.serverName, 'quoted "name" with \t tab and A');
    assert.equal(load("block-string.conf").options.serverName, "\na multi-line\ntext block\n");
  });
});
