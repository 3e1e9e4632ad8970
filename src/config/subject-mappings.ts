// Subject mappings in the config file (`mappings { "a.*": "b.$1", … }`): reads
// the block into SubjectMappingConfig entries and validates sources,
// destinations, weights and wildcard use the way nats-server 2.9 does when it
// loads a config (same rules, same error texts). It does not transform
// subjects at runtime; the server core owns that.

import type { MappingDestination, SubjectMappingConfig } from "../options.js";
import { goQuote } from "../go-format/quote.js";
import type { ConfMap, ConfNode } from "./parser.js";
import { NodeError, asMap, asString, goAtoi } from "./node-values.js";

const WS = "[\\t\\n\\f\\r ]";
const fn = (name: string) => new RegExp(`\\{\\{${WS}*${name}${WS}*\\((.*)\\)${WS}*\\}\\}`);
/** Mapping functions usable in a destination token, in the order Go tries them. */
const FUNCTIONS = {
  wildcard: fn("[wW]ildcard"),
  partition: fn("[pP]artition"),
  splitFromLeft: fn("[sS]plit[fF]rom[lL]eft"),
  splitFromRight: fn("[sS]plit[fF]rom[rR]ight"),
  sliceFromLeft: fn("[sS]lice[fF]rom[lL]eft"),
  sliceFromRight: fn("[sS]lice[fF]rom[rR]ight"),
  split: fn("[sS]plit"),
};

const BAD_DEST = "invalid mapping destination";
const E = {
  badSubject: "invalid subject",
  destSubject: `${BAD_DEST}: invalid subject`,
  notAllWildcards: `${BAD_DEST}: not using all of the token wildcard(s)`,
  unknownFunction: `${BAD_DEST}: unknown function`,
  indexOutOfRange: `${BAD_DEST}: wildcard index out of range`,
  notEnoughArgs: `${BAD_DEST}: not enough arguments passed to the function`,
  invalidArg: `${BAD_DEST}: function argument is invalid or in the wrong format`,
  tooManyArgs: `${BAD_DEST}: too many arguments passed to the function`,
};
const inToken = (err: string, token: string) => `${err} in ${token}`;
const hasBlank = (t: string) => /[\t\n\f\r ]/.test(t);

/** Go's IsValidSubject: non-empty tokens, '>' only last, no whitespace. */
function isValidSubject(subject: string): boolean {
  if (subject === "") return false;
  let sawFwc = false;
  for (const t of subject.split(".")) {
    if (t.length === 0 || sawFwc) return false;
    if (t.length > 1) {
      if (hasBlank(t)) return false;
      continue;
    }
    if (t === ">") sawFwc = true;
    else if (hasBlank(t)) return false;
  }
  return true;
}

interface SubjectInfo {
  valid: boolean;
  tokens: string[];
  pwcs: number;
  fwc: boolean;
}

function subjectInfo(subject: string): SubjectInfo {
  const bad = { valid: false, tokens: [], pwcs: 0, fwc: false };
  if (subject === "") return bad;
  const tokens = subject.split(".");
  let pwcs = 0;
  let fwc = false;
  for (const t of tokens) {
    if (t.length === 0 || fwc) return bad;
    if (t === ">") fwc = true;
    else if (t === "*") pwcs++;
  }
  return { valid: true, tokens, pwcs, fwc };
}

const isMustache = (t: string) => t.length > 4 && t.startsWith("{{") && t.endsWith("}}");

/** Go's ValidateMappingDestination: null when fine, else the error text. */
function validateMappingDestination(subject: string): string | null {
  let sawFwc = false;
  for (const t of subject.split(".")) {
    if (t.length === 0 || sawFwc) return inToken(E.destSubject, t);
    if (isMustache(t)) {
      if (!Object.values(FUNCTIONS).some((re) => re.test(t))) return inToken(E.unknownFunction, t);
      continue;
    }
    if (t === ">") sawFwc = true;
    else if (hasBlank(t)) return E.destSubject;
  }
  return null;
}

/** The wildcard positions a destination token refers to, or null for a literal token. */
function placeholderIndexes(token: string): number[] | null {
  if (token.length > 1 && token[0] === "$") {
    const n = goAtoi(token.slice(1));
    return n === null ? null : [n];
  }
  if (!isMustache(token)) return null;
  const fail = (err: string): never => {
    throw new Error(inToken(err, token));
  };
  const int = (s: string): number => goAtoi(s.replace(/^ +| +$/g, "")) ?? fail(E.invalidArg);
  const argsOf = (re: RegExp): string[] | null => {
    const m = re.exec(token);
    return m ? m[1]!.split(/,[\t\n\f\r ]*/) : null;
  };
  let args = argsOf(FUNCTIONS.wildcard);
  if (args) {
    if (args.length === 1 && args[0] === "") fail(E.notEnoughArgs);
    if (args.length > 1) fail(E.tooManyArgs);
    return [int(args[0]!)];
  }
  args = argsOf(FUNCTIONS.partition);
  if (args) {
    if (args.length < 2) fail(E.notEnoughArgs);
    int(args[0]!);
    return args.slice(1).map(int);
  }
  for (const re of [FUNCTIONS.splitFromLeft, FUNCTIONS.splitFromRight, FUNCTIONS.sliceFromLeft, FUNCTIONS.sliceFromRight]) {
    args = argsOf(re);
    if (args) {
      if (args.length < 2) fail(E.notEnoughArgs);
      if (args.length > 2) fail(E.tooManyArgs);
      int(args[1]!);
      return [int(args[0]!)];
    }
  }
  args = argsOf(FUNCTIONS.split);
  if (args) {
    if (args.length < 2) fail(E.notEnoughArgs);
    if (args.length > 2) fail(E.tooManyArgs);
    const index = int(args[0]!);
    if (args[1]!.includes(" ") || args[1]!.includes(".")) fail(E.invalidArg);
    return [index];
  }
  return fail(E.unknownFunction);
}

/** Go's newTransform checks: null when `src` can be mapped to `dest`, else the error text. */
function checkTransform(src: string, dest: string): string | null {
  const s = subjectInfo(src);
  const d = subjectInfo(dest);
  if (!s.valid || !d.valid || d.pwcs > 0 || s.fwc !== d.fwc) return E.badSubject;
  if (s.pwcs === 0 && !s.fwc) return null;
  let placeholders = 0;
  for (const token of d.tokens) {
    let indexes: number[] | null;
    try {
      indexes = placeholderIndexes(token);
    } catch (e) {
      return (e as Error).message;
    }
    if (indexes === null) continue;
    placeholders++;
    for (const i of indexes) {
      if (i > s.pwcs) return inToken(E.indexOutOfRange, `${token}: [${i}]`);
    }
  }
  if (placeholders < s.pwcs) return inToken(E.notAllWildcards, dest);
  return null;
}

/** Go's AddWeightedMappings validation for one source. */
function checkDestinations(src: string, dests: MappingDestination[]): string | null {
  const seen = new Set<string>();
  let total = 0;
  for (const d of dests) {
    if (seen.has(d.subject)) return `duplicate entry for ${goQuote(d.subject)}`;
    seen.add(d.subject);
    total += d.weight;
    if (total > 100) return "total weight needs to be <= 100";
    const err = validateMappingDestination(d.subject) ?? checkTransform(src, d.subject);
    if (err) return err;
  }
  return null;
}

/** One `{ destination: …, weight: …, cluster: … }` entry. */
function readDestination(node: ConfNode): MappingDestination {
  if (node.kind !== "map") throw new NodeError(node, "Expected an entry for the mapping destination");
  const dest: MappingDestination = { subject: "", weight: 0 };
  let sawWeight = false;
  for (const [k, v] of node.value as ConfMap) {
    switch (k.toLowerCase()) {
      case "dest":
      case "destination":
        dest.subject = asString(v);
        break;
      case "weight": {
        let weight: number | null;
        if (v.kind === "string") {
          const text = (v.value as string).replace(/%$/, "");
          weight = goAtoi(text);
          if (weight === null) throw new NodeError(v, `Invalid weight ${goQuote(text)} for mapping destination`);
        } else if (v.kind === "integer") {
          weight = v.value as number;
        } else {
          throw new NodeError(v, `Unknown entry type for weight of ${String(v.value)}`);
        }
        if (weight > 100 || weight < 0) throw new NodeError(v, `Invalid weight ${weight} for mapping destination`);
        dest.weight = weight;
        sawWeight = true;
        break;
      }
      case "cluster":
        dest.cluster = asString(v);
        break;
      default:
        throw new NodeError(v, `Unknown field ${goQuote(k)} for mapping destination`);
    }
  }
  if (!sawWeight) throw new NodeError(node, `Missing weight for mapping destination ${goQuote(dest.subject)}`);
  return dest;
}

/**
 * Read a `mappings` block. Problems are reported through `report` (each is
 * an error in Go too); only valid sources are returned.
 */
export function readMappings(block: ConfNode, report: (e: NodeError) => void): SubjectMappingConfig[] {
  const out: SubjectMappingConfig[] = [];
  for (const [source, node] of asMap(block)) {
    try {
      if (!isValidSubject(source)) throw new NodeError(node, `Subject ${goQuote(source)} is not a valid subject`);
      let destinations: MappingDestination[];
      let shown: string;
      if (node.kind === "string") {
        destinations = [{ subject: node.value as string, weight: 100 }];
        shown = node.value as string;
      } else {
        const items = node.kind === "array" ? (node.value as ConfNode[]) : [node];
        destinations = [];
        for (const item of items) {
          try {
            destinations.push(readDestination(item));
          } catch (e) {
            if (!(e instanceof NodeError)) throw e;
            report(e);
          }
        }
        shown = destinations.map((d) => d.subject).join(", ");
      }
      const err = checkDestinations(source, destinations);
      if (err) throw new NodeError(node, `Error adding mapping for ${goQuote(source)} to ${goQuote(shown)} : ${err}`);
      out.push({ source, destinations });
    } catch (e) {
      if (!(e instanceof NodeError)) throw e;
      report(e);
    }
  }
  return out;
}
