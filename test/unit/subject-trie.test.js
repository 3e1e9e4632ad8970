// SubjectTrie: insert/remove/match with `*` and `>`, queue groups, the match
// cache and its invalidation, many subscribers, pruning, stats, watchers.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { SubjectTrie, subjectMatches, subjectHasWildcard } from "../../dist/sublist/subject-trie.js";

let nextId = 0;
function sub(subject, queue = undefined) {
  return { subject, queue, id: nextId++ };
}

/** Subjects of the plain matches, sorted. */
function plain(trie, subject) {
  return trie.match(subject).psubs.map((s) => s.subject).sort();
}

/** Queue matches as { group: [ids] }. */
function queues(trie, subject) {
  const out = {};
  for (const g of trie.match(subject).qsubs) out[g[0].queue] = g.map((s) => s.id).sort((a, b) => a - b);
  return out;
}

for (const useCache of [true, false]) {
  describe(`matching (cache ${useCache ? "on" : "off"})`, () => {
    test("literal subjects", () => {
      const t = new SubjectTrie(useCache);
      t.insert(sub("foo"));
      t.insert(sub("foo.bar"));
      t.insert(sub("foo.bar.baz"));
      assert.deepEqual(plain(t, "foo"), ["foo"]);
      assert.deepEqual(plain(t, "foo.bar"), ["foo.bar"]);
      assert.deepEqual(plain(t, "foo.bar.baz"), ["foo.bar.baz"]);
      assert.deepEqual(plain(t, "foo.baz"), []);
      assert.deepEqual(plain(t, "bar"), []);
    });

    test("`*` matches exactly one token", () => {
      const t = new SubjectTrie(useCache);
      for (const s of ["foo.*", "*.bar", "*", "foo.*.baz", "*.*"]) t.insert(sub(s));
      assert.deepEqual(plain(t, "foo"), ["*"]);
      assert.deepEqual(plain(t, "foo.bar"), ["*.*", "*.bar", "foo.*"]);
      assert.deepEqual(plain(t, "foo.x.baz"), ["foo.*.baz"]);
      assert.deepEqual(plain(t, "foo.x.y"), []);
      assert.deepEqual(plain(t, "a.b.c.d"), []);
    });

    test("`>` matches one or more trailing tokens", () => {
      const t = new SubjectTrie(useCache);
      for (const s of ["foo.>", ">", "foo.*.>", "a.b.>"]) t.insert(sub(s));
      assert.deepEqual(plain(t, "foo"), [">"]);
      assert.deepEqual(plain(t, "foo.bar"), [">", "foo.>"]);
      assert.deepEqual(plain(t, "foo.bar.baz"), [">", "foo.*.>", "foo.>"]);
      assert.deepEqual(plain(t, "a.b"), [">"]);
      assert.deepEqual(plain(t, "a.b.c.d.e"), [">", "a.b.>"]);
    });

    test("literal `*` and `>` inside a token are not wildcards", () => {
      const t = new SubjectTrie(useCache);
      t.insert(sub("foo*"));
      t.insert(sub("a.b>"));
      assert.deepEqual(plain(t, "foo*"), ["foo*"]);
      assert.deepEqual(plain(t, "fooX"), []);
      assert.deepEqual(plain(t, "a.b>"), ["a.b>"]);
      assert.deepEqual(plain(t, "a.bc"), []);
    });

    test("subjects with empty tokens match nothing (as Go)", () => {
      const t = new SubjectTrie(useCache);
      t.insert(sub(">"));
      t.insert(sub("*.*"));
      for (const s of ["", ".", "a.", ".a", "a..b"]) assert.deepEqual(plain(t, s), [], JSON.stringify(s));
    });

    test("result order follows the Go sublist walk", () => {
      const t = new SubjectTrie(useCache);
      for (const s of ["foo.*", "foo.>", ">", "*.bar", "*.*.*", "foo.bar"]) t.insert(sub(s));
      assert.deepEqual(
        t.match("foo.bar").psubs.map((s) => s.subject),
        [">", "*.bar", "foo.>", "foo.bar", "foo.*"],
      );
    });

    test("queue groups: one list per group, plain subs apart", () => {
      const t = new SubjectTrie(useCache);
      const a1 = sub("q.foo", "A");
      const a2 = sub("q.*", "A");
      const b1 = sub("q.foo", "B");
      const p = sub("q.foo");
      for (const s of [a1, a2, b1, p]) t.insert(s);
      const r = t.match("q.foo");
      assert.deepEqual(r.psubs, [p]);
      assert.deepEqual(queues(t, "q.foo"), { A: [a1.id, a2.id].sort((x, y) => x - y), B: [b1.id] });
      assert.deepEqual(queues(t, "q.bar"), { A: [a2.id] });
      assert.equal(t.match("x").qsubs.length, 0);
    });

    test("the same subscription object twice counts once; remove of an unknown one is false", () => {
      const t = new SubjectTrie(useCache);
      const s = sub("a.b");
      t.insert(s);
      t.insert(s);
      assert.equal(t.size, 1);
      assert.equal(t.match("a.b").psubs.length, 1);
      assert.equal(t.remove(sub("a.b")), false);
      assert.equal(t.remove(sub("x.y.z")), false);
      assert.equal(t.remove(s), true);
      assert.equal(t.remove(s), false);
      assert.equal(t.size, 0);
    });

    test("hasInterest", () => {
      const t = new SubjectTrie(useCache);
      t.insert(sub("a.*", "q"));
      assert.equal(t.hasInterest("a.b"), true);
      assert.equal(t.hasInterest("b.a"), false);
    });
  });
}

describe("match cache", () => {
  test("repeated matches are served from the cache (same result object)", () => {
    const t = new SubjectTrie(true);
    t.insert(sub("a.b"));
    const r1 = t.match("a.b");
    const r2 = t.match("a.b");
    assert.equal(r1, r2);
    const st = t.stats();
    assert.equal(st.numMatches, 2);
    assert.equal(st.cacheHits, 1);
    assert.equal(st.numCache, 1);
  });

  test("a literal insert after a cached match shows up; the old result is unchanged", () => {
    const t = new SubjectTrie(true);
    const s1 = sub("a.b");
    t.insert(s1);
    const before = t.match("a.b");
    const s2 = sub("a.b");
    t.insert(s2);
    const after = t.match("a.b");
    assert.deepEqual(after.psubs.map((s) => s.id).sort(), [s1.id, s2.id].sort());
    assert.deepEqual(before.psubs, [s1], "results handed out earlier are immutable");
  });

  test("a wildcard insert invalidates every cached subject it matches", () => {
    const t = new SubjectTrie(true);
    t.insert(sub("x.y"));
    for (const s of ["a.b", "a.c", "a.b.c", "x.y", "b"]) t.match(s);
    t.insert(sub("a.*"));
    assert.deepEqual(plain(t, "a.b"), ["a.*"]);
    assert.deepEqual(plain(t, "a.c"), ["a.*"]);
    assert.deepEqual(plain(t, "a.b.c"), []);
    t.insert(sub(">"));
    assert.deepEqual(plain(t, "b"), [">"]);
    assert.deepEqual(plain(t, "x.y"), [">", "x.y"]);
    assert.deepEqual(plain(t, "a.b.c"), [">"]);
    t.insert(sub("*.*.c", "q"));
    assert.deepEqual(queues(t, "a.b.c").q.length, 1);
  });

  test("removing a literal or wildcard subscription invalidates cached matches", () => {
    const t = new SubjectTrie(true);
    const lit = sub("a.b");
    const pwc = sub("a.*");
    const fwc = sub("a.>");
    const q = sub("a.*", "g");
    for (const s of [lit, pwc, fwc, q]) t.insert(s);
    assert.deepEqual(plain(t, "a.b"), ["a.*", "a.>", "a.b"]);
    assert.deepEqual(plain(t, "a.b.c"), ["a.>"]);
    t.remove(pwc);
    assert.deepEqual(plain(t, "a.b"), ["a.>", "a.b"]);
    t.remove(fwc);
    assert.deepEqual(plain(t, "a.b"), ["a.b"]);
    assert.deepEqual(plain(t, "a.b.c"), []);
    t.remove(lit);
    assert.deepEqual(plain(t, "a.b"), []);
    assert.equal(t.match("a.b").qsubs.length, 1);
    t.remove(q);
    assert.equal(t.match("a.b").qsubs.length, 0);
  });

  test("the cache stays bounded", () => {
    const t = new SubjectTrie(true);
    t.insert(sub(">"));
    for (let i = 0; i < 5000; i++) t.match(`s.${i}`);
    const st = t.stats();
    assert.ok(st.numCache <= 1024, `cache size ${st.numCache}`);
    assert.ok(st.numCache > 0);
    // Entries swept out are still matched correctly.
    assert.deepEqual(plain(t, "s.1"), [">"]);
  });

  test("without a cache nothing is cached", () => {
    const t = new SubjectTrie(false);
    t.insert(sub("a"));
    t.match("a");
    t.match("a");
    assert.equal(t.stats().numCache, 0);
    assert.equal(t.stats().cacheHits, 0);
  });
});

describe("scale and pruning", () => {
  test("10,000 subscribers on one subject, then on 10,000 subjects", () => {
    const t = new SubjectTrie(true);
    const same = [];
    for (let i = 0; i < 10_000; i++) {
      const s = sub("fan.out");
      same.push(s);
      t.insert(s);
    }
    assert.equal(t.match("fan.out").psubs.length, 10_000);
    const many = [];
    for (let i = 0; i < 10_000; i++) {
      const s = sub(`svc.${i}.req`);
      many.push(s);
      t.insert(s);
    }
    assert.equal(t.size, 20_000);
    assert.deepEqual(plain(t, "svc.4321.req"), ["svc.4321.req"]);
    // Remove half of the fan-out: the cached result must shrink.
    for (let i = 0; i < 5_000; i++) t.remove(same[i]);
    assert.equal(t.match("fan.out").psubs.length, 5_000);
    for (const s of [...same.slice(5_000), ...many]) assert.equal(t.remove(s), true);
    assert.equal(t.size, 0);
    assert.equal(t.match("fan.out").psubs.length, 0);
  });

  test("10,000 queue subscribers in 10 groups", () => {
    const t = new SubjectTrie(true);
    for (let i = 0; i < 10_000; i++) t.insert(sub("work.*", `g${i % 10}`));
    const r = t.match("work.item");
    assert.equal(r.qsubs.length, 10);
    for (const g of r.qsubs) assert.equal(g.length, 1000);
  });

  test("removing every subscription prunes the trie back to an empty root", () => {
    const t = new SubjectTrie(true);
    const subs = ["a", "a.b", "a.b.c", "a.*", "a.>", "*.b", ">", "x.y.z", "x.*.z"].map((s) => sub(s));
    subs.push(sub("a.b", "q"), sub("a.b", "q"), sub("a.*", "r"));
    for (const s of subs) t.insert(s);
    assert.equal(t.all().length, subs.length);
    // Remove in an order different from insertion.
    for (const s of [...subs].reverse()) assert.equal(t.remove(s), true);
    assert.equal(t.size, 0);
    assert.deepEqual(t.all(), []);
    // Internal check: no empty nodes are left behind.
    const root = t.root;
    assert.equal(root.nodes.size, 0);
    assert.equal(root.pwc, null);
    assert.equal(root.fwc, null);
  });

  test("removing one branch prunes it and keeps its siblings", () => {
    const t = new SubjectTrie(true);
    const keep = sub("a.b.keep");
    const drop = sub("a.b.drop.deep.er");
    t.insert(keep);
    t.insert(drop);
    t.remove(drop);
    const b = t.root.nodes.get("a").next.nodes.get("b").next;
    assert.deepEqual([...b.nodes.keys()], ["keep"]);
    assert.deepEqual(plain(t, "a.b.keep"), ["a.b.keep"]);
  });
});

describe("stats and helpers", () => {
  test("stats count inserts, removes, matches, cache hits and fan-out", () => {
    const t = new SubjectTrie(true);
    const a = sub("a");
    t.insert(a);
    t.insert(sub("a"));
    t.insert(sub("*"));
    t.remove(a);
    t.match("a");
    t.match("a");
    t.match("b");
    const st = t.stats();
    assert.equal(st.numSubs, 2);
    assert.equal(st.numInserts, 3);
    assert.equal(st.numRemoves, 1);
    assert.equal(st.numMatches, 3);
    assert.equal(st.cacheHits, 1);
    assert.equal(st.numCache, 2);
    assert.equal(st.maxFanout, 2);
    assert.equal(st.avgFanout, 1.5);
  });

  test("subjectMatches and subjectHasWildcard", () => {
    assert.equal(subjectMatches("a.b", "a.*"), true);
    assert.equal(subjectMatches("a.b.c", "a.*"), false);
    assert.equal(subjectMatches("a.b.c", "a.>"), true);
    assert.equal(subjectMatches("a", "a.>"), false);
    assert.equal(subjectMatches("a.b", "a.b"), true);
    assert.equal(subjectHasWildcard("a.*"), true);
    assert.equal(subjectHasWildcard(">"), true);
    assert.equal(subjectHasWildcard("*.a"), true);
    assert.equal(subjectHasWildcard("a*"), false);
    assert.equal(subjectHasWildcard("a.b>"), false);
  });
});

test("cache admission: a flood of one-off subjects is mostly not cached, a repeated subject still is", () => {
  const t = new SubjectTrie(true);
  t.insert({ subject: "_INBOX.x.*", queue: undefined });
  for (let i = 0; i < 5000; i++) assert.equal(t.match(`_INBOX.x.${i}`).psubs.length, 1);
  const afterFlood = t.stats();
  assert.ok(afterFlood.numCache < 600, `one-off subjects mostly skipped (${afterFlood.numCache} cached)`);
  // Interleaved with the flood, a subject that repeats gets cached and then hits.
  let hitsBefore = t.stats().cacheHits;
  for (let i = 0; i < 2000; i++) {
    t.match(`_INBOX.x.more${i}`);
    assert.equal(t.match("_INBOX.x.steady").psubs.length, 1);
  }
  assert.ok(t.stats().cacheHits - hitsBefore > 1500, "the repeated subject is served from the cache");
  // Results stay correct after a change that invalidates.
  t.insert({ subject: "_INBOX.x.steady", queue: undefined });
  assert.equal(t.match("_INBOX.x.steady").psubs.length, 2);
});

describe("prefix routes", () => {
  const prefix = "$JS.ACK.S.C.";
  const subjects = [
    "$JS.ACK.S.C.1.5.5.1733000000000000000.0",
    "$JS.ACK.S.C.2.6.7.1.9",
    "$JS.ACK.S.C.x",
    "$JS.ACK.S.C",
    "$JS.ACK.S.C.",
    "$JS.ACK.S.C..1",
    "$JS.ACK.S.C.1..2",
    "$JS.ACK.S.C.1.",
    "$JS.ACK.S.D.1.2",
    "$JS.ACK.S.CC.1.2",
    "$JS.ACK.S.C.1.5.9",
    "$JS.ACK.S.C.*",
  ];
  /** Results as [plain subjects in order, { queue: subjects in order }]. */
  function shape(r) {
    const q = {};
    for (const g of r.qsubs) q[g[0].queue] = g.map((s) => s.subject);
    return [r.psubs.map((s) => s.subject), q];
  }
  const layouts = [
    [],
    ["$JS.ACK.S.C.>"],
    ["$JS.ACK.S.C.>", "$JS.ACK.>", ">", "$JS.>"],
    ["$JS.ACK.S.C.>", ["$JS.ACK.S.C.>", "q"], ["$JS.ACK.>", "q"], ["$JS.ACK.S.C.>", "r"]],
    ["$JS.ACK.S.C.>", "$JS.ACK.*.C.>"],
    ["$JS.ACK.S.C.>", "$JS.ACK.S.C.*.5.>"],
    ["$JS.ACK.S.C.>", "$JS.ACK.S.C.1.>"],
    ["$JS.ACK.S.C.>", "$JS.ACK.S.C.1.5.9"],
    ["$JS.ACK.S.C.>", "$JS.ACK.S.C"],
    ["$JS.ACK.S.C.>", "*.ACK.S.C.>"],
    ["$JS.ACK.S.C.>", "$JS.ACK.S.C.*"],
  ];
  for (const useCache of [true, false]) {
    for (const layout of layouts) {
      test(`same results as a plain walk (cache ${useCache ? "on" : "off"}): ${JSON.stringify(layout)}`, () => {
        const routed = new SubjectTrie(useCache);
        const plainTrie = new SubjectTrie(false);
        routed.addPrefixRoute(prefix);
        for (const entry of layout) {
          const [s, q] = Array.isArray(entry) ? entry : [entry, undefined];
          const one = sub(s, q);
          routed.insert(one);
          plainTrie.insert(one);
        }
        for (let round = 0; round < 2; round++) {
          for (const s of subjects) assert.deepEqual(shape(routed.match(s)), shape(plainTrie.match(s)), s);
        }
      });
    }
  }

  test("ack subjects under a route are not cached; changes are seen; removing the route restores the usual path", () => {
    const t = new SubjectTrie(true);
    t.addPrefixRoute(prefix);
    t.addPrefixRoute(prefix);
    const ack = sub("$JS.ACK.S.C.>");
    t.insert(ack);
    for (let i = 0; i < 3000; i++) assert.deepEqual(t.match(`$JS.ACK.S.C.1.${i}.${i}.17.0`).psubs, [ack]);
    assert.equal(t.stats().numCache, 0);
    // A prefix with another first character is not routed: matched (and cached) as usual.
    t.addPrefixRoute("_INBOX.a.");
    const inbox = sub("_INBOX.a.>");
    t.insert(inbox);
    assert.deepEqual(t.match("_INBOX.a.1").psubs, [inbox]);
    assert.equal(t.stats().numCache, 1);
    const other = sub("$JS.ACK.>");
    t.insert(other);
    assert.deepEqual(t.match("$JS.ACK.S.C.1.2.3.4.5").psubs, [other, ack]);
    t.remove(other);
    assert.deepEqual(t.match("$JS.ACK.S.C.1.2.3.4.6").psubs, [ack]);
    t.removePrefixRoute(prefix);
    for (let i = 0; i < 10; i++) t.match(`$JS.ACK.S.C.1.${i}.1.1.1`);
    assert.equal(t.stats().numCache, 1, "still routed: one registration is left");
    t.removePrefixRoute(prefix);
    for (let i = 0; i < 600; i++) assert.deepEqual(t.match(`$JS.ACK.S.C.1.${i}.1.1.1`).psubs, [ack]);
    assert.ok(t.stats().numCache > 1, "cached again one by one (a sample of them, past the admission window)");
  });
});

test("watch: told the subject of each real insert and remove, until stopped", () => {
  const t = new SubjectTrie(true);
  const seen = [];
  const stop = t.watch((s) => seen.push(s));
  const a = sub("a.b");
  const q = sub("a.*", "g");
  t.insert(a);
  t.insert(a); // already there: no change
  t.insert(q);
  t.match("a.b");
  t.remove(a);
  t.remove(a); // not there: no change
  stop();
  t.remove(q);
  assert.deepEqual(seen, ["a.b", "a.*", "a.b"]);
});
