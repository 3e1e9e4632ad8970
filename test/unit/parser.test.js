// ClientProtocolParser with a recording fake handler: every op, case and
// blanks, split frames (every op fed one byte at a time and at every split
// point), payloads straddling chunks, many ops per chunk, HPUB, bad
// arguments, the control line limit, payload trailers and max payload.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { parseSize, isOpPrefix, argLength } from "../../dist/protocol/control-line.js";
import { recorder } from "../helpers/parser-recorder.js";

// ParseFailure is a const enum (inlined by tsc): its values, in order.
const F = { UnknownOp: 0, BadArgs: 1, MaxControlLine: 2, MaxPayload: 3, HeadersNotSupported: 4, ClientError: 5 };

/** Parse `input` (string or chunks) and return the recorded ops. */
function parse(input, opts) {
  const { parser, ops } = recorder(opts);
  for (const chunk of Array.isArray(input) ? input : [input]) parser.parse(Buffer.from(chunk, "latin1"));
  return ops;
}

/** Parse `input` one byte per chunk. */
function parseBytewise(input, opts) {
  const { parser, ops } = recorder(opts);
  const b = Buffer.from(input, "latin1");
  for (let i = 0; i < b.length; i++) parser.parse(b.subarray(i, i + 1));
  return ops;
}

const HDR = "NATS/1.0\r\nA: b\r\n\r\n"; // 18 bytes

/** One of every op with the ops it must produce. */
const EVERY_OP = [
  ["CONNECT {\"verbose\":false}\r\n", [["connect", '{"verbose":false}']]],
  ["PUB foo 5\r\nhello\r\n", [["pub", "foo", undefined, -1, "hello"]]],
  ["PUB foo bar 5\r\nhello\r\n", [["pub", "foo", "bar", -1, "hello"]]],
  ["PUB foo 0\r\n\r\n", [["pub", "foo", undefined, -1, ""]]],
  [`HPUB foo 18 20\r\n${HDR}hi\r\n`, [["pub", "foo", undefined, 18, HDR + "hi"]]],
  [`HPUB foo r 18 18\r\n${HDR}\r\n`, [["pub", "foo", "r", 18, HDR]]],
  ["SUB foo 1\r\n", [["sub", "foo", undefined, "1"]]],
  ["SUB foo q 2\r\n", [["sub", "foo", "q", "2"]]],
  ["UNSUB 1\r\n", [["unsub", "1", 0]]],
  ["UNSUB 1 10\r\n", [["unsub", "1", 10]]],
  ["PING\r\n", [["ping"]]],
  ["PONG\r\n", [["pong"]]],
  ["INFO {}\r\n", []],
  ["+OK\r\n", []],
];

describe("every op", () => {
  for (const [input, want] of EVERY_OP) {
    test(JSON.stringify(input.slice(0, 24)), () => {
      assert.deepEqual(parse(input), want);
      // And the same when fed one byte at a time.
      assert.deepEqual(parseBytewise(input), want);
    });
  }

  test("a client's -ERR closes as a client error (silently)", () => {
    assert.deepEqual(parse("-ERR 'boom'\r\nPING\r\n"), [["error", "", F.ClientError]]);
  });

  test("all ops in one chunk, in order", () => {
    const input = EVERY_OP.map(([i]) => i).join("");
    const want = EVERY_OP.flatMap(([, w]) => w);
    assert.deepEqual(parse(input), want);
  });
});

describe("case and blanks", () => {
  test("op names are case-insensitive", () => {
    const ops = parse(`connect {}\r\nCoNnEcT {}\r\npub a 1\r\nx\r\nPuB a 1\r\nx\r\nhpub a 12 12\r\nNATS/1.0\r\n\r\n\r\nsub a 1\r\nSuB a 2\r\nunsub 1\r\nUnSuB 2\r\nping\r\nPiNg\r\npong\r\npOnG\r\ninfo {}\r\n+ok\r\n`);
    assert.deepEqual(ops.map((o) => o[0]), ["connect", "connect", "pub", "pub", "pub", "sub", "sub", "unsub", "unsub", "ping", "ping", "pong", "pong"]);
  });

  test("tabs and repeated blanks between arguments", () => {
    assert.deepEqual(parse("PUB\t foo \t bar\t\t5\r\nhello\r\nSUB  foo\t\tq  7\r\nUNSUB \t 7 \t 3\r\nHPUB\tfoo\t12  12\r\nNATS/1.0\r\n\r\n\r\n"), [
      ["pub", "foo", "bar", -1, "hello"],
      ["sub", "foo", "q", "7"],
      ["unsub", "7", 3],
      ["pub", "foo", undefined, 12, "NATS/1.0\r\n\r\n"],
    ]);
  });

  test("trailing blanks after the last argument", () => {
    assert.deepEqual(parse("PUB foo 1 \t\r\nx\r\nSUB foo 1 \r\n"), [
      ["pub", "foo", undefined, -1, "x"],
      ["sub", "foo", undefined, "1"],
    ]);
  });

  test("LF without CR ends a control line", () => {
    assert.deepEqual(parse("SUB foo 1\nPUB foo 2\nhi\r\nPING\n"), [["sub", "foo", undefined, "1"], ["pub", "foo", undefined, -1, "hi"], ["ping"]]);
  });

  test("CONNECT and INFO need no blank before their JSON; PING/PONG ignore trailing bytes (as Go)", () => {
    assert.deepEqual(parse('CONNECT{"a":1}\r\nINFO{}\r\nPINGxx\r\nPONG yy\r\n'), [["connect", '{"a":1}'], ["ping"], ["pong"]]);
  });

  test("subject and reply bytes round-trip as latin1", () => {
    const subj = "caf\xe9.\xff";
    assert.deepEqual(parse(`PUB ${subj} r\xe9 1\r\n\xfe\r\n`), [["pub", subj, "r\xe9", -1, "\xfe"]]);
  });
});

describe("split frames", () => {
  const script =
    'CONNECT {"verbose":false}\r\nSUB foo.* q 1\r\nPUB foo.bar r 11\r\nhello world\r\n' +
    `HPUB foo.bar 18 21\r\n${HDR}abc\r\nUNSUB 1 5\r\nPING\r\nPONG\r\nPUB x 0\r\n\r\nINFO {}\r\n+OK\r\nSUB a 2\r\n`;
  const want = parse(script);

  test("the reference parse is what we expect", () => {
    assert.equal(want.length, 9);
    assert.deepEqual(want[2], ["pub", "foo.bar", "r", -1, "hello world"]);
  });

  test("every op fed one byte at a time", () => {
    assert.deepEqual(parseBytewise(script), want);
  });

  test("every split point into two chunks", () => {
    for (let k = 1; k < script.length; k++) {
      assert.deepEqual(parse([script.slice(0, k), script.slice(k)]), want, `split at ${k}`);
    }
  });

  test("every split into three chunks around the payload", () => {
    const s = "PUB p 10\r\n0123456789\r\nPING\r\n";
    const w = [["pub", "p", undefined, -1, "0123456789"], ["ping"]];
    for (let a = 1; a < s.length - 1; a++) {
      for (let b = a + 1; b < s.length; b++) assert.deepEqual(parse([s.slice(0, a), s.slice(a, b), s.slice(b)]), w, `split at ${a},${b}`);
    }
  });

  test("a payload straddling many chunks is reassembled", () => {
    const payload = Buffer.alloc(300_000, "z").toString("latin1");
    const s = `PUB big 300000\r\n${payload}\r\nPING\r\n`;
    const chunks = [];
    for (let i = 0; i < s.length; i += 65536) chunks.push(s.slice(i, i + 65536));
    const ops = parse(chunks);
    assert.equal(ops.length, 2);
    assert.equal(ops[0][4].length, 300_000);
    assert.equal(ops[0][4], payload);
    assert.deepEqual(ops[1], ["ping"]);
  });

  test("a payload's trailing CR and LF in separate chunks", () => {
    assert.deepEqual(parse(["PUB a 2\r\nhi\r", "\nPING\r\n"]), [["pub", "a", undefined, -1, "hi"], ["ping"]]);
    assert.deepEqual(parse(["PUB a 2\r\nhi", "\r", "\n"]), [["pub", "a", undefined, -1, "hi"]]);
  });

  test("a straddling payload is a copy: later chunks do not change it", () => {
    const { parser, ops } = recorder();
    const first = Buffer.from("PUB a 4\r\nab");
    const second = Buffer.from("cd\r\n");
    parser.parse(first);
    parser.parse(second);
    first.fill(0);
    second.fill(0);
    assert.deepEqual(ops, [["pub", "a", undefined, -1, "abcd"]]);
  });
});

describe("many ops", () => {
  test("10,000 PUBs in one chunk", () => {
    let s = "";
    for (let i = 0; i < 10_000; i++) s += `PUB s.${i % 7} ${String(i).length}\r\n${i}\r\n`;
    const ops = parse(s);
    assert.equal(ops.length, 10_000);
    assert.deepEqual(ops[1234], ["pub", "s.2", undefined, -1, "1234"]);
    assert.deepEqual(ops[9999], ["pub", "s.3", undefined, -1, "9999"]);
  });

  test("mixed ops in one chunk keep their order", () => {
    let s = "";
    const want = [];
    for (let i = 0; i < 500; i++) {
      s += `SUB s.${i} ${i}\r\nPUB s.${i} 1\r\nx\r\nUNSUB ${i}\r\nPING\r\n`;
      want.push(["sub", `s.${i}`, undefined, String(i)], ["pub", `s.${i}`, undefined, -1, "x"], ["unsub", String(i), 0], ["ping"]);
    }
    assert.deepEqual(parse(s), want);
  });
});

describe("HPUB", () => {
  test("header length and total size; header-only message", () => {
    assert.deepEqual(parse(`HPUB a 18 18\r\n${HDR}\r\n`), [["pub", "a", undefined, 18, HDR]]);
  });

  test("HPUB when headers are not enabled closes silently", () => {
    assert.deepEqual(parse(`HPUB a 18 20\r\n${HDR}hi\r\n`, { headers: false }), [["error", "", F.HeadersNotSupported]]);
  });

  test("header size larger than total size is a bad argument", () => {
    assert.deepEqual(parse("HPUB a 20 18\r\n"), [["error", "", F.BadArgs]]);
  });

  test("HPUB with 2 or 5 arguments is a bad argument", () => {
    assert.deepEqual(parse("HPUB a 18\r\n"), [["error", "", F.BadArgs]]);
    assert.deepEqual(parse("HPUB a b c 1 2\r\n"), [["error", "", F.BadArgs]]);
  });

  test("HPUB over max payload counts the total size", () => {
    assert.deepEqual(parse("HPUB a 10 101\r\n", { maxPayload: 100 }), [["maxpayload", 101]]);
  });
});

describe("bad arguments close silently", () => {
  const cases = [
    ["PUB foo\r\n", "PUB with one argument"],
    ["PUB a b c 1\r\n", "PUB with four arguments"],
    ["PUB foo x\r\n", "PUB with a non-numeric size"],
    ["PUB foo -1\r\n", "PUB with a negative size"],
    ["PUB foo 1000000000\r\n", "PUB with a 10-digit size (Go parses at most 9)"],
    ["PUB \r\n", "PUB with no arguments"],
    ["SUB foo\r\n", "SUB with one argument"],
    ["SUB a b c d\r\n", "SUB with four arguments"],
    ["UNSUB 1 2 3\r\n", "UNSUB with three arguments"],
    ["INFO nope\r\n", "INFO that is not JSON"],
    ["INFO [1]\r\n", "INFO that is not an object"],
  ];
  for (const [input, name] of cases) {
    test(name, () => {
      assert.deepEqual(parse(input + "PING\r\n"), [["error", "", F.BadArgs]]);
    });
  }

  test("UNSUB with a bad max unsubscribes at once (max 0)", () => {
    assert.deepEqual(parse("UNSUB 1 x\r\nUNSUB 2 1000000000\r\n"), [["unsub", "1", 0], ["unsub", "2", 0]]);
  });
});

describe("unknown ops", () => {
  const cases = [
    ["FOO\r\n", "an unknown word"],
    ["PUBX foo 1\r\n", "a known word with extra letters"],
    ["SUB\r\n", "an op word without its blank"],
    ["UNSUB\r\n", "UNSUB without arguments"],
    ["\r\nPING\r\n", "a stray CRLF where an op should start"],
    ["MSG a 1 1\r\nx\r\n", "MSG from a client"],
    ["-ERR\r\n", "-ERR without a blank"],
    ["+O\r\n", "a truncated +OK"],
  ];
  for (const [input, name] of cases) {
    test(name, () => {
      assert.deepEqual(parse(input), [["error", "Unknown Protocol Operation", F.UnknownOp]]);
    });
  }

  test("is reported before the line's LF arrives (as Go, byte by byte)", () => {
    assert.deepEqual(parse("XY"), [["error", "Unknown Protocol Operation", F.UnknownOp]]);
    assert.deepEqual(parse(["PI", "Z"]), [["error", "Unknown Protocol Operation", F.UnknownOp]]);
    assert.deepEqual(parse(["SUBx"]), [["error", "Unknown Protocol Operation", F.UnknownOp]]);
    // A valid prefix waits for more.
    assert.deepEqual(parse(["PU", "B a 1", "\r\nx\r\n"]), [["pub", "a", undefined, -1, "x"]]);
  });

  test("ops before the bad one are delivered, nothing after it", () => {
    assert.deepEqual(parse("PING\r\nBAD\r\nPING\r\n"), [["ping"], ["error", "Unknown Protocol Operation", F.UnknownOp]]);
  });
});

describe("control line limit", () => {
  test("arguments of exactly the limit are accepted (the op word does not count)", () => {
    const subj = "a".repeat(62);
    assert.deepEqual(parse(`SUB ${subj} 1\r\n`, { maxControlLine: 64 }), [["sub", subj, undefined, "1"]]);
  });

  test("one byte more is refused with Go's lower-case text", () => {
    const subj = "a".repeat(63);
    assert.deepEqual(parse(`SUB ${subj} 1\r\n`, { maxControlLine: 64 }), [["error", "maximum control line exceeded", F.MaxControlLine]]);
  });

  test("an over-long line without its LF is refused without waiting for it", () => {
    assert.deepEqual(parse("PUB " + "a".repeat(100), { maxControlLine: 64 }), [["error", "maximum control line exceeded", F.MaxControlLine]]);
    // Also when it only grows too long over several chunks.
    const { parser, ops } = recorder({ maxControlLine: 64 });
    for (let i = 0; i < 10; i++) parser.parse(Buffer.from(i === 0 ? "PUB " : "aaaaaaaaaa"));
    assert.deepEqual(ops, [["error", "maximum control line exceeded", F.MaxControlLine]]);
  });

  test("PING/PONG/+OK ignore what follows, however long (Go reads to the LF)", () => {
    assert.deepEqual(parse(`PING${"x".repeat(200)}\r\n+OK${"y".repeat(200)}\r\nPONG\r\n`, { maxControlLine: 64 }), [["ping"], ["pong"]]);
    // Also arriving in pieces: the junk is not kept.
    const { parser, ops } = recorder({ maxControlLine: 64 });
    parser.parse(Buffer.from("PING"));
    for (let i = 0; i < 100; i++) parser.parse(Buffer.from("z".repeat(50)));
    parser.parse(Buffer.from("\r\n"));
    assert.deepEqual(ops, [["ping"]]);
    assert.ok(parser.partialLine === null);
  });

  test("CONNECT and blanks: only the JSON counts", () => {
    assert.deepEqual(parse(`CONNECT${" ".repeat(100)}{}\r\n`, { maxControlLine: 64 }), [["connect", "{}"]]);
    assert.deepEqual(parse(`CONNECT {"n":"${"n".repeat(64)}"}\r\n`, { maxControlLine: 64 }), [["error", "maximum control line exceeded", F.MaxControlLine]]);
  });

  test("a long payload is not a long control line", () => {
    const payload = "p".repeat(10_000);
    assert.deepEqual(parse(`PUB a 10000\r\n${payload}\r\n`, { maxControlLine: 64 }), [["pub", "a", undefined, -1, payload]]);
  });

  test("the default limit (4096) with a real line", () => {
    // Arguments "s…s 12": 4096 bytes are fine, 4097 are not.
    assert.equal(parse(`PUB ${"s".repeat(4093)} 12\r\n${"x".repeat(12)}\r\n`).length, 1);
    assert.deepEqual(parse(`PUB ${"s".repeat(4094)} 12\r\n`), [["error", "maximum control line exceeded", F.MaxControlLine]]);
  });
});

describe("payloads", () => {
  test("wrong trailer after the payload is an unknown op", () => {
    assert.deepEqual(parse("PUB a 1\r\nxx\r\n"), [["error", "Unknown Protocol Operation", F.UnknownOp]]);
    // Also when the payload straddles chunks.
    assert.deepEqual(parse(["PUB a 3\r\nab", "cd\r\n"]), [["error", "Unknown Protocol Operation", F.UnknownOp]]);
  });

  test("a payload may contain CR, LF and op-like text", () => {
    const p = "PING\r\nPUB x 1\r\n\n";
    assert.deepEqual(parse(`PUB a ${p.length}\r\n${p}\r\n`), [["pub", "a", undefined, -1, p]]);
  });

  test("max payload: reported with the size, parsing stops", () => {
    assert.deepEqual(parse("PUB a 101\r\n" + "x".repeat(101) + "\r\nPING\r\n", { maxPayload: 100 }), [["maxpayload", 101]]);
    assert.deepEqual(parse("PUB a 100\r\n" + "x".repeat(100) + "\r\n", { maxPayload: 100 }), [["pub", "a", undefined, -1, "x".repeat(100)]]);
  });

  test("after a failure further input is ignored", () => {
    const { parser, ops } = recorder();
    parser.parse(Buffer.from("BAD\r\n"));
    parser.parse(Buffer.from("PING\r\n"));
    assert.deepEqual(ops, [["error", "Unknown Protocol Operation", F.UnknownOp]]);
  });

  test("stop() discards a partial op", () => {
    const { parser, ops } = recorder();
    parser.parse(Buffer.from("PUB a 5\r\nab"));
    parser.stop();
    parser.parse(Buffer.from("cde\r\nPING\r\n"));
    assert.deepEqual(ops, []);
  });
});

describe("helpers", () => {
  test("parseSize: 0-9 digits only", () => {
    const b = Buffer.from("0 7 123456789 1234567890 12a -1");
    assert.equal(parseSize(b, 0, 1), 0);
    assert.equal(parseSize(b, 2, 3), 7);
    assert.equal(parseSize(b, 4, 13), 123456789);
    assert.equal(parseSize(b, 14, 24), -1);
    assert.equal(parseSize(b, 25, 28), -1);
    assert.equal(parseSize(b, 29, 31), -1);
    assert.equal(parseSize(b, 3, 3), -1);
  });

  test("isOpPrefix follows Go's op states", () => {
    const yes = ["P", "PU", "PUB", "PUB ", "pub\t", "PI", "PINGX", "H", "HPUB ", "SUB ", "UNSU", "CONNECT{", "INF", "INFO{", "+", "+OK", "-ERR ", "-E"];
    const no = ["X", "PX", "PUBX", "HPX", "SUX", "UNSUBX", "CONNEX", "INFX", "+X", "-ERRX", "\r", "\n", "M", "R", "A", "L"];
    for (const s of yes) assert.equal(isOpPrefix(Buffer.from(s), 0, s.length), true, s);
    for (const s of no) assert.equal(isOpPrefix(Buffer.from(s), 0, s.length), false, s);
  });

  test("argLength skips the op word and its blanks", () => {
    for (const [s, n] of [["PUB  a 1", 3], ["SUB\ta 1", 3], ["UNSUB 1", 1], ["CONNECT {}", 2], ["HPUB a 1 1", 5], ["PING", 0], ["PINGxyz", 0], ["+OK junk", 0], ["-ERR 'x'", 3]]) {
      assert.equal(argLength(Buffer.from(s), 0, s.length), n, s);
    }
  });
});
