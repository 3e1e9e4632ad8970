// Config keys of operator mode: `operator` (JWT files or inline JWTs),
// `trusted`/`trusted_keys`, `resolver` (MEMORY, URL(...), or a full/cache
// directory block), `resolver_preload`, `resolver_pinned_accounts`, with
// nats-server's texts for bad values. Reads operator JWT files, as Go does
// while parsing, so a missing file is reported at the key.

import { readFileSync } from "node:fs";
import type { Options } from "../options.js";
import { DurationError, parseGoDurationNs } from "../go-format/duration.js";
import { goQuote } from "../go-format/quote.js";
import { NodeError } from "./node-values.js";
import { goTypeName, type ConfMap, type ConfNode } from "./parser.js";
import { decodeClaims } from "../auth/jwt/decode.js";
import { isOperatorKey, type ResolverConfig } from "../auth/jwt/options.js";

type Report = (e: NodeError) => void;

/** A decorated file (-----BEGIN NATS OPERATOR JWT-----) or a bare token: the token. */
export function parseDecoratedJwt(text: string): string {
  const m = /-{3,}[^\n]*JWT[^\n]*-{3,}\r?\n([\s\S]*?)\r?\n[ \t]*-{3,}/.exec(text);
  return (m ? m[1]! : text).trim();
}

function strings(node: ConfNode, what: string): string[] {
  if (node.kind === "string") return [node.value as string];
  if (node.kind === "array") {
    return (node.value as ConfNode[]).map((n) => {
      if (n.kind !== "string") throw new NodeError(n, `error parsing ${what}: unsupported type in array ${goTypeName(n)}`);
      return n.value as string;
    });
  }
  throw new NodeError(node, `error parsing ${what}: unsupported type ${goTypeName(node)}`);
}

export function readOperators(node: ConfNode, o: Partial<Options>, report: Report): void {
  if (node.kind !== "string" && node.kind !== "array") throw new NodeError(node, `error parsing operators: unsupported type ${goTypeName(node)}`);
  const files = node.kind === "string" ? [node.value as string] : (node.value as ConfNode[]).map((n) => String(n.value));
  const jwts: string[] = [];
  for (const f of files) {
    let text: string;
    try {
      text = readFileSync(f, "utf8");
    } catch (e) {
      if (!f.startsWith("eyJ")) {
        report(new NodeError(node, `error parsing operator JWT: open ${f}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file or directory" : (e as Error).message}`));
        continue;
      }
      text = f;
    }
    const token = parseDecoratedJwt(text);
    try {
      decodeClaims(token, "operator");
    } catch (e) {
      report(new NodeError(node, `error parsing operator JWT: ${(e as Error).message}`));
      continue;
    }
    jwts.push(token);
  }
  o.trustedOperators = jwts;
}

export function readTrusted(node: ConfNode, o: Partial<Options>, report: Report): void {
  const keys = strings(node, "trusted");
  o.trustedKeys = keys;
  for (const k of keys) if (!isOperatorKey(k)) report(new NodeError(node, `trust key ${goQuote(k)} required to be a valid public operator nkey`));
}

function durationMs(node: ConfNode): number {
  if (node.kind !== "string") throw new NodeError(node, `interface conversion: interface {} is ${goTypeName(node)}, not string`);
  try {
    return Number(parseGoDurationNs(node.value as string)) / 1e6;
  } catch (e) {
    if (e instanceof DurationError) throw new NodeError(node, e.message);
    throw e;
  }
}

const RESOLVER_SHAPE = 'error parsing account resolver, should be MEM or  URL("url") or a map containing dir and type state=[FULL|CACHE])';

export function readResolver(node: ConfNode, o: Partial<Options>): void {
  if (node.kind === "string") {
    const v = node.value as string;
    if (/(MEM|MEMORY)\s*/i.test(v)) {
      o.accountResolver = { type: "memory" };
      return;
    }
    const m = /(?:URL)(?:\(\s*"?([^\s"]*)"?\s*\))?\s*/i.exec(v);
    if (m && m[1] !== undefined) {
      const url = m[1];
      if (!/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/]/.test(url)) throw new NodeError(node, `error parsing account resolver url: ${goQuote(url)}`);
      o.accountResolver = { type: "url", url };
      return;
    }
    throw new NodeError(node, RESOLVER_SHAPE);
  }
  if (node.kind !== "map") throw new NodeError(node, `error parsing operator resolver, wrong type ${goTypeName(node)}`);
  const m = node.value as ConfMap;
  const get = (k: string) => m.get(k);
  const str = (k: string) => {
    const n = get(k);
    if (n === undefined) return "";
    if (n.kind !== "string") throw new NodeError(n, `interface conversion: interface {} is ${goTypeName(n)}, not string`);
    return n.value as string;
  };
  const dir = str("dir");
  const type = str("type").toUpperCase();
  const del = get("allow_delete");
  if (del !== undefined && del.kind !== "bool") throw new NodeError(del, `interface conversion: interface {} is ${goTypeName(del)}, not bool`);
  const allowDelete = del?.value === true;
  const hdel = get("hard_delete");
  if (hdel !== undefined && hdel.kind !== "bool") throw new NodeError(hdel, `interface conversion: interface {} is ${goTypeName(hdel)}, not bool`);
  const lim = get("limit");
  if (lim !== undefined && lim.kind !== "integer") throw new NodeError(lim, `interface conversion: interface {} is ${goTypeName(lim)}, not int64`);
  const limit = (lim?.value as number | undefined) ?? 0;
  const ttl = get("ttl") ? durationMs(get("ttl")!) : 0;
  const interval = get("interval") ? durationMs(get("interval")!) : 0;
  const timeout = get("timeout") ? durationMs(get("timeout")!) : 0;
  if (get("timeout") && timeout <= 0) throw new NodeError(node, `Fetch timeout ${get("timeout")!.value as string} is too smal`);
  if (dir === "") throw new NodeError(node, "dir has no value and needs to point to a directory");
  let r: ResolverConfig;
  if (type === "CACHE") {
    if (interval !== 0) throw new NodeError(node, "CACHE does not accept sync");
    if (allowDelete) throw new NodeError(node, "CACHE does not accept allow_delete");
    if (hdel !== undefined) throw new NodeError(node, "CACHE does not accept hard_delete");
    // As Go: at most 1000 JWTs by default; without a ttl a JWT is kept until it expires.
    r = { type: "cache", dir, ttl, timeout, limit: limit > 0 ? limit : 1000 };
  } else if (type === "FULL") {
    if (ttl !== 0) throw new NodeError(node, "FULL does not accept ttl");
    if (hdel !== undefined && !allowDelete) throw new NodeError(node, "hard_delete has no effect without delete");
    // As Go: no limit by default, a sync every minute.
    r = { type: "full", dir, allowDelete, hardDelete: hdel?.value === true, interval: interval > 0 ? interval : 60_000, timeout, limit };
  } else {
    throw new NodeError(node, RESOLVER_SHAPE);
  }
  o.accountResolver = r;
}

export function readPreload(node: ConfNode, o: Partial<Options>, report: Report): void {
  if (node.kind !== "map") throw new NodeError(node, "preload should be a map of account_public_key:account_jwt");
  const out: Record<string, string> = {};
  for (const [key, v] of node.value as ConfMap) {
    if (v.kind !== "string") {
      report(new NodeError(v, "preload map value should be a string JWT"));
      continue;
    }
    try {
      decodeClaims(v.value as string, "account");
    } catch {
      report(new NodeError(v, "invalid account JWT"));
      continue;
    }
    out[key] = v.value as string;
  }
  o.resolverPreload = out;
}

export function readPinned(node: ConfNode, o: Partial<Options>): void {
  o.resolverPinnedAccounts = strings(node, "resolver_pinned_accounts");
}
