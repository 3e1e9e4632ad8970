// Unit tests for the nats-server config format parser (src/config/lexer.ts,
// src/config/parser.ts) through the public parseConfig API. Expected values
// and error texts were checked against nats-server 2.9.10 (`nats-server -t`).
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseConfig, ConfigError } from "../../dist/config/index.js";

/** Assert that parsing fails with a ConfigError whose message matches. */
function parseError(text, file) {
  try {
    parseConfig(text, file);
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected ConfigError, got ${e}`);
    return e;
  }
  assert.fail(`expected a parse error for ${JSON.stringify(text)}`);
}

describe("key/value separators", () => {
  test("colon, equals and whitespace all assign", () => {
    assert.deepEqual(parseConfig("a: 1\nb = 2\nc 3\nd:4\ne=5\n"), { a: 1, b: 2, c: 3, d: 4, e: 5 });
  });
  test("semicolons and commas end top-level values", () => {
    assert.deepEqual(parseConfig("a: 1; b: 2, c: three"), { a: 1, b: 2, c: "three" });
  });
  test("a key may be separated from its value by newlines when there is no separator", () => {
    assert.deepEqual(parseConfig("port\n\n4222\n"), { port: 4222 });
  });
  test("quoted keys keep spaces and dots", () => {
    assert.deepEqual(parseConfig('"a b": 1\n\'c.d\' = 2\n'), { "a b": 1, "c.d": 2 });
  });
  test("later assignments replace earlier ones", () => {
    assert.deepEqual(parseConfig("a: 1\na: 2\n"), { a: 2 });
  });
  test("a top-level pair of braces around the whole file is ignored", () => {
    assert.deepEqual(parseConfig("{\n  port: 4222\n  debug: true\n}\n"), { port: 4222, debug: true });
  });
  test("__proto__ is an ordinary key", () => {
    const tree = parseConfig("__proto__: 1\n");
    assert.equal(Object.getPrototypeOf(tree), Object.prototype);
    assert.equal(Object.getOwnPropertyDescriptor(tree, "__proto__").value, 1);
  });
});

describe("blocks and arrays", () => {
  test("nested maps with and without separators", () => {
    const tree = parseConfig("a { b: { c = 1 } }\nd: { e f }\n");
    assert.deepEqual(tree, { a: { b: { c: 1 } }, d: { e: "f" } });
  });
  test("map entries separated by commas, semicolons or newlines", () => {
    assert.deepEqual(parseConfig("m { a: 1, b: 2; c: 3\n d: 4 }"), { m: { a: 1, b: 2, c: 3, d: 4 } });
  });
  test("map values may start on the next line", () => {
    assert.deepEqual(parseConfig("m {\n a:\n 1\n}\n"), { m: { a: 1 } });
  });
  test("arrays with commas, newlines, trailing comma and nesting", () => {
    const tree = parseConfig('a: [x, "y", \'z\',]\nb: [\n  1.5\n  true\n  [q]\n  {k: v}\n]\n');
    assert.deepEqual(tree, { a: ["x", "y", "z"], b: [1.5, true, ["q"], { k: "v" }] });
  });
  test("blocks and arrays without a final newline", () => {
    assert.deepEqual(parseConfig("a { b: c }"), { a: { b: "c" } });
    assert.deepEqual(parseConfig("a: [b, c]"), { a: ["b", "c"] });
    assert.deepEqual(parseConfig("a: 1"), { a: 1 });
  });
  test("array items need a comma or newline between them", () => {
    const e = parseError("a: [x y]\n");
    assert.equal(e.reason, `Parse error on line 1: 'Expected an array value terminator "," or an array terminator "]", but got 'y' instead.'`);
  });
  test("Go quirk: a number directly followed by ']' or ',' in an array does not lex", () => {
    assert.match(parseError("a: [1, 2]\n").reason, /Expected an array value terminator/);
    assert.deepEqual(parseConfig("a: [1 , 2 ]\n"), { a: [1, 2] });
  });
  test("a key without a value inside a block takes the enclosing block's place (Go key stack)", () => {
    assert.deepEqual(parseConfig("outer { inner }\n"), { inner: {} });
  });
  test("empty containers", () => {
    assert.deepEqual(parseConfig("a {}\nb []\nc: {\n}\n"), { a: {}, b: [], c: {} });
  });
});

describe("comments", () => {
  test("# and // comments everywhere", () => {
    const text = [
      "# top",
      "// top too",
      "a: 1 # after value",
      "b: 2 // after value",
      "m { # after brace",
      "  // in map",
      "  c: 3 # after map value",
      "}",
      "l: [ # after bracket",
      "  x // after item",
      "]",
    ].join("\n");
    assert.deepEqual(parseConfig(text), { a: 1, b: 2, m: { c: 3 }, l: ["x"] });
  });
  test("a '#' that starts a value is part of an unquoted string", () => {
    assert.deepEqual(parseConfig("a: #notacomment\n"), { a: "#notacomment" });
  });
  test("a lone '/' at the top level is an error", () => {
    assert.equal(parseError("/ a\n").reason, "Parse error on line 1: 'Unexpected EOF.'");
  });
});

describe("strings", () => {
  test("double-quoted escapes: \\t \\n \\r \\\" \\\\ \\xNN (UTF-8 bytes)", () => {
    const tree = parseConfig('a: "t\\tn\\nr\\rq\\"b\\\\x\\x41\\xc3\\xa9"\n');
    assert.equal(tree.a, 't\tn\nr\rq"b\\xAé');
  });
  test("single-quoted strings are raw", () => {
    assert.deepEqual(parseConfig("a: 'no \\t escapes $HOME'\n"), { a: "no \\t escapes $HOME" });
  });
  test("double-quoted strings may span lines", () => {
    assert.deepEqual(parseConfig('a: "x\ny"\n'), { a: "x\ny" });
  });
  test("unquoted strings: subjects, URLs, paths, IP:port", () => {
    const tree = parseConfig(
      "a: A.>\nb: nats://host:4222\nc: /var/run/x.pid\nd: 127.0.0.1:4222\ne: foo.*.bar\nf: 10s\ng: 1h30m\nh: 3secret\n",
    );
    assert.deepEqual(tree, {
      a: "A.>",
      b: "nats://host:4222",
      c: "/var/run/x.pid",
      d: "127.0.0.1:4222",
      e: "foo.*.bar",
      f: "10s",
      g: "1h30m",
      h: "3secret",
    });
  });
  test("escapes also work in unquoted strings", () => {
    assert.deepEqual(parseConfig("a: x\\ty\n"), { a: "x\ty" });
  });
  test("invalid escapes are errors with Go's text", () => {
    assert.equal(
      parseError('a: "\\q"\n').reason,
      `Parse error on line 1: 'Invalid escape character 'q'. Only the following escape characters are allowed: \\xXX, \\t, \\n, \\r, \\", \\\\.'`,
    );
    assert.equal(
      parseError('a: "\\xZZ"\n').reason,
      `Parse error on line 1: 'Expected two hexadecimal digits after '\\x', but got 'ZZ''`,
    );
  });
  test("unterminated strings report the line where the input ended", () => {
    const e = parseError('a: 1\nb: "abc\n\n', "u.conf");
    assert.equal(e.reason, "Parse error on line 4: 'Unexpected EOF.'");
    assert.equal(e.file, "u.conf");
    assert.equal(e.line, 4);
    assert.match(e.message, /^u\.conf:4:1: Parse error on line 4/);
  });
});

describe("text blocks ( … )", () => {
  test("a block runs to a ')' alone on its own line", () => {
    const tree = parseConfig("a: (\nline one\n  (nested) parens)\n)\nb: 2\n");
    assert.deepEqual(tree, { a: "\nline one\n  (nested) parens)\n", b: 2 });
  });
  test("Go quirk: at the very end of input the closing ')' stays in the text", () => {
    assert.deepEqual(parseConfig("a: (\nxyz\n)"), { a: "\nxyz\n)" });
  });
  test("a block without its closing line is an error", () => {
    assert.equal(parseError("a: (\nabc\n").reason, "Parse error on line 3: 'Unexpected EOF processing block.'");
  });
});

describe("numbers", () => {
  test("integers, negatives and floats", () => {
    assert.deepEqual(parseConfig("a: 42\nb: -7\nc: 1.5\nd: -0.25\n"), { a: 42, b: -7, c: 1.5, d: -0.25 });
  });
  test("size suffixes: k/m/g/t/p/e are powers of 1000, with b, i or ib powers of 1024", () => {
    const tree = parseConfig(
      [
        "k: 1k", "K: 2K", "kb: 1kb", "KB: 1KB", "ki: 1Ki", "kib: 1KiB",
        "m: 1m", "mb: 1MB", "mi: 1mi", "g: 1g", "gb: 1GB", "t: 1T", "tb: 1tb",
        "p: 1p", "pb: 1pb", "e: 1e", "neg: -2k",
      ].join("\n"),
    );
    assert.deepEqual(tree, {
      k: 1000, K: 2000, kb: 1024, KB: 1024, ki: 1024, kib: 1024,
      m: 1_000_000, mb: 1_048_576, mi: 1_048_576, g: 1e9, gb: 2 ** 30, t: 1e12, tb: 2 ** 40,
      p: 1e15, pb: 2 ** 50, e: 1e18, neg: -2000,
    });
  });
  test("Go quirk: an unknown suffix combination silently assigns nothing", () => {
    assert.deepEqual(parseConfig("a: 1kbb\nb: 2\n"), { b: 2 });
  });
  test("'1e5' is a size suffix followed by garbage, not a float", () => {
    assert.match(parseError("a: 1e5\n").reason, /but got '5' instead/);
  });
  test("numbers followed by letters become strings; IP-like values stay strings", () => {
    assert.deepEqual(parseConfig("a: 1x\nb: 1.2.3.4\nc: 4222abc\n"), { a: "1x", b: "1.2.3.4", c: "4222abc" });
  });
  test("integers beyond int64 are errors", () => {
    assert.equal(parseError("a: 9223372036854775808\n").reason, "integer '9223372036854775808' is out of the range");
  });
  test("malformed numbers", () => {
    assert.equal(parseError("a: .5\n").reason, "Parse error on line 1: 'Floats must start with a digit'");
    assert.equal(parseError("a: -x\n").reason, "Parse error on line 1: 'Expected a digit but got 'x'.'");
    assert.equal(parseError("a: 1.x\n").reason, "Parse error on line 1: 'Floats must have a digit after the '.', but got 'x' instead.'");
  });
});

describe("booleans and dates", () => {
  test("true/false/yes/no/on/off in any case", () => {
    const tree = parseConfig("a: true\nb: FALSE\nc: Yes\nd: no\ne: ON\nf: off\ng: 'true'\n");
    assert.deepEqual(tree, { a: true, b: false, c: true, d: false, e: true, f: false, g: "true" });
  });
  test("ISO8601 Zulu datetimes become Dates", () => {
    const tree = parseConfig("d: 2016-05-04T18:53:41Z\n");
    assert.ok(tree.d instanceof Date);
    assert.equal(tree.d.toISOString(), "2016-05-04T18:53:41.000Z");
  });
  test("malformed or impossible dates are errors", () => {
    assert.equal(parseError("d: 2016-05\n").reason, `Parse error on line 2: 'Expected '-' in ISO8601 datetime, but found '\\n' instead.'`);
    assert.equal(parseError("d: 20-05\n").reason, "Parse error on line 1: 'All ISO8601 dates must be in full Zulu form.'");
    assert.equal(parseError("d: 2016-02-30T00:00:00Z\n").reason, "expected Zulu formatted DateTime, but got '2016-02-30T00:00:00Z'");
  });
});

describe("variables", () => {
  test("resolve to an earlier key in the same or an enclosing block", () => {
    const tree = parseConfig("A: 1\nm {\n  B: two\n  x: $A\n  y: $B\n  n { z: $B }\n}\nl: [$A]\n");
    assert.deepEqual(tree, { A: 1, m: { B: "two", x: 1, y: "two", n: { z: "two" } }, l: [1] });
  });
  test("values from a block are not visible outside it", () => {
    const e = parseError("m { X: 1 }\nport: $X\n", "scope.conf");
    assert.equal(e.reason, "variable reference for 'X' on line 2 can not be found");
    assert.equal(e.line, 2);
    assert.equal(e.column, 7);
  });
  test("a variable may hold a map or an array", () => {
    assert.deepEqual(parseConfig("D { a: 1 }\nx: $D\nL: [1 ]\ny: $L\n"), { D: { a: 1 }, x: { a: 1 }, L: [1], y: [1] });
  });
  test("falls back to the environment, parsing the value like config text", () => {
    process.env.TSNATS_CFG_TEST_NUM = "4222";
    process.env.TSNATS_CFG_TEST_STR = "nats://h:1";
    process.env.TSNATS_CFG_TEST_BOOL = "yes";
    process.env.TSNATS_CFG_TEST_SIZE = "1KB";
    try {
      const tree = parseConfig("a: $TSNATS_CFG_TEST_NUM\nb: $TSNATS_CFG_TEST_STR\nc: $TSNATS_CFG_TEST_BOOL\nd: $TSNATS_CFG_TEST_SIZE\n");
      assert.deepEqual(tree, { a: 4222, b: "nats://h:1", c: true, d: 1024 });
    } finally {
      delete process.env.TSNATS_CFG_TEST_NUM;
      delete process.env.TSNATS_CFG_TEST_STR;
      delete process.env.TSNATS_CFG_TEST_BOOL;
      delete process.env.TSNATS_CFG_TEST_SIZE;
    }
  });
  test("a config key shadows an environment variable of the same name", () => {
    process.env.TSNATS_CFG_TEST_SHADOW = "env";
    try {
      assert.deepEqual(parseConfig("TSNATS_CFG_TEST_SHADOW: file\nx: $TSNATS_CFG_TEST_SHADOW\n").x, "file");
    } finally {
      delete process.env.TSNATS_CFG_TEST_SHADOW;
    }
  });
  test("an unparsable environment value is an error", () => {
    process.env.TSNATS_CFG_TEST_BAD = "a b";
    try {
      assert.equal(
        parseError("x: $TSNATS_CFG_TEST_BAD\n").reason,
        `variable reference for 'TSNATS_CFG_TEST_BAD' on line 1 could not be parsed: Parse error on line 1: 'Expected a top-level value to end with a new line, comment or EOF, but got 'b' instead.'`,
      );
    } finally {
      delete process.env.TSNATS_CFG_TEST_BAD;
    }
  });
  test("self-referencing environment variables are reported, not looped on", () => {
    process.env.TSNATS_CFG_TEST_LOOP = "$TSNATS_CFG_TEST_LOOP";
    try {
      assert.match(parseError("x: $TSNATS_CFG_TEST_LOOP\n").reason, /variable reference cycle for 'TSNATS_CFG_TEST_LOOP'/);
    } finally {
      delete process.env.TSNATS_CFG_TEST_LOOP;
    }
  });
  test("undefined variables are errors naming the line", () => {
    const e = parseError("a: 1\nb: $TSNATS_CFG_TEST_UNDEFINED\n", "v.conf");
    assert.equal(e.message, "v.conf:2:4: variable reference for 'TSNATS_CFG_TEST_UNDEFINED' on line 2 can not be found");
  });
  test("quoted strings are never variables; bcrypt hashes are plain strings", () => {
    const tree = parseConfig("a: \"$NOPE\"\nb: $2a$11$abcdefghij\n");
    assert.deepEqual(tree, { a: "$NOPE", b: "$2a$11$abcdefghij" });
  });
});

describe("includes", () => {
  function withTempDir(fn) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tsnats-config-"));
    try {
      return fn(dir);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  test("include is relative to the including file and merges its keys", () => {
    withTempDir((dir) => {
      fs.mkdirSync(path.join(dir, "sub"));
      fs.writeFileSync(path.join(dir, "sub", "a.conf"), "include b.conf\nx: 1\n");
      fs.writeFileSync(path.join(dir, "sub", "b.conf"), "y: 2\n");
      fs.writeFileSync(path.join(dir, "m.conf"), "k: v\n");
      const main = path.join(dir, "main.conf");
      const text = "include ./sub/a.conf\nblock {\n  include \"m.conf\"\n  z: $k\n}\nafter: $y\n";
      assert.deepEqual(parseConfig(text, main), { x: 1, y: 2, block: { k: "v", z: "v" }, after: 2 });
    });
  });
  test("the include keyword is case-insensitive and accepts single quotes", () => {
    withTempDir((dir) => {
      fs.writeFileSync(path.join(dir, "i.conf"), "q: 1\n");
      assert.deepEqual(parseConfig("INCLUDE 'i.conf'\n", path.join(dir, "x.conf")), { q: 1 });
    });
  });
  test("included files do not see the including file's variables", () => {
    withTempDir((dir) => {
      fs.writeFileSync(path.join(dir, "i.conf"), "b: $A_FROM_PARENT\n");
      const e = parseError("A_FROM_PARENT: 1\ninclude i.conf\n", path.join(dir, "x.conf"));
      assert.match(e.reason, /^error parsing include file 'i.conf', .*variable reference for 'A_FROM_PARENT' on line 1 can not be found$/);
    });
  });
  test("a missing include file is an error like Go's", () => {
    withTempDir((dir) => {
      const main = path.join(dir, "main.conf");
      const e = parseError("a: 1\ninclude ./nope.conf\n", main);
      assert.equal(e.reason, `error parsing include file './nope.conf', open ${path.join(dir, "nope.conf")}: no such file or directory`);
      assert.equal(e.file, main);
      assert.equal(e.line, 2);
      assert.equal(e.column, 9);
    });
  });
  test("errors inside an included file name that file, line and column", () => {
    withTempDir((dir) => {
      const inc = path.join(dir, "bad.conf");
      fs.writeFileSync(inc, "ok: 1\nbroken: [\n");
      const e = parseError("include bad.conf\n", path.join(dir, "main.conf"));
      assert.ok(e.message.includes(`${inc}:3:1: Parse error on line 3: 'Expected an array value terminator`), e.message);
    });
  });
  test("include recursion is detected (directly and through another file)", () => {
    withTempDir((dir) => {
      const a = path.join(dir, "a.conf");
      const b = path.join(dir, "b.conf");
      fs.writeFileSync(a, "include b.conf\n");
      fs.writeFileSync(b, "x: 1\ninclude a.conf\n");
      assert.match(parseError(fs.readFileSync(a, "utf8"), a).message, /include recursion: .*a\.conf is already being parsed/);
      fs.writeFileSync(a, "include ./a.conf\n");
      assert.match(parseError(fs.readFileSync(a, "utf8"), a).message, /include recursion/);
    });
  });
  test("the same file may be included twice side by side", () => {
    withTempDir((dir) => {
      fs.writeFileSync(path.join(dir, "i.conf"), "v: 1\n");
      const tree = parseConfig("a { include i.conf }\nb { include i.conf }\n", path.join(dir, "x.conf"));
      assert.deepEqual(tree, { a: { v: 1 }, b: { v: 1 } });
    });
  });
  test("malformed include directives", () => {
    assert.equal(parseError("include [a]\n").reason, "Parse error on line 1: 'Expected include value but found start of an array'");
    assert.equal(parseError("include 5\n").reason, "Parse error on line 1: 'Expected include value but found start of a number'");
    assert.equal(parseError('include "x\n').reason, "Parse error on line 2: 'Unexpected EOF in double quoted include'");
  });
});

describe("syntax errors report Go's text with file, line and column", () => {
  const cases = [
    ["= 1\n", 1, 1, "Unexpected key separator '='"],
    ["a: 1 2\n", 1, 6, "Expected a top-level value to end with a new line, comment or EOF, but got '2' instead."],
    ["a:\n1\n", 2, 1, "Expected value but found new line"],
    ["m {\n  a: 1\n", 3, 1, "Unexpected EOF processing map."],
    ["m { a: 1 b: 2 }\n", 1, 10, `Expected a map value terminator "," or a map terminator "}", but got 'b' instead.`],
    ["m { : 1 }\n", 1, 4, "Unexpected key separator ':'."],
    ["m { ] }\n", 1, 4, "Unexpected array end ']' processing map."],
    ["m { a: , }\n", 1, 8, `Unexpected map value terminator ",".`],
    ["m { 'a: 1 }", 1, 11, "Unexpected EOF processing quoted map key."],
    ["l: [ , ]\n", 1, 6, "Unexpected array value terminator ','."],
    ["l: [ a\n", 2, 1, `Expected an array value terminator "," or an array terminator "]", but got '\u0000' instead.`],
  ];
  for (const [text, line, col, msg] of cases) {
    test(JSON.stringify(text), () => {
      const e = parseError(text, "s.conf");
      assert.equal(e.reason, `Parse error on line ${line}: '${msg}'`);
      assert.equal(e.file, "s.conf");
      assert.equal(e.line, line);
      assert.equal(e.column, col);
      assert.equal(e.message, `s.conf:${line}:${col}: ${e.reason}`);
    });
  }
});

describe("Go's lenient end-of-input cases", () => {
  test("a key with no value at the end of input is dropped", () => {
    assert.deepEqual(parseConfig("a: 1\nb"), { a: 1 });
  });
  test("an empty value at the end of input is an empty string", () => {
    assert.deepEqual(parseConfig("a:"), { a: "" });
  });
  test("an opening quote as the very last character ends the input", () => {
    assert.deepEqual(parseConfig('a: 1\nb: "'), { a: 1 });
  });
  test("CRLF line endings", () => {
    assert.deepEqual(parseConfig("a: 1\r\nb {\r\n  c: x\r\n}\r\nl: [\r\n  y\r\n]\r\n"), { a: 1, b: { c: "x" }, l: ["y"] });
  });
});
