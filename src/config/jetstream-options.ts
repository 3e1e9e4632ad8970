// The `jetstream` config key (a bool, "enabled"/"disabled", or a block) and
// the top-level `store_dir`, mapped onto Options the way nats-server 2.10's
// parseJetStream does: same key aliases, size strings ("1G"), sync_interval
// "always", Go's error texts. Only mapping; enabling is the JetStream layer's.

import { unlimitedAccountLimits, type JetStreamAccountLimits, type JetStreamOptions, type Options } from "../options.js";
import { goQuote } from "../go-format/quote.js";
import { DurationError, parseGoDurationNs } from "../go-format/duration.js";
import { NodeError, asBool, asInt, asMap, asString } from "./node-values.js";
import { goTypeName, type ConfNode } from "./parser.js";

const SIZE_SHIFT: Record<string, number> = { K: 10, M: 20, G: 30, T: 40 };

/** Go's getStorageSize: an integer, or digits with a K/M/G/T suffix (powers of 1024). */
export function storageSize(node: ConfNode, what: string): number {
  if (node.kind === "integer") return node.value as number;
  if (node.kind !== "string") throw new NodeError(node, `${what} must be int64 or string`);
  const s = node.value as string;
  if (s === "") return 0;
  const prefix = s.slice(0, -1);
  if (!/^[+-]?\d+$/.test(prefix)) throw new NodeError(node, `${what} strconv.ParseInt: parsing ${goQuote(prefix)}: invalid syntax`);
  const shift = SIZE_SHIFT[s.slice(-1)];
  if (shift === undefined) throw new NodeError(node, `${what} sizes defined as strings must end in K, M, G, T`);
  return Number(prefix) * 2 ** shift;
}

function durationMs(node: ConfNode, field: string): number {
  if (node.kind !== "string") throw new NodeError(node, `error parsing ${field}: unsupported type ${goTypeName(node)}`);
  try {
    return Number(parseGoDurationNs(node.value as string)) / 1e6;
  } catch (e) {
    if (e instanceof DurationError) throw new NodeError(node, `error parsing ${field}: ${e.message}`);
    throw e;
  }
}

function readLimits(node: ConfNode, js: Partial<JetStreamOptions>): void {
  for (const [key, v] of asMap(node)) {
    switch (key.toLowerCase()) {
      case "max_ack_pending":
        js.maxAckPending = asInt(v);
        break;
      case "max_ha_assets":
        js.maxHaAssets = asInt(v);
        break;
      case "max_request_batch":
        js.maxRequestBatch = asInt(v);
        break;
      case "duplicate_window":
        js.maxDuplicateWindow = durationMs(v, "duplicate_window");
        break;
      default:
        if (!v.usedAsVariable) throw new NodeError(v, `unknown field ${goQuote(key)}`);
    }
  }
}

/** Map the `jetstream` key. Unknown keys inside the block are reported, not thrown. */
export function readJetStream(node: ConfNode, o: Partial<Options>, report: (e: NodeError) => void): void {
  if (node.kind === "bool") {
    o.jetstream = node.value as boolean;
    return;
  }
  if (node.kind === "string") {
    const v = (node.value as string).toLowerCase();
    if (v === "enabled" || v === "enable") o.jetstream = true;
    else if (v === "disabled" || v === "disable") o.jetstream = false;
    else throw new NodeError(node, `Expected 'enabled' or 'disabled' for string value, got '${node.value as string}'`);
    return;
  }
  if (node.kind !== "map") throw new NodeError(node, `Expected map, bool or string to define JetStream, got ${goTypeName(node)}`);
  const js: Partial<JetStreamOptions> = {};
  let enable = true;
  for (const [key, v] of asMap(node)) {
    switch (key.toLowerCase()) {
      case "store":
      case "store_dir":
      case "storedir":
        if (o.storeDir) throw new NodeError(v, "Duplicate 'store_dir' configuration");
        o.storeDir = asString(v);
        break;
      case "sync":
      case "sync_interval":
        if (v.kind === "string" && (v.value as string).toLowerCase() === "always") js.syncAlways = true;
        else js.syncInterval = durationMs(v, key.toLowerCase());
        break;
      case "max_memory_store":
      case "max_mem_store":
      case "max_mem":
        js.maxMemory = storageSize(v, "max_mem_store");
        break;
      case "max_file_store":
      case "max_file":
        js.maxStore = storageSize(v, "max_file_store");
        break;
      case "domain":
        js.domain = asString(v);
        break;
      case "enable":
      case "enabled":
        enable = asBool(v);
        break;
      case "unique_tag":
        js.uniqueTag = asString(v).trim().toLowerCase();
        break;
      case "limits":
        readLimits(v, js);
        break;
      case "extension_hint":
        asString(v);
        break;
      case "max_outstanding_catchup":
        storageSize(v, "max_outstanding_catchup");
        break;
      // nats-server 2.11 keys (per-stream ingest buffer limits): checked like Go, no effect here
      // since tsnats stores each message in the turn it arrives.
      case "max_buffered_size":
        storageSize(v, "max_buffered_size");
        break;
      case "max_buffered_msgs":
        if (v.kind !== "integer") throw new NodeError(v, `Expected a parseable size for ${goQuote(key)}, got ${String(v.value)}`);
        break;
      case "request_queue_limit":
        if (v.kind !== "integer") throw new NodeError(v, `Expected a parseable size for ${goQuote(key)}, got ${String(v.value)}`);
        break;
      default:
        if (!v.usedAsVariable) report(new NodeError(v, `unknown field ${goQuote(key)}`));
    }
  }
  o.jetstream = enable ? js : false;
}

type LimitKey = Exclude<keyof JetStreamAccountLimits, "max_bytes_required">;

const ACCOUNT_KEYS: Record<string, LimitKey | "max_bytes_required"> = {
  max_memory: "max_memory",
  max_mem: "max_memory",
  mem: "max_memory",
  memory: "max_memory",
  max_store: "max_storage",
  max_file: "max_storage",
  max_disk: "max_storage",
  store: "max_storage",
  disk: "max_storage",
  max_streams: "max_streams",
  streams: "max_streams",
  max_consumers: "max_consumers",
  consumers: "max_consumers",
  max_bytes_required: "max_bytes_required",
  max_stream_bytes: "max_bytes_required",
  max_bytes: "max_bytes_required",
  mem_max_stream_bytes: "memory_max_stream_bytes",
  memory_max_stream_bytes: "memory_max_stream_bytes",
  disk_max_stream_bytes: "storage_max_stream_bytes",
  store_max_stream_bytes: "storage_max_stream_bytes",
  max_ack_pending: "max_ack_pending",
};

/**
 * An account's `jetstream` value (Go's parseJetStreamForAccount), as the
 * accounts layer keeps it (plain data): true / "enabled" = unlimited, false /
 * "disabled" / absent = null (off), or a block of limits with Go's aliases.
 * Problems go to `warn` and the key is skipped.
 */
export function accountLimitsFromPlain(value: unknown, warn: (msg: string) => void): JetStreamAccountLimits | null {
  if (value === undefined || value === null || value === false) return null;
  if (value === true) return unlimitedAccountLimits();
  if (typeof value === "string") {
    const v = value.toLowerCase();
    if (v === "enabled" || v === "enable") return unlimitedAccountLimits();
    if (v !== "disabled" && v !== "disable") warn(`Expected 'enabled' or 'disabled' for string value, got '${value}'`);
    return null;
  }
  if (typeof value !== "object" || Array.isArray(value)) {
    warn(`Expected map, bool or string to define JetStream, got ${typeof value}`);
    return null;
  }
  const limits = unlimitedAccountLimits();
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    const field = ACCOUNT_KEYS[key.toLowerCase()];
    if (field === undefined) warn(`unknown field ${goQuote(key)}`);
    else if (field === "max_bytes_required") {
      if (typeof v === "boolean") limits.max_bytes_required = v;
      else warn(`Expected a parseable bool for ${goQuote(key)}, got ${String(v)}`);
    } else if (typeof v === "number" && Number.isInteger(v)) limits[field] = v;
    else warn(`Expected a parseable size for ${goQuote(key)}, got ${String(v)}`);
  }
  return limits;
}
