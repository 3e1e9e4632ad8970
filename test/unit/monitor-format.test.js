// Monitoring formatters and parameter decoding: Go's duration, uptime and
// time formats, JSON escaping, and strconv error texts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { formatTime, rttString, toJson, uptime } from "../../dist/monitor/format.js";
import { formatGoDuration } from "../../dist/go-format/duration.js";
import { decodeBool, decodeInt, decodeSubs, decodeUint64 } from "../../dist/monitor/params.js";
import { subjectsCollide } from "../../dist/monitor/connz.js";
import { normalizeBasePath, joinPath } from "../../dist/monitor/types.js";

test("formatGoDuration matches time.Duration.String", () => {
  const cases = [
    [0, "0s"],
    [1, "1ns"],
    [999, "999ns"],
    [1_000, "1µs"],
    [1_500, "1.5µs"],
    [388_000, "388µs"],
    [1_000_000, "1ms"],
    [3_814_461, "3.814461ms"],
    [1_000_000_000, "1s"],
    [1_500_000_000, "1.5s"],
    [61_000_000_000, "1m1s"],
    [3_600_000_000_000, "1h0m0s"],
    [3_723_100_000_000, "1h2m3.1s"],
    [-1_500, "-1.5µs"],
  ];
  for (const [ns, s] of cases) assert.equal(formatGoDuration(BigInt(ns)), s, String(ns));
});

test("rttString: unmeasured is 0s, microsecond precision below 1ms", () => {
  assert.equal(rttString(-1), "0s");
  assert.equal(rttString(0.3881234), "388µs");
  assert.equal(rttString(3.814461), "3.814461ms");
});

test("uptime drops leading zero units", () => {
  assert.equal(uptime(0), "0s");
  assert.equal(uptime(59_999), "59s");
  assert.equal(uptime(61_000), "1m1s");
  assert.equal(uptime(3_600_000), "1h0m0s");
  assert.equal(uptime(90_061_000), "1d1h1m1s");
  assert.equal(uptime(366 * 86_400_000), "1y1d0h0m0s");
});

test("formatTime trims the fraction like RFC3339Nano", () => {
  assert.equal(formatTime(Date.UTC(2024, 0, 2, 3, 4, 5, 120)), "2024-01-02T03:04:05.12Z");
  assert.equal(formatTime(Date.UTC(2024, 0, 2, 3, 4, 5, 0)), "2024-01-02T03:04:05Z");
  assert.equal(formatTime(new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 7))), "2024-01-02T03:04:05.007Z");
});

test("toJson escapes HTML characters as Go does", () => {
  assert.equal(toJson({ s: "a.>&<" }, false), '{"s":"a.\\u003e\\u0026\\u003c"}');
  assert.equal(JSON.parse(toJson({ s: "a.>&<" })).s, "a.>&<");
  assert.equal(toJson({ a: [1] }), '{\n  "a": [\n    1\n  ]\n}');
});

test("parameter decoding follows strconv", () => {
  const q = (s) => new URLSearchParams(s);
  for (const v of ["1", "t", "T", "TRUE", "true", "True"]) assert.equal(decodeBool(q(`x=${v}`), "x"), true, v);
  for (const v of ["0", "f", "F", "FALSE", "false", "False", ""]) assert.equal(decodeBool(q(`x=${v}`), "x"), false, v);
  assert.throws(() => decodeBool(q("x=yes"), "x"), { message: `Error decoding boolean for 'x': strconv.ParseBool: parsing "yes": invalid syntax` });
  assert.equal(decodeInt(q("n=-5"), "n"), -5);
  assert.equal(decodeInt(q("n=%2B7"), "n"), 7);
  assert.equal(decodeInt(q(""), "n"), 0);
  assert.throws(() => decodeInt(q("n=9223372036854775808"), "n"), /value out of range/);
  assert.equal(decodeInt(q("n=9223372036854775807"), "n"), 9223372036854775807);
  assert.throws(() => decodeUint64(q("c=%2B1"), "c"), /invalid syntax/);
  assert.throws(() => decodeUint64(q("c=18446744073709551616"), "c"), /value out of range/);
  assert.deepEqual(decodeSubs(q("subs=DETAIL")), { subs: false, detail: true });
  assert.deepEqual(decodeSubs(q("subs=1")), { subs: true, detail: false });
});

test("subjectsCollide", () => {
  assert.equal(subjectsCollide("foo.bar", "foo.bar"), true);
  assert.equal(subjectsCollide("foo.*", "foo.bar"), true);
  assert.equal(subjectsCollide("foo.>", "foo.bar.baz"), true);
  assert.equal(subjectsCollide("foo.>", "foo"), false);
  assert.equal(subjectsCollide("*.bar", "foo.*"), true);
  assert.equal(subjectsCollide("foo.*", "foo.bar.baz"), false);
  assert.equal(subjectsCollide("foo.baz", "foo.bar"), false);
});

test("base path normalisation", () => {
  assert.equal(normalizeBasePath(""), "/");
  assert.equal(normalizeBasePath("mon/"), "/mon");
  assert.equal(normalizeBasePath("/a//b/../c/"), "/a/c");
  assert.equal(joinPath("/", "/varz"), "/varz");
  assert.equal(joinPath("/mon", "/varz"), "/mon/varz");
});
