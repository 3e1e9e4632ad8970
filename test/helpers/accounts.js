// Test helper: Options from nats-server config text (for accounts blocks,
// which are long to write as AccountConfig objects), and a started embedded
// server with them.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfigFile } from "../../dist/config/index.js";
import { startServer } from "./server.js";

/** Options parsed from config text (throws the ConfigError nats-server would print). */
export function optionsFromConf(text) {
  const dir = mkdtempSync(join(tmpdir(), "tsnats-acc-"));
  try {
    const file = join(dir, "server.conf");
    writeFileSync(file, text);
    const { options } = loadConfigFile(file);
    delete options.configFile;
    return options;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Start a quiet embedded server with the accounts (and anything else) of `conf`. */
export function startWithAccounts(conf, extra = {}) {
  return startServer({ ...optionsFromConf(conf), ...extra });
}
