// formatNanos: Go's RFC 3339 with nanoseconds (trailing zeros trimmed, "Z"),
// checked against a plain Date-based formatting, also across second changes
// (it keeps the text of the last second).
import { test } from "node:test";
import assert from "node:assert/strict";
import { formatNanos, ZERO_TIME } from "../../dist/jetstream/time.js";

function reference(ns) {
  const ms = Math.floor(ns / 1e6);
  const frac = String(Math.floor(ns - ms * 1e6) + (ms % 1000) * 1e6).padStart(9, "0").replace(/0+$/, "");
  return `${new Date(ms).toISOString().slice(0, 19)}${frac ? `.${frac}` : ""}Z`;
}

test("formatNanos matches the reference for whole seconds, ms, ns and alternating seconds", () => {
  assert.equal(formatNanos(0), ZERO_TIME);
  assert.equal(formatNanos(-5), ZERO_TIME);
  assert.equal(formatNanos(1e9), "1970-01-01T00:00:01Z");
  assert.equal(formatNanos(1_500_000_000), "1970-01-01T00:00:01.5Z");
  assert.equal(formatNanos(1_000_000_123), "1970-01-01T00:00:01.000000123Z");
  const now = Math.floor(Date.now() * 1e6);
  for (let i = 0; i < 20000; i++) {
    for (const ns of [now + i * 256 * 7919, (i + 1) * 1e9, i * 1e6 + 1, 1 + Math.floor(Math.random() * 4e18)]) assert.equal(formatNanos(ns), reference(ns), String(ns));
  }
});
