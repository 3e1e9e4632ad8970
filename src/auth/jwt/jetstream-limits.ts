// The JetStream limits an account JWT grants (Go's IsJSEnabled and the
// conversion in updateAccountClaimsWithRefresh): the default limits
// (`limits.mem_storage`, `disk_storage`, …) when either storage limit is
// set, else the tiered limits (`limits.tiered_limits.R1` …), else none —
// the account has no JetStream. Pure translation; the JetStream layer
// applies the result.

import type { JetStreamAccountLimits } from "../../options.js";
import type { AccountClaims } from "./decode.js";

/** Limits by tier name ("" = the default tier, "R1", "R3", …); null = JetStream not enabled for the account. */
export type JetStreamTiers = Record<string, JetStreamAccountLimits>;

interface JwtJetStreamLimits {
  mem_storage?: number;
  disk_storage?: number;
  streams?: number;
  consumer?: number;
  max_ack_pending?: number;
  mem_max_stream_bytes?: number;
  disk_max_stream_bytes?: number;
  max_bytes_required?: boolean;
}

const num = (v: unknown): number => (typeof v === "number" && Number.isFinite(v) ? Math.trunc(v) : 0);
/** Go's toUnlimited: only a positive value is a limit. */
const positiveOrUnlimited = (v: unknown): number => (num(v) > 0 ? num(v) : -1);

function convert(l: JwtJetStreamLimits): JetStreamAccountLimits {
  return {
    max_memory: num(l.mem_storage),
    max_storage: num(l.disk_storage),
    max_streams: num(l.streams),
    max_consumers: num(l.consumer),
    max_ack_pending: positiveOrUnlimited(l.max_ack_pending),
    memory_max_stream_bytes: positiveOrUnlimited(l.mem_max_stream_bytes),
    storage_max_stream_bytes: positiveOrUnlimited(l.disk_max_stream_bytes),
    max_bytes_required: l.max_bytes_required === true,
  };
}

export function jetStreamTiersOf(claims: AccountClaims): JetStreamTiers | null {
  const limits = (claims.nats.limits ?? {}) as JwtJetStreamLimits & { tiered_limits?: Record<string, JwtJetStreamLimits> };
  if (num(limits.mem_storage) !== 0 || num(limits.disk_storage) !== 0) return { "": convert(limits) };
  const tiered = limits.tiered_limits;
  if (tiered === null || typeof tiered !== "object" || Array.isArray(tiered)) return null;
  const out: JetStreamTiers = {};
  for (const [tier, l] of Object.entries(tiered)) if (l !== null && typeof l === "object") out[tier] = convert(l);
  return Object.keys(out).length > 0 ? out : null;
}
