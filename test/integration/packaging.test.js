// Packaging, tried as a new user would: `npm pack` the project, install the
// tarball into a fresh temporary project (offline-friendly: dependencies come
// from the npm cache), then `import { NatsServer } from "tsnats"` starts an
// embedded server with auth, and the installed `tsnats` bin runs. The pack
// uses the dist/ that `npm test` just built (--ignore-scripts), so the test
// does not rebuild dist/ under the other tests' feet.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { ROOT } from "../helpers/tsnats-process.js";

const run = promisify(execFile);
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

test("npm pack → npm install of the tarball → import { NatsServer } from \"tsnats\"", { timeout: 90000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "tsnats-pack-"));
  try {
    await run(npm, ["pack", "--ignore-scripts", "--pack-destination", dir], { cwd: ROOT, timeout: 60000 });
    const tarball = readdirSync(dir).find((f) => f.endsWith(".tgz"));
    assert.ok(tarball, "npm pack wrote a tarball");
    const proj = join(dir, "proj");
    await run("mkdir", [proj]);
    writeFileSync(join(proj, "package.json"), JSON.stringify({ name: "tsnats-consumer", version: "1.0.0", private: true, type: "module" }));
    await run(npm, ["install", join(dir, tarball), "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: proj, timeout: 60000 });
    // Only what the package needs is shipped: no sources, no tests.
    const pkgDir = join(proj, "node_modules", "tsnats");
    assert.ok(existsSync(join(pkgDir, "dist", "index.js")));
    assert.ok(!existsSync(join(pkgDir, "src")));
    assert.ok(!existsSync(join(pkgDir, "test")));

    writeFileSync(
      join(proj, "main.js"),
      `import { NatsServer } from "tsnats";
import * as net from "node:net";
const s = await NatsServer.start({ host: "127.0.0.1", port: 0, authorization: { token: "t0k" } });
const info = await new Promise((resolve, reject) => {
  const c = net.connect(s.port, "127.0.0.1");
  let buf = "";
  c.on("data", (d) => { buf += d; if (buf.includes("\\r\\n")) { c.destroy(); resolve(JSON.parse(buf.slice(5, buf.indexOf(" \\r\\n")))); } });
  c.on("error", reject);
});
await s.shutdown();
console.log(JSON.stringify({ auth_required: info.auth_required, url: s.url }));
`,
    );
    const { stdout } = await run(process.execPath, ["main.js"], { cwd: proj, timeout: 15000 });
    const out = JSON.parse(stdout.trim());
    assert.equal(out.auth_required, true);
    assert.match(out.url, /^nats:\/\/127\.0\.0\.1:\d+$/);

    const bin = await run(join(proj, "node_modules", ".bin", "tsnats"), ["--version"], { cwd: proj, timeout: 15000 });
    assert.match(bin.stdout, /^tsnats: v\d+\.\d+\.\d+/);
    const alias = await run(join(proj, "node_modules", ".bin", "nats-server"), ["--version"], { cwd: proj, timeout: 15000 });
    assert.match(alias.stdout, /^nats-server: v\d+\.\d+\.\d+/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
