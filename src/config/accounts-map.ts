// The `accounts` block: account names (array form) or account maps with
// users, exports, imports, mappings, limits, default permissions, nkey and
// jetstream, read into AccountConfig data with nats-server 2.9's field
// aliases and error texts. Users are read
// by the authorization block's reader, each marked with its account (they
// join Options.users / nkeys); the account's `jetstream` value is kept as
// written for JetStream to interpret. Cross-account checks (imports against
// exports) happen in accounts/registry.ts.

import { isPublicNkey } from "../auth/nkey-check.js";
import {
  unlimitedAccountLimits,
  type AccountConfig,
  type LatencyConfig,
  type ResponseType,
  type ServiceExportConfig,
  type ServiceImportConfig,
  type StreamExportConfig,
  type StreamImportConfig,
} from "../accounts/config-types.js";
import { DurationError, parseGoDurationNs } from "../go-format/duration.js";
import { goQuote } from "../go-format/quote.js";
import { NodeError, asBool, asInt, asString } from "./node-values.js";
import { goTypeName, plainValue, type ConfMap, type ConfNode } from "./parser.js";
import { readMappings } from "./subject-mappings.js";
import { plainNode, readPermissions, readUsers } from "./authorization.js";
import type { NkeyUser, Permissions, User } from "../auth/model.js";

type Report = (e: NodeError) => void;

/** Go's %T of a config value, as in "Exports should be an array, got string". */
function goT(node: ConfNode): string {
  switch (node.kind) {
    case "map":
      return "map[string]interface {}";
    case "array":
      return "[]interface {}";
    case "integer":
      return "int64";
    case "float":
      return "float64";
    case "datetime":
      return "time.Time";
    default:
      return node.kind;
  }
}

function entries(node: ConfNode): [string, ConfNode][] {
  return [...(node.value as ConfMap)];
}

const unknownField = (node: ConfNode, key: string) => new NodeError(node, `unknown field ${goQuote(key)}`);

export interface ReadAccounts {
  accounts: AccountConfig[];
  /** The accounts' users, each with its `account`. */
  users: User[];
  nkeys: NkeyUser[];
}

/** Read the `accounts` value; problems go to `report`. */
export function readAccounts(node: ConfNode, report: Report): ReadAccounts {
  const out: AccountConfig[] = [];
  const users: User[] = [];
  const nkeys: NkeyUser[] = [];
  const seen = new Set<string>();
  const reserved = (name: string) => name === "$G";
  if (node.kind === "array") {
    for (const item of node.value as ConfNode[]) {
      const name = asString(item);
      if (reserved(name)) report(new NodeError(item, `${goQuote(name)} is a Reserved Account`));
      else if (seen.has(name)) report(new NodeError(item, `Duplicate Account Entry: ${name}`));
      else {
        seen.add(name);
        out.push(emptyAccount(name));
      }
    }
    return { accounts: out, users, nkeys };
  }
  if (node.kind !== "map") throw new NodeError(node, `Expected map entries for accounts`);
  const userNames = new Set<string>();
  for (const [name, v] of entries(node)) {
    if (v.usedAsVariable) continue;
    if (v.kind !== "map") {
      report(new NodeError(v, "Expected map entries for accounts"));
      continue;
    }
    if (reserved(name)) {
      report(new NodeError(v, `${goQuote(name)} is a Reserved Account`));
      continue;
    }
    const { account, users: accUsers, nkeys: accNkeys } = readAccount(name, v, report);
    for (const u of accNkeys) {
      if (userNames.has(u.nkey)) report(new NodeError(v, `Duplicate nkey ${goQuote(u.nkey)} detected`));
      userNames.add(u.nkey);
      nkeys.push(u);
    }
    for (const u of accUsers) {
      if (userNames.has(u.username)) report(new NodeError(v, `Duplicate user ${goQuote(u.username)} detected`));
      userNames.add(u.username);
      users.push(u);
    }
    out.push(account);
  }
  return { accounts: out, users, nkeys };
}

function emptyAccount(name: string): AccountConfig {
  return { name, nkey: "", exports: [], imports: [], mappings: [], limits: unlimitedAccountLimits() };
}

function readAccount(name: string, node: ConfNode, report: Report): { account: AccountConfig; users: User[]; nkeys: NkeyUser[] } {
  const acc = emptyAccount(name);
  let users: User[] = [];
  let nkeys: NkeyUser[] = [];
  let defaults: Permissions | undefined;
  for (const [k, v] of entries(node)) {
    try {
      switch (k.toLowerCase()) {
        case "nkey": {
          const nk = v.kind === "string" ? (v.value as string) : "";
          if (!nk.startsWith("A") || !isPublicNkey(nk)) throw new NodeError(v, `Not a valid public nkey for an account: ${goQuote(String(v.value))}`);
          acc.nkey = nk;
          break;
        }
        case "imports":
          if (v.kind !== "array") throw new NodeError(v, `Imports should be an array, got ${goT(v)}`);
          acc.imports = readImports(v, report);
          break;
        case "exports":
          if (v.kind !== "array") throw new NodeError(v, `Exports should be an array, got ${goT(v)}`);
          acc.exports = readExports(v, report);
          break;
        case "jetstream":
          acc.jetstream = plainValue(v);
          break;
        case "users":
          ({ users, nkeys } = readUsers(v, report));
          break;
        case "default_permissions":
          defaults = readPermissions(v, report);
          break;
        case "mappings":
        case "maps":
          acc.mappings = readMappings(v, report);
          break;
        case "limits":
          readLimits(v, acc, report);
          break;
        default:
          if (!v.usedAsVariable) report(unknownField(v, k));
      }
    } catch (e) {
      if (!(e instanceof NodeError)) throw e;
      report(e);
    }
  }
  for (const u of [...users, ...nkeys]) {
    u.account = name;
    if (defaults) u.permissions ??= defaults;
  }
  return { account: acc, users, nkeys };
}

function readLimits(node: ConfNode, acc: AccountConfig, report: Report): void {
  if (node.kind !== "map") throw new NodeError(node, `Expected account limits to be a map/struct, got ${String(node.value)}`);
  for (const [k, v] of entries(node)) {
    switch (k.toLowerCase()) {
      case "max_connections":
      case "max_conn":
        acc.limits.maxConnections = asInt(v);
        break;
      case "max_subscriptions":
      case "max_subs":
        acc.limits.maxSubscriptions = asInt(v);
        break;
      case "max_payload":
      case "max_pay":
        acc.limits.maxPayload = asInt(v);
        break;
      case "max_leafnodes":
      case "max_leafs":
        acc.limits.maxLeafnodes = asInt(v);
        break;
      default:
        if (!v.usedAsVariable) report(new NodeError(v, `Unknown field ${goQuote(k)} parsing account limits`));
    }
  }
}

function readExports(node: ConfNode, report: Report): (StreamExportConfig | ServiceExportConfig)[] {
  const out: (StreamExportConfig | ServiceExportConfig)[] = [];
  for (const item of node.value as ConfNode[]) {
    try {
      const e = readExport(item, report);
      if (e) out.push(e);
    } catch (e) {
      if (!(e instanceof NodeError)) throw e;
      report(e);
    }
  }
  return out;
}

function readExport(node: ConfNode, report: Report): StreamExportConfig | ServiceExportConfig | null {
  if (node.kind !== "map") throw new NodeError(node, `Export Items should be a map with type entry, got ${goT(node)}`);
  let stream: string | null = null;
  let service: string | null = null;
  let accounts: string[] | undefined;
  let rt: ResponseType = "Singleton";
  let rtNode: ConfNode | null = null;
  let threshold: number | undefined;
  let thresholdSeen = false;
  let latency: LatencyConfig | undefined;
  let latNode: ConfNode | null = null;
  let pos = 0;
  for (const [k, v] of entries(node)) {
    switch (k.toLowerCase()) {
      case "stream":
        if (service !== null) {
          report(new NodeError(v, `Detected stream ${goQuote(String(v.value))} but already saw a service`));
          continue;
        }
        if (rtNode) {
          report(new NodeError(rtNode, "Detected response directive on non-service"));
          continue;
        }
        if (latNode) {
          report(new NodeError(latNode, "Detected latency directive on non-service"));
          continue;
        }
        if (v.kind !== "string") {
          report(new NodeError(v, `Expected stream name to be string, got ${goT(v)}`));
          continue;
        }
        stream = v.value as string;
        break;
      case "service":
        if (stream !== null) {
          report(new NodeError(v, `Detected service ${goQuote(String(v.value))} but already saw a stream`));
          continue;
        }
        if (v.kind !== "string") {
          report(new NodeError(v, `Expected service name to be string, got ${goT(v)}`));
          continue;
        }
        service = v.value as string;
        break;
      case "response":
      case "response_type": {
        if (rtNode) {
          report(new NodeError(v, "Duplicate response type definition"));
          continue;
        }
        rtNode = v;
        if (v.kind !== "string") {
          report(new NodeError(v, `Expected response type to be string, got ${goT(v)}`));
          continue;
        }
        const t = (v.value as string).toLowerCase();
        if (t === "single" || t === "singleton") rt = "Singleton";
        else if (t === "stream") rt = "Streamed";
        else if (t === "chunk" || t === "chunked") rt = "Chunked";
        else {
          report(new NodeError(v, `Unknown response type: ${goQuote(v.value as string)}`));
          continue;
        }
        if (stream !== null) report(new NodeError(v, "Detected response directive on non-service"));
        break;
      }
      case "threshold":
      case "response_threshold":
      case "response_max_time":
      case "response_time": {
        if (thresholdSeen) {
          report(new NodeError(v, "Duplicate response threshold detected"));
          continue;
        }
        thresholdSeen = true;
        if (v.kind !== "string") {
          report(new NodeError(v, `Expected response threshold to be a parseable time duration, got ${goT(v)}`));
          continue;
        }
        try {
          threshold = Number(parseGoDurationNs(v.value as string)) / 1e6;
        } catch (e) {
          if (!(e instanceof DurationError)) throw e;
          report(new NodeError(v, `Expected response threshold to be a parseable time duration, got ${goQuote(v.value as string)}`));
          continue;
        }
        if (stream !== null) report(new NodeError(v, "Detected response directive on non-service"));
        break;
      }
      case "accounts":
        accounts = (v.value as ConfNode[]).map(asString);
        break;
      case "latency":
        latNode = v;
        latency = readLatency(v);
        if (stream !== null) {
          report(new NodeError(v, "Detected latency directive on non-service"));
          continue;
        }
        break;
      case "account_token_position":
        pos = asInt(v);
        break;
      default:
        if (!v.usedAsVariable) report(unknownField(v, k));
    }
  }
  if (stream !== null) return { kind: "stream", subject: stream, accounts, accountTokenPosition: pos };
  if (service !== null) return { kind: "service", subject: service, accounts, accountTokenPosition: pos, responseType: rt, responseThreshold: threshold, latency };
  return null;
}

function readLatency(node: ConfNode): LatencyConfig {
  if (node.kind === "string") return { subject: node.value as string, sampling: 100 };
  if (node.kind !== "map") throw new NodeError(node, `Expected latency entry to be a map/struct or string, got ${goT(node)}`);
  const m = node.value as ConfMap;
  const l: LatencyConfig = { subject: "", sampling: 100 };
  const s = m.get("sampling");
  if (s !== undefined) {
    let sample: number;
    let headers = false;
    if (s.kind === "integer") sample = s.value as number;
    else if (s.kind === "string") {
      const text = (s.value as string).trim();
      if (text.toLowerCase() === "headers") {
        headers = true;
        sample = 0;
      } else {
        const n = text.replace(/%$/, "");
        if (!/^[+-]?\d+$/.test(n)) throw new NodeError(s, `Failed to parse latency sample: strconv.Atoi: parsing ${goQuote(n)}: invalid syntax`);
        sample = parseInt(n, 10);
      }
    } else throw new NodeError(s, `Expected latency sample to be a string or map/struct, got ${goT(s)}`);
    if (!headers && (sample < 1 || sample > 100)) throw new NodeError(s, "bad sampling percentage, should be 1-100");
    l.sampling = sample;
  }
  const subj = m.get("subject");
  if (subj === undefined) throw new NodeError(node, "Latency subject required, but missing");
  if (subj.kind !== "string") throw new NodeError(subj, `Expected latency subject to be a string, got ${goT(subj)}`);
  l.subject = subj.value as string;
  return l;
}

function readImports(node: ConfNode, report: Report): (StreamImportConfig | ServiceImportConfig)[] {
  const out: (StreamImportConfig | ServiceImportConfig)[] = [];
  const services = new Map<string, ServiceImportConfig>();
  for (const item of node.value as ConfNode[]) {
    try {
      const i = readImport(item, report);
      if (i === null) continue;
      if (i.kind === "service") {
        const dup = services.get(i.to);
        if (dup) {
          report(new NodeError(item, `Duplicate service import subject ${goQuote(i.to)}, previously used in import for account ${goQuote(dup.account)}, subject ${goQuote(dup.subject)}`));
          continue;
        }
        services.set(i.to, i);
      }
      out.push(i);
    } catch (e) {
      if (!(e instanceof NodeError)) throw e;
      report(e);
    }
  }
  return out;
}

function readAccountRef(node: ConfNode, report: Report): { account: string; subject: string } {
  let account = "";
  let subject = "";
  for (const [k, v] of entries(node)) {
    switch (k.toLowerCase()) {
      case "account":
        account = asString(v);
        break;
      case "subject":
        subject = asString(v);
        break;
      default:
        if (!v.usedAsVariable) report(unknownField(v, k));
    }
  }
  return { account, subject };
}

function readImport(node: ConfNode, report: Report): StreamImportConfig | ServiceImportConfig | null {
  if (node.kind !== "map") throw new NodeError(node, `Import Items should be a map with type entry, got ${goT(node)}`);
  let stream: StreamImportConfig | null = null;
  let service: ServiceImportConfig | null = null;
  let prefix = "";
  let to = "";
  let share = false;
  for (const [k, v] of entries(node)) {
    switch (k.toLowerCase()) {
      case "stream":
      case "service": {
        const isStream = k.toLowerCase() === "stream";
        if (isStream ? service : stream) {
          report(new NodeError(v, isStream ? "Detected stream but already saw a service" : "Detected service but already saw a stream"));
          continue;
        }
        if (v.kind !== "map") {
          report(new NodeError(v, `${isStream ? "Stream" : "Service"} entry should be an account map, got ${goT(v)}`));
          continue;
        }
        const ref = readAccountRef(v, report);
        if (ref.account === "" || ref.subject === "") {
          report(new NodeError(v, "Expect an account name and a subject"));
          continue;
        }
        if (isStream) stream = { kind: "stream", account: ref.account, subject: ref.subject, prefix, to };
        else service = { kind: "service", account: ref.account, subject: ref.subject, to: to || ref.subject, share };
        break;
      }
      case "prefix":
        prefix = asString(v);
        if (stream) stream.prefix = prefix;
        break;
      case "to":
        to = asString(v);
        if (service) service.to = to;
        if (stream) {
          stream.to = to;
          if (stream.prefix !== "") {
            report(new NodeError(v, "Stream import can not have a 'prefix' and a 'to' property"));
            continue;
          }
        }
        break;
      case "share":
        share = asBool(v);
        if (service) service.share = share;
        break;
      default:
        if (!v.usedAsVariable) report(unknownField(v, k));
    }
  }
  return stream ?? service;
}

/** Read an embedding `accounts` object exactly as the config block; throws Error with Go's text. */
export function accountsFromPlain(block: Record<string, unknown>): ReadAccounts {
  const errors: string[] = [];
  const out = readAccounts(plainNode(block), (e) => errors.push(e.reason));
  if (errors.length > 0) throw new Error(`accounts: ${errors[0]}`);
  return out;
}
