// verify_and_map: which configured user a client certificate names, looked
// up in nats-server's order — SAN emails, SAN DNS names, SAN URIs (each as a
// user name), then a user whose name is a DN with the certificate subject's
// attributes (in any order), then the subject's RDN sequence text. Pure
// lookup over user names; the Authenticator applies the result.

import { splitUnescaped } from "../go-format/distinguished-name.js";
import type { CertIdentity, Rdn } from "../server/client-transport.js";


/** A DN as written in a user name ("CN=alice, O=acme"), split into attributes; null if it is not one. */
function parseDn(text: string): Rdn[] | null {
  const out: Rdn[] = [];
  for (const rdn of splitUnescaped(text, ",")) {
    for (const part of splitUnescaped(rdn, "+")) {
      const eq = part.indexOf("=");
      if (eq <= 0) return null;
      out.push([part.slice(0, eq).trim().toUpperCase(), part.slice(eq + 1).trim()]);
    }
  }
  return out.length > 0 ? out : null;
}

/** Same attributes, in any order (Go's ldap.DN RDNsMatch: types case-insensitive, values exact). */
function rdnsMatch(a: readonly Rdn[], b: readonly Rdn[]): boolean {
  if (a.length !== b.length) return false;
  const key = ([t, v]: Rdn) => `${t.toUpperCase()}=${v}`;
  const left = a.map(key).sort();
  const right = b.map(key).sort();
  return left.every((x, i) => x === right[i]);
}

/**
 * verify_and_map: the configured user a certificate names, tried in Go's
 * order (SAN emails, SAN DNS names, SAN URIs, a user whose name is a DN with
 * the certificate subject's RDNs, then the RDN sequence text); null if none.
 */
export function mapCertificateToUser(id: CertIdentity, users: Iterable<string>): string | null {
  const names = [...users];
  const known = new Set(names);
  for (const candidate of [...id.emails, ...id.dnsNames, ...id.uris]) if (known.has(candidate)) return candidate;
  for (const name of names) {
    const dn = parseDn(name);
    if (dn !== null && rdnsMatch(dn, id.rdns)) return name;
  }
  return known.has(id.rdnSequence) ? id.rdnSequence : null;
}
