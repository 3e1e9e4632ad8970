// Subject relations JetStream needs beyond the trie: whether two patterns can
// match a common subject (stream overlap, cycles) and whether one pattern
// covers another. Pure functions over token strings.

/** Can some literal subject match both patterns? (Go's SubjectsCollide.) */
export function subjectsCollide(a: string, b: string): boolean {
  if (a === b) return true;
  const ta = a.split(".");
  const tb = b.split(".");
  const n = Math.min(ta.length, tb.length);
  for (let i = 0; i < n; i++) {
    const x = ta[i];
    const y = tb[i];
    if (x === ">" || y === ">") return true;
    if (x !== y && x !== "*" && y !== "*") return false;
  }
  return ta.length === tb.length;
}

/** Is every subject matched by `subject` also matched by `test`? (Go's subjectIsSubsetMatch.) */
export function subjectIsSubsetMatch(subject: string, test: string): boolean {
  const ts = subject.split(".");
  const tt = test.split(".");
  for (let i = 0; i < tt.length; i++) {
    const t = tt[i];
    if (t === ">") return i < ts.length;
    if (i >= ts.length) return false;
    const s = ts[i];
    if (s === ">") return false;
    if (t === "*") continue;
    if (s === "*" || s !== t) return false;
  }
  return ts.length === tt.length;
}
