// Subject and queue-name rules (protocol/subject.ts), as Go's IsValidSubject
// and IsValidLiteralSubject apply them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { isValidSubject, isValidLiteralSubject, isValidQueueName, wireSubject, subjectText } from "../../dist/protocol/subject.js";

test("valid subjects: tokens, wildcards as whole tokens, > last", () => {
  for (const s of ["a", "a.b.c", "*", ">", "a.*.c", "a.>", "*.*", "a*b.c>d", "$SYS.REQ.>"]) assert.ok(isValidSubject(s), s);
});

test("invalid subjects: empty tokens, > not last, every blank Go rejects", () => {
  for (const s of ["", ".", "a.", ".a", "a..b", ">.a", "a.>.b", "a b", "a\tb", "a\nb", "a\rb", "a\fb", "\f", " "]) {
    assert.equal(isValidSubject(s), false, JSON.stringify(s));
  }
});

test("literal subjects have no wildcard token; * or > inside a token is literal", () => {
  assert.ok(isValidLiteralSubject("a.b"));
  assert.ok(isValidLiteralSubject("a*b.c>"));
  assert.equal(isValidLiteralSubject("a.*"), false);
  assert.equal(isValidLiteralSubject("a.>"), false);
  assert.equal(isValidLiteralSubject("*.a"), false);
});

test("queue names: no blanks", () => {
  assert.ok(isValidQueueName("workers"));
  for (const q of ["", "a b", "a\tb", "a\fb"]) assert.equal(isValidQueueName(q), false, JSON.stringify(q));
});

test("wire and text forms of a subject: UTF-8 bytes one char each, and back", () => {
  assert.equal(wireSubject("grüße"), Buffer.from("grüße", "utf8").toString("latin1"));
  assert.equal(subjectText(wireSubject("grüße.>")), "grüße.>");
  assert.equal(wireSubject("plain.ascii"), "plain.ascii");
  assert.equal(subjectText("plain.ascii"), "plain.ascii");
});
