// Config errors: the ConfigError type thrown by the config loader and the
// formatting of its locations the way the Go nats-server does
// ("file:line:col: reason"). This file must not parse or read anything.

/** One located problem found in a configuration. */
export interface ConfigIssue {
  /** Config file the problem is in ("" when parsing a string). */
  file: string;
  /** 1-based; 0 when unknown. */
  line: number;
  /** 1-based; 0 when unknown. */
  column: number;
  /** The reason alone, without location (Go's wording). */
  reason: string;
}

/** "file:line:col: reason", or just the reason when there is no location. */
export function formatIssue(issue: ConfigIssue): string {
  if (issue.line <= 0) return issue.reason;
  const where = issue.file ? `${issue.file}:${issue.line}:${issue.column}` : `${issue.line}:${issue.column}`;
  return `${where}: ${issue.reason}`;
}

/**
 * A configuration file (or string) could not be used. `message` lists every
 * problem, one per line, warnings first (the order nats-server prints them).
 * `file`, `line`, `column` and `reason` describe the first error.
 */
export class ConfigError extends Error {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly reason: string;
  readonly errors: ConfigIssue[];
  readonly warnings: ConfigIssue[];

  constructor(errors: ConfigIssue[], warnings: ConfigIssue[] = []) {
    super([...warnings, ...errors].map(formatIssue).join("\n"));
    this.name = "ConfigError";
    const first = errors[0] ?? warnings[0] ?? { file: "", line: 0, column: 0, reason: "invalid configuration" };
    this.file = first.file;
    this.line = first.line;
    this.column = first.column;
    this.reason = first.reason;
    this.errors = errors;
    this.warnings = warnings;
  }

  static at(file: string, line: number, column: number, reason: string): ConfigError {
    return new ConfigError([{ file, line, column, reason }]);
  }
}
