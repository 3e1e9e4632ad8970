// Service latency sampling: whether a request is measured — always at 100%,
// by chance below that, and otherwise (or with `sampling: headers`) when the
// request carries a distributed-tracing header that asks for sampling
// (Uber/Jaeger, Zipkin B3 in both forms, W3C traceparent), as Go decides it.
// Returns the headers that triggered the measurement, which the latency
// metric reports. Pure functions over the request's header block.

/** Go's textproto.CanonicalMIMEHeaderKey: "x-b3-traceid" → "X-B3-Traceid". */
function canonicalKey(k: string): string {
  return k
    .split("-")
    .map((p) => (p === "" ? p : p[0].toUpperCase() + p.slice(1).toLowerCase()))
    .join("-");
}

/** The header block ("NATS/1.0…\r\n\r\n") as canonical key → values. */
function parseHeaders(block: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const lines = block.split("\r\n");
  for (let i = 1; i < lines.length; i++) {
    const l = lines[i];
    const c = l.indexOf(":");
    if (c <= 0) continue;
    const k = canonicalKey(l.slice(0, c).trim());
    const v = l.slice(c + 1).trim();
    const list = out.get(k);
    if (list) list.push(v);
    else out.set(k, [v]);
  }
  return out;
}

const UBER = "Uber-Trace-Id";
const TRACEPARENT = "Traceparent";
const TRACESTATE = "Tracestate";
const B3 = "B3";
const B3_SAMPLED = "X-B3-Sampled";
const B3_TRACE_ID = "X-B3-Traceid";
const B3_EXTRA = ["X-B3-Parentspanid", "X-B3-Spanid"];

function pick(h: Map<string, string[]>, keys: string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const k of keys) {
    const v = h.get(k);
    if (v) out[k] = v;
  }
  return out;
}

export type Sampling = { sampled: false } | { sampled: true; header: Record<string, string[]> | null };

const NOT_SAMPLED: Sampling = { sampled: false };

/** Go's shouldSample: `sampling` 1-100 (0 = headers only); `header` the raw block (valid during the call) or null. */
export function shouldSample(sampling: number, header: Buffer | null): Sampling {
  if (sampling >= 100) return { sampled: true, header: null };
  if (sampling > 0 && Math.floor(Math.random() * 100) <= sampling) return { sampled: true, header: null };
  if (header === null) return NOT_SAMPLED;
  const h = parseHeaders(header.toString("latin1"));
  if (h.size === 0) return NOT_SAMPLED;
  const uber = h.get(UBER);
  if (uber) {
    // trace-id:span-id:parent-id:flags, sampled when the flags' low bit is set
    const tk = uber[0].split(":");
    if (tk.length === 4 && tk[3].length > 0 && tk[3].length <= 2 && /^[0-9a-fA-F]+$/.test(tk[3]) && (parseInt(tk[3], 16) & 1) === 1) {
      const header: Record<string, string[]> = { [UBER]: uber };
      for (const [k, v] of h) if (k.startsWith("Uberctx-")) header[k] = v;
      return { sampled: true, header };
    }
    return NOT_SAMPLED;
  }
  const b3Sampled = h.get(B3_SAMPLED);
  if (b3Sampled && b3Sampled[0] === "1") return { sampled: true, header: pick(h, [B3_SAMPLED, B3_TRACE_ID, ...B3_EXTRA]) };
  if (b3Sampled && b3Sampled[0] === "0") return NOT_SAMPLED;
  if (h.has(B3_TRACE_ID)) return { sampled: true, header: pick(h, [B3_SAMPLED, B3_TRACE_ID, ...B3_EXTRA]) };
  const b3 = h.get(B3);
  if (b3) {
    const tk = b3[0].split("-");
    if ((tk.length > 2 && tk[2] === "0") || (tk.length === 1 && tk[0] === "0")) return NOT_SAMPLED;
    return { sampled: true, header: { [B3]: b3 } };
  }
  const tp = h.get(TRACEPARENT);
  if (tp) {
    const tk = tp[0].split("-");
    if (tk.length === 4 && tk[3] === "01") return { sampled: true, header: pick(h, [TRACEPARENT, TRACESTATE]) };
    return NOT_SAMPLED;
  }
  return NOT_SAMPLED;
}
