// Distinguished names as nats-server prints and reads them (RFC 2253 style,
// backslash escapes): splitting a DN text into RDNs and attributes without
// breaking escaped separators. Text only; no certificate knowledge.

/** Split on `sep` where it is not escaped with a backslash (escapes are kept). */
export function splitUnescaped(s: string, sep: string): string[] {
  const out: string[] = [];
  let cur = "";
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch === "\\" && i + 1 < s.length) {
      cur += ch + s[++i];
    } else if (ch === sep) {
      out.push(cur);
      cur = "";
    } else cur += ch;
  }
  out.push(cur);
  return out;
}
