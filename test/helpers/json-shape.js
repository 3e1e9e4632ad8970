// Test helper for differential tests: the key paths of a JSON answer with
// their types, the differences between Go's answer and tsnats', and one
// request loop that collects the JSON answers to a list of API requests.
import { connect, headers as natsHeaders } from "@nats-io/transport-node";

/** Every key path of a JSON value with its type; array elements merge under `[]`. */
export function keyPaths(v, prefix = "", out = new Map()) {
  const type = v === null ? "null" : Array.isArray(v) ? "array" : typeof v;
  if (prefix !== "") out.set(prefix, type);
  if (type === "object") for (const [k, x] of Object.entries(v)) keyPaths(x, prefix === "" ? k : `${prefix}.${k}`, out);
  if (type === "array") for (const x of v) keyPaths(x, `${prefix}[]`, out);
  return out;
}

/**
 * Where tsnats' answer differs in shape from Go's: key paths missing, of
 * another type, or extra (unless `newer` lists them: keys of later Go versions).
 */
export function shapeDiffs(name, goVal, tsVal, newer = new Set()) {
  const g = keyPaths(goVal);
  const t = keyPaths(tsVal);
  const diffs = [];
  for (const [k, type] of g) {
    if (!t.has(k)) diffs.push(`${name}: missing ${k} (${type})`);
    else if (t.get(k) !== type) diffs.push(`${name}: ${k} is ${t.get(k)}, Go has ${type}`);
  }
  for (const k of t.keys()) if (!g.has(k) && !newer.has(k)) diffs.push(`${name}: extra ${k}`);
  return diffs;
}

/**
 * Send each case `[name, subject, body, headers?]` as a request (a non-string
 * body as JSON) and collect name -> parsed answer, or "no answer (<error>)".
 */
export async function jsonAnswers(url, cases, timeout = 500) {
  const nc = await connect({ servers: url });
  const out = new Map();
  try {
    for (const [name, subject, body, hdrs] of cases) {
      const opts = { timeout };
      if (hdrs) {
        opts.headers = natsHeaders();
        for (const [k, v] of Object.entries(hdrs)) opts.headers.set(k, v);
      }
      try {
        const m = await nc.request(subject, typeof body === "string" ? body : JSON.stringify(body), opts);
        out.set(name, JSON.parse(m.string()));
      } catch (e) {
        out.set(name, `no answer (${e.name})`);
      }
    }
  } finally {
    await nc.close();
  }
  return out;
}
