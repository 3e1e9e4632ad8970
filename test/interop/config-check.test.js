// Differential config check against the Go reference server: for every
// fixture in test/fixtures/config/{valid,invalid}, `nats-server -t -c X` and
// tsnats must agree on valid vs invalid — both the library (loadConfigFile,
// with warnings fatal as under -t) and the CLI (`node bin/tsnats.js -t -c X`).
// For rejected files the reasons must match Go's text, locations aside.
// Skipped when nats-server is not installed.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { loadConfigFile } from "../../dist/config/index.js";
import { goServerPath } from "../helpers/go-server.js";

const repo = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const fixtures = path.join(repo, "test", "fixtures", "config");
/** The CLI under test; TSNATS_CLI may point elsewhere (e.g. to try a work-in-progress build). */
const cli = process.env.TSNATS_CLI ?? path.join(repo, "bin", "tsnats.js");
const fixtureEnv = { TSNATS_FIXTURE_PORT: "4333", TSNATS_FIXTURE_NAME: "envname" };
const childEnv = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/tmp", ...fixtureEnv };

const goServer = goServerPath();

/**
 * nats-server 2.9.10 has no include-recursion check: it overflows its stack
 * after ~10 s and exits 2. Those fixtures are expected invalid without
 * running Go, to keep the suite fast.
 */
const GO_TOO_SLOW = new Set(["include-recursion.conf"]);

/**
 * Fixtures whose error text deliberately differs: for an invalid weighted
 * mapping nats-server 2.9.10 panics while formatting its error and prints
 * "interface conversion: interface {} is []interface {}, not string";
 * tsnats reports the actual problem instead.
 */
const TEXT_DIFFERS = new Set(["mapping-weights-over-100.conf"]);

function run(cmd, args) {
  return new Promise((resolve) => {
    execFile(cmd, args, { env: childEnv, timeout: 8_000, killSignal: "SIGKILL", encoding: "utf8", maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === "number" ? err.code : err.killed ? "timeout" : String(err.code)) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Reasons only: drop "nats-server: " and any "file.conf:line:col: " locations; one entry per line. */
function reasons(text) {
  return text
    .replace(/^nats-server: /, "")
    .split("\n")
    .map((l) => l.replace(/\S*\.conf:\d+:\d+: /g, "").trim())
    .filter(Boolean)
    .sort();
}

let cliProbe = null;
/**
 * Whether the CLI implements -t -c at all: checking a valid config (one that
 * would listen on a random port) must exit 0 promptly. Probed once, so a CLI
 * that ignores -t and starts a server fails every fixture quickly instead of
 * starting a server per fixture.
 */
function cliSupportsCheck() {
  cliProbe ??= run(process.execPath, [cli, "-t", "-c", path.join(fixtures, "valid", "listen-random.conf")]).then(
    (r) => r.code === 0,
  );
  return cliProbe;
}

function ours(file) {
  try {
    loadConfigFile(file, { env: fixtureEnv, warningsAsErrors: true });
    return { ok: true, message: "" };
  } catch (e) {
    return { ok: false, message: e.message };
  }
}

const corpus = ["valid", "invalid"].flatMap((kind) =>
  fs
    .readdirSync(path.join(fixtures, kind))
    .filter((f) => f.endsWith(".conf"))
    .sort()
    .map((name) => ({ kind, name, file: path.join(fixtures, kind, name) })),
);

describe("config check: tsnats vs nats-server -t", { concurrency: 8 }, () => {
  for (const { kind, name, file } of corpus) {
    test(`${kind}/${name}`, async (t) => {
      if (!goServer) return t.skip("nats-server is not installed");
      const expectValid = kind === "valid";
      const mine = ours(file);

      let goValid = expectValid;
      if (!GO_TOO_SLOW.has(name)) {
        const go = await run(goServer, ["-t", "-c", file]);
        goValid = go.code === 0;
        assert.equal(goValid, expectValid, `nats-server disagrees with the fixture's folder: ${go.stderr}`);
        if (!goValid && !TEXT_DIFFERS.has(name)) {
          assert.deepEqual(reasons(mine.message), reasons(go.stderr), "error text differs from nats-server");
        }
      }
      assert.equal(mine.ok, goValid, `loadConfigFile: ${mine.message}`);

      assert.ok(fs.existsSync(cli), `${cli} does not exist yet (the CLI must support -t -c)`);
      assert.ok(await cliSupportsCheck(), `${cli} -t -c valid/listen-random.conf did not exit 0 promptly: the CLI must check the config and exit`);
      const r = await run(process.execPath, [cli, "-t", "-c", file]);
      assert.notEqual(r.code, "timeout", "tsnats -t did not exit");
      assert.equal(r.code === 0, goValid, `tsnats -t -c exited ${r.code}: ${r.stderr}`);
    });
  }
});
