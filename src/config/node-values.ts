// Typed access to parsed config nodes for the option mapper: reading a node
// as a given Go type fails with Go's own type-assertion text ("interface
// conversion: interface {} is string, not int64"), located at the node.
// No knowledge of specific configuration keys lives here.

import type { ConfigIssue } from "./errors.js";
import { goTypeName, type ConfMap, type ConfNode } from "./parser.js";

/** A problem tied to a node; converted to a ConfigIssue by the mapper. */
export class NodeError extends Error {
  constructor(
    readonly node: ConfNode,
    readonly reason: string,
  ) {
    super(reason);
  }

  toIssue(): ConfigIssue {
    return issueAt(this.node, this.reason);
  }
}

export function issueAt(node: ConfNode, reason: string): ConfigIssue {
  return { file: node.file, line: node.line, column: node.col, reason };
}

function mismatch(node: ConfNode, wanted: string): NodeError {
  return new NodeError(node, `interface conversion: interface {} is ${goTypeName(node)}, not ${wanted}`);
}

export function asString(node: ConfNode): string {
  if (node.kind !== "string") throw mismatch(node, "string");
  return node.value as string;
}

export function asInt(node: ConfNode): number {
  if (node.kind !== "integer") throw mismatch(node, "int64");
  return node.value as number;
}

export function asBool(node: ConfNode): boolean {
  if (node.kind !== "bool") throw mismatch(node, "bool");
  return node.value as boolean;
}

export function asMap(node: ConfNode): ConfMap {
  if (node.kind !== "map") throw mismatch(node, "map[string]interface {}");
  return node.value as ConfMap;
}

/** Go's strconv.Atoi: optional sign, ASCII digits, int64 range; null if invalid. */
export function goAtoi(s: string): number | null {
  if (!/^[+-]?[0-9]+$/.test(s)) return null;
  const n = BigInt(s);
  if (n > 0x7fffffffffffffffn || n < -0x8000000000000000n) return null;
  return Number(n);
}
