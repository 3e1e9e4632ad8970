// Public entry point of the config package: parse nats-server configuration
// text into a plain tree, and load a config file into Options (plus the raw
// tree and any warnings). Errors are ConfigError with Go-style
// "file:line:col: reason" messages. This file only wires the lexer, parser
// and option mapper together; the CLI decides what to do with the result.

import * as fs from "node:fs";
import type { Options } from "../options.js";
import { ConfigError, formatIssue } from "./errors.js";
import { mapOptions } from "./options-map.js";
import { describeFsError, parseNodes, toPlain } from "./parser.js";

export { ConfigError, type ConfigIssue } from "./errors.js";
export { isKnownTopLevelKey } from "./options-map.js";

export interface LoadConfigOptions {
  /**
   * Treat warnings (e.g. `ping_interval: 5` instead of "5s") as errors.
   * nats-server does this for `-t` (config check) but not when starting.
   */
  warningsAsErrors?: boolean;
  /** Environment for `$VAR` references; defaults to process.env. */
  env?: NodeJS.ProcessEnv;
}

export interface LoadedConfig {
  /** Settings found in the file; anything absent keeps its default. */
  options: Partial<Options>;
  /** The whole parsed file as plain data, including blocks not mapped to Options. */
  tree: Record<string, unknown>;
  /** Formatted like nats-server: "file:line:col: invalid use of field ...". */
  warnings: string[];
}

/**
 * Parse configuration text into plain data (objects, arrays, strings,
 * numbers, booleans, Dates) with variables and includes resolved. Includes
 * are relative to `file`'s directory (the current directory without a file).
 * Throws ConfigError.
 */
export function parseConfig(text: string, file?: string): Record<string, unknown> {
  return toPlain(parseNodes(text, file ?? ""));
}

/** Read, parse and map a config file. Throws ConfigError listing every problem. */
export function loadConfigFile(file: string, opts: LoadConfigOptions = {}): LoadedConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new ConfigError([{ file, line: 0, column: 0, reason: describeFsError(file, e) }]);
  }
  const root = parseNodes(text, file, { env: opts.env });
  const { options, errors, warnings } = mapOptions(root);
  if (errors.length > 0 || (opts.warningsAsErrors && warnings.length > 0)) {
    throw new ConfigError(errors, warnings);
  }
  options.configFile = file;
  return { options, tree: toPlain(root), warnings: warnings.map(formatIssue) };
}
