// Config parser: builds the configuration tree from the lexer's tokens. It
// owns value conversion (integers with size suffixes, floats, booleans,
// ISO8601 dates), `$variable` resolution (enclosing blocks first, then the
// environment), `include` directives (relative to the including file, with
// recursion detection) and Go nats-server's assignment semantics. Every value
// keeps its file/line/column so later stages can report errors like Go does.
// It must not interpret what keys mean (that is options-map.ts).

import * as fs from "node:fs";
import * as path from "node:path";
import { tokenize, type Token } from "./lexer.js";
import { ConfigError } from "./errors.js";

export type NodeKind = "string" | "integer" | "float" | "bool" | "datetime" | "map" | "array";
export type ConfMap = Map<string, ConfNode>;

/** A parsed value with its source position. */
export interface ConfNode {
  kind: NodeKind;
  value: string | number | boolean | Date | ConfMap | ConfNode[];
  /** File the value came from ("" for text without a file). */
  file: string;
  /** 1-based line and column; for values assigned to a key, the key's position. */
  line: number;
  col: number;
  /** Some `$name` reference took its value from this node. */
  usedAsVariable: boolean;
}

export interface ParseOptions {
  /** Where `$NAME` falls back to when no enclosing block defines NAME. */
  env?: NodeJS.ProcessEnv;
  /** Internal: real paths of the files being parsed, outermost first. */
  fileStack?: string[];
  /** Internal: environment variables currently being expanded. */
  envStack?: string[];
}

/** Go's type name for a value, as it appears in nats-server error messages. */
export function goTypeName(node: ConfNode): string {
  switch (node.kind) {
    case "string":
      return "string";
    case "integer":
      return "int64";
    case "float":
      return "float64";
    case "bool":
      return "bool";
    case "datetime":
      return "time.Time";
    case "map":
      return "map[string]interface {}";
    case "array":
      return "[]interface {}";
  }
}

const SIZE_MULTIPLIERS: Record<string, bigint> = (() => {
  const table: Record<string, bigint> = { "": 1n };
  "kmgtpe".split("").forEach((letter, i) => {
    const power = BigInt(i + 1);
    table[letter] = 1000n ** power;
    for (const binary of ["b", "i", "ib"]) table[letter + binary] = 1024n ** power;
  });
  return table;
})();

/**
 * An integer token, possibly with a size suffix: `1k` = 1000, `1kb`/`1ki`/`1kib`
 * = 1024 (same for m, g, t, p, e; case-insensitive). Returns undefined for a
 * suffix Go lexes but does not understand (e.g. `1kbb`): Go then silently
 * assigns nothing.
 */
function integerValue(text: string): number | undefined {
  let digits = 0;
  for (const c of text) {
    if (!(/\p{Nd}/u.test(c) || c === "-")) break;
    digits += c.length;
  }
  const numStr = text.slice(0, digits);
  if (!/^-?[0-9]+$/.test(numStr)) throw new Error(`expected integer, but got '${text}'`);
  const n = BigInt(numStr);
  if (n > 0x7fffffffffffffffn || n < -0x8000000000000000n) throw new Error(`integer '${text}' is out of the range`);
  const mult = SIZE_MULTIPLIERS[text.slice(digits).trim().toLowerCase()];
  if (mult === undefined) return undefined;
  // Go multiplies int64s and silently wraps on overflow.
  return Number(BigInt.asIntN(64, n * mult));
}

function floatValue(text: string): number {
  const f = /^-?[0-9]+\.[0-9]+$/.test(text) ? Number(text) : NaN;
  if (Number.isNaN(f)) throw new Error(`expected float, but got '${text}'`);
  if (!Number.isFinite(f)) throw new Error(`float '${text}' is out of the range`);
  return f;
}

function dateValue(text: string): Date {
  const m = /^([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})Z$/.exec(text);
  const [y, mo, d, h, mi, s] = (m ?? []).slice(1).map(Number) as number[];
  const daysInMonth = [31, isLeap(y ?? 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][(mo ?? 0) - 1] ?? 0;
  if (!m || mo! < 1 || mo! > 12 || d! < 1 || d! > daysInMonth || h! > 23 || mi! > 59 || s! > 59) {
    throw new Error(`expected Zulu formatted DateTime, but got '${text}'`);
  }
  const date = new Date(Date.UTC(2000, mo! - 1, d!, h!, mi!, s!));
  date.setUTCFullYear(y!);
  return date;
}

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

/** Go's wording for a failed read, e.g. "open x.conf: no such file or directory". */
export function describeFsError(file: string, err: unknown): string {
  const code = (err as NodeJS.ErrnoException)?.code;
  switch (code) {
    case "ENOENT":
      return `open ${file}: no such file or directory`;
    case "EACCES":
      return `open ${file}: permission denied`;
    case "EISDIR":
      return `read ${file}: is a directory`;
    case "ENOTDIR":
      return `open ${file}: not a directory`;
    default:
      return `open ${file}: ${(err as Error)?.message ?? String(err)}`;
  }
}

function realPath(file: string): string {
  try {
    return fs.realpathSync(file);
  } catch {
    return path.resolve(file);
  }
}

interface Frame {
  node: ConfNode;
}

/**
 * Applies tokens to the tree. Like Go, keys wait on a stack until a value is
 * assigned; a key that never gets a value (`a { b }`) stays there, and the
 * next value assigned in a map takes the most recent pending key.
 */
class TreeBuilder {
  private readonly root: ConfNode;
  private readonly frames: Frame[] = [];
  private readonly pendingKeys: Token[] = [];

  constructor(
    private readonly file: string,
    private readonly opts: Required<ParseOptions>,
  ) {
    this.root = this.node("map", new Map(), 1, 1);
    this.frames.push({ node: this.root });
  }

  build(tokens: Token[]): ConfMap {
    for (const tok of tokens) this.apply(tok);
    return this.root.value as ConfMap;
  }

  private node(kind: NodeKind, value: ConfNode["value"], line: number, col: number): ConfNode {
    return { kind, value, file: this.file, line, col, usedAsVariable: false };
  }

  private fail(tok: Token, reason: string): never {
    throw ConfigError.at(this.file, tok.line, tok.col, reason);
  }

  private apply(tok: Token): void {
    const at = (kind: NodeKind, value: ConfNode["value"]) => this.node(kind, value, tok.line, tok.col);
    try {
      switch (tok.kind) {
        case "error":
          return this.fail(tok, `Parse error on line ${tok.line}: '${tok.text}'`);
        case "key":
          this.pendingKeys.push(tok);
          return;
        case "mapStart":
          this.frames.push({ node: at("map", new Map()) });
          return;
        case "arrayStart":
          this.frames.push({ node: at("array", []) });
          return;
        case "mapEnd":
        case "arrayEnd":
          return this.assign(this.frames.pop()!.node);
        case "string":
          return this.assign(at("string", tok.text));
        case "bool":
          return this.assign(at("bool", ["true", "yes", "on"].includes(tok.text.toLowerCase())));
        case "integer": {
          const n = integerValue(tok.text);
          if (n !== undefined) this.assign(at("integer", n));
          return;
        }
        case "float":
          return this.assign(at("float", floatValue(tok.text)));
        case "datetime":
          return this.assign(at("datetime", dateValue(tok.text)));
        case "variable":
          return this.assign(this.resolveVariable(tok));
        case "include":
          return this.include(tok);
      }
    } catch (e) {
      if (e instanceof ConfigError) throw e;
      this.fail(tok, (e as Error).message);
    }
  }

  private assign(node: ConfNode): void {
    const ctx = this.frames[this.frames.length - 1]!.node;
    if (ctx.kind === "array") {
      (ctx.value as ConfNode[]).push(node);
      return;
    }
    const key = this.pendingKeys.pop();
    if (!key) throw new Error("internal error: value without a key");
    // Errors about a value point at its key, as in Go's pedantic mode.
    node.line = key.line;
    node.col = key.col;
    (ctx.value as ConfMap).set(key.text, node);
  }

  /** `$name`: the innermost enclosing block that already has `name`, else the environment. */
  private resolveVariable(tok: Token): ConfNode {
    const name = tok.text;
    const copy = (from: ConfNode): ConfNode => this.node(from.kind, from.value, tok.line, tok.col);
    // Unquoted bcrypt hashes ($2a$…) are plain strings, not references.
    if (name.startsWith("2a$")) return this.node("string", "$" + name, tok.line, tok.col);
    for (let i = this.frames.length - 1; i >= 0; i--) {
      const ctx = this.frames[i]!.node;
      if (ctx.kind !== "map") continue;
      const found = (ctx.value as ConfMap).get(name);
      if (found) {
        found.usedAsVariable = true;
        return copy(found);
      }
    }
    const envValue = this.opts.env[name];
    if (envValue !== undefined) {
      const unparsable = `variable reference for '${name}' on line ${tok.line} could not be parsed: `;
      if (this.opts.envStack.includes(name)) this.fail(tok, unparsable + `variable reference cycle for '${name}'`);
      // The value is parsed like config text, so "4222" is a number and "true" a boolean.
      let parsed: ConfMap | undefined;
      try {
        parsed = parseNodes(`pk=${envValue}`, "", { ...this.opts, envStack: [...this.opts.envStack, name] });
      } catch (e) {
        this.fail(tok, unparsable + (e instanceof ConfigError ? e.reason : String(e)));
      }
      const v = parsed.get("pk");
      if (v) return copy(v);
    }
    return this.fail(tok, `variable reference for '${name}' on line ${tok.line} can not be found`);
  }

  /** `include file`: parse it on its own and merge its top-level keys here. */
  private include(tok: Token): void {
    const target = path.join(path.dirname(this.file), tok.text);
    const prefix = `error parsing include file '${tok.text}', `;
    const real = realPath(target);
    if (this.opts.fileStack.includes(real)) {
      this.fail(tok, prefix + `include recursion: ${target} is already being parsed`);
    }
    let text: string | undefined;
    try {
      text = fs.readFileSync(target, "utf8");
    } catch (e) {
      this.fail(tok, prefix + describeFsError(target, e));
    }
    let included: ConfMap | undefined;
    try {
      included = parseNodes(text, target, { ...this.opts, fileStack: [...this.opts.fileStack, real] });
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      this.fail(tok, prefix + e.message);
    }
    const ctx = this.frames[this.frames.length - 1]!.node.value as ConfMap;
    for (const [k, v] of included) ctx.set(k, v);
  }
}

/** Parse configuration text into a tree of positioned nodes. Throws ConfigError. */
export function parseNodes(text: string, file = "", options: ParseOptions = {}): ConfMap {
  const opts: Required<ParseOptions> = {
    env: options.env ?? process.env,
    fileStack: options.fileStack ?? (file ? [realPath(file)] : []),
    envStack: options.envStack ?? [],
  };
  return new TreeBuilder(file, opts).build(tokenize(text));
}

function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  // defineProperty so that a key such as "__proto__" stays an ordinary key.
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

/** The plain-data view of a node: objects, arrays, strings, numbers, booleans, Dates. */
export function plainValue(node: ConfNode): unknown {
  switch (node.kind) {
    case "map":
      return toPlain(node.value as ConfMap);
    case "array":
      return (node.value as ConfNode[]).map(plainValue);
    case "datetime":
      return new Date((node.value as Date).getTime());
    default:
      return node.value;
  }
}

export function toPlain(map: ConfMap): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of map) setOwn(out, k, plainValue(v));
  return out;
}
