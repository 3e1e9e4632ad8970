// Formatting helpers shared by the monitoring endpoints: JSON the way the Go
// server writes it (two-space indent, HTML-sensitive characters escaped),
// timestamps, Go duration strings and the compact uptime form.

const HTML_ESCAPES: Record<string, string> = {
  "<": "\\u003c",
  ">": "\\u003e",
  "&": "\\u0026",
  "\u2028": "\\u2028",
  "\u2029": "\\u2029",
};

/**
 * Serialise like Go's encoding/json: `<`, `>`, `&` and the JS line separators
 * are escaped (they can only occur inside strings, so the replacement is safe).
 */
export function toJson(value: unknown, indent = true): string {
  const s = indent ? JSON.stringify(value, null, 2) : JSON.stringify(value);
  return s.replace(/[<>&\u2028\u2029]/g, (c) => HTML_ESCAPES[c]);
}

/** RFC 3339 in UTC with the fraction's trailing zeros trimmed, as Go prints times. */
export function formatTime(t: Date | number): string {
  const iso = (typeof t === "number" ? new Date(t) : t).toISOString();
  return iso.replace(/\.(\d*?)0*Z$/, (_m, frac: string) => (frac ? `.${frac}Z` : "Z"));
}

/** Elapsed time as `1y2d3h4m5s`, dropping leading zero units (whole seconds). */
export function uptime(ms: number): string {
  let secs = Math.max(0, Math.floor(ms / 1000));
  const years = Math.floor(secs / (365 * 86400));
  secs -= years * 365 * 86400;
  const days = Math.floor(secs / 86400);
  secs -= days * 86400;
  const hours = Math.floor(secs / 3600);
  secs -= hours * 3600;
  const mins = Math.floor(secs / 60);
  secs -= mins * 60;
  if (years > 0) return `${years}y${days}d${hours}h${mins}m${secs}s`;
  if (days > 0) return `${days}d${hours}h${mins}m${secs}s`;
  if (hours > 0) return `${hours}h${mins}m${secs}s`;
  if (mins > 0) return `${mins}m${secs}s`;
  return `${secs}s`;
}

/** `digits` of fraction from `value / 10^digits`, trailing zeros removed. */
function withFraction(value: number, digits: number): string {
  const scale = 10 ** digits;
  const whole = Math.floor(value / scale);
  const frac = String(value % scale).padStart(digits, "0").replace(/0+$/, "");
  return frac ? `${whole}.${frac}` : String(whole);
}

/** A duration in nanoseconds in Go's time.Duration.String() form ("0s", "512µs", "1.5ms", "2m3.1s"). */
export function goDuration(ns: number): string {
  ns = Math.round(ns);
  if (ns === 0) return "0s";
  const neg = ns < 0;
  if (neg) ns = -ns;
  let out: string;
  if (ns < 1_000) out = `${ns}ns`;
  else if (ns < 1_000_000) out = `${withFraction(ns, 3)}µs`;
  else if (ns < 1_000_000_000) out = `${withFraction(ns, 6)}ms`;
  else {
    const totalSecs = Math.floor(ns / 1e9);
    const h = Math.floor(totalSecs / 3600);
    const m = Math.floor((totalSecs % 3600) / 60);
    const s = withFraction((totalSecs % 60) * 1e9 + (ns % 1e9), 9);
    out = h > 0 ? `${h}h${m}m${s}s` : m > 0 ? `${m}m${s}s` : `${s}s`;
  }
  return neg ? `-${out}` : out;
}

/** A round trip in ms (-1 = not measured) as Go reports it: µs precision below 1ms. */
export function rttString(ms: number): string {
  if (!(ms > 0)) return "0s";
  let ns = Math.round(ms * 1e6);
  if (ns > 1_000 && ns < 1_000_000) ns = Math.floor(ns / 1_000) * 1_000;
  return goDuration(ns);
}
