// Go duration strings: parses "1h30m", "250ms", "1.5s" exactly as Go's
// time.ParseDuration does (same units, same error texts) and formats
// durations like Go's Duration.String() (config errors, reload notices,
// monitoring). Pure functions: depends on nothing of ours and knows nothing
// about configuration keys.

const UNIT_NS: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  "\u00b5s": 1_000n, // micro sign
  "\u03bcs": 1_000n, // Greek mu
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

const MAX_NS = (1n << 63n) - 1n;

/** Go's time package quoting: non-ASCII and control bytes become \xNN. */
function timeQuote(s: string): string {
  let out = '"';
  for (const c of s) {
    const cp = c.codePointAt(0)!;
    if (cp >= 0x80 || cp < 0x20) {
      for (const b of Buffer.from(c, "utf8")) out += "\\x" + b.toString(16).padStart(2, "0");
    } else {
      out += c === '"' || c === "\\" ? "\\" + c : c;
    }
  }
  return out + '"';
}

export class DurationError extends Error {}

/** Parse a Go duration string; returns nanoseconds as a bigint. Throws DurationError. */
export function parseGoDurationNs(input: string): bigint {
  const invalid = () => new DurationError(`time: invalid duration ${timeQuote(input)}`);
  let s = input;
  let negative = false;
  if (s[0] === "-" || s[0] === "+") {
    negative = s[0] === "-";
    s = s.slice(1);
  }
  if (s === "0") return 0n;
  if (s === "") throw invalid();
  let total = 0n;
  while (s !== "") {
    const num = /^([0-9]*)(?:\.([0-9]*))?/.exec(s)!;
    const whole = num[1]!;
    const frac = num[2];
    if (whole === "" && (frac === undefined || frac === "")) throw invalid();
    s = s.slice(num[0].length);
    const unitMatch = /^[^0-9.]*/.exec(s)![0];
    if (unitMatch === "") throw new DurationError(`time: missing unit in duration ${timeQuote(input)}`);
    const unit = UNIT_NS[unitMatch];
    if (unit === undefined) {
      throw new DurationError(`time: unknown unit ${timeQuote(unitMatch)} in duration ${timeQuote(input)}`);
    }
    s = s.slice(unitMatch.length);
    const w = whole === "" ? 0n : BigInt(whole);
    if (w > MAX_NS / unit) throw invalid();
    let v = w * unit;
    if (frac) {
      // Fractions are truncated to nanoseconds, as in Go.
      const scale = 10n ** BigInt(frac.length);
      v += (BigInt(frac) * unit) / scale;
    }
    total += v;
    if (total > MAX_NS + (negative ? 1n : 0n)) throw invalid();
  }
  return negative ? -total : total;
}

/** Go's Duration.String(), e.g. "1h0m0s", "1.5s", "250ms", "0s". */
export function formatGoDuration(ns: bigint): string {
  if (ns === 0n) return "0s";
  const negative = ns < 0n;
  let u = negative ? -ns : ns;
  const sign = negative ? "-" : "";
  const fraction = (value: bigint, digits: number): string => {
    const div = 10n ** BigInt(digits);
    const int = value / div;
    let frac = (value % div).toString().padStart(digits, "0").replace(/0+$/, "");
    return frac ? `${int}.${frac}` : `${int}`;
  };
  if (u < 1_000_000_000n) {
    if (u < 1_000n) return `${sign}${u}ns`;
    if (u < 1_000_000n) return `${sign}${fraction(u, 3)}\u00b5s`;
    return `${sign}${fraction(u, 6)}ms`;
  }
  const hours = u / 3_600_000_000_000n;
  u -= hours * 3_600_000_000_000n;
  const minutes = u / 60_000_000_000n;
  u -= minutes * 60_000_000_000n;
  const secs = `${fraction(u, 9)}s`;
  if (hours > 0n) return `${sign}${hours}h${minutes}m${secs}`;
  if (minutes > 0n) return `${sign}${minutes}m${secs}`;
  return `${sign}${secs}`;
}
