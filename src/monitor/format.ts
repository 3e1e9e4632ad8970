// Output formats shared by the monitoring endpoints: JSON the way the Go
// server writes it (two-space indent, HTML-sensitive characters escaped),
// timestamps, round-trip times and the compact uptime form. Formatting only:
// no server state is read here.

import { formatGoDuration } from "../go-format/duration.js";

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

/** A round trip in ms (-1 = not measured) as Go reports it: µs precision below 1ms. */
export function rttString(ms: number): string {
  if (!(ms > 0)) return "0s";
  let ns = Math.round(ms * 1e6);
  if (ns > 1_000 && ns < 1_000_000) ns = Math.floor(ns / 1_000) * 1_000;
  return formatGoDuration(BigInt(ns));
}
