// Time in the forms the JetStream API uses: Unix nanoseconds as numbers
// inside, Go's RFC 3339 with nanoseconds (trailing zeros trimmed, UTC "Z")
// on the wire; Go's zero time for "none".

export const ZERO_TIME = "0001-01-01T00:00:00Z";

/** The "YYYY-MM-DDTHH:MM:SS" of the last second formatted (every direct get and info formats a time). */
let cachedSecond = NaN;
let cachedSecondText = "";

/** Go's time.Time JSON for a Unix-nanosecond instant (0 = Go's zero time). */
export function formatNanos(ns: number): string {
  if (ns <= 0) return ZERO_TIME;
  const ms = Math.floor(ns / 1e6);
  const second = Math.floor(ms / 1000);
  if (second !== cachedSecond) {
    cachedSecond = second;
    cachedSecondText = new Date(second * 1000).toISOString().slice(0, 19);
  }
  const digits = String(Math.floor(ns - ms * 1e6) + (ms % 1000) * 1e6).padStart(9, "0");
  let end = digits.length;
  while (end > 0 && digits.charCodeAt(end - 1) === 48) end--;
  return end === 0 ? `${cachedSecondText}Z` : `${cachedSecondText}.${digits.slice(0, end)}Z`;
}

/** Parse an RFC 3339 time into Unix ns (NaN when invalid). */
export function parseTimeNanos(s: string): number {
  const m = /^(.*T\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)$/.exec(s);
  if (!m) return NaN;
  const base = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(base)) return NaN;
  const frac = m[2] ? Number(m[2].slice(1).padEnd(9, "0").slice(0, 9)) : 0;
  return base * 1e6 + frac;
}
