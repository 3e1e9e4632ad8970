// What a client certificate says about its holder, in nats-server's terms:
// the subject as Go's pkix.Name.String() prints it, the SPKI and certificate
// SHA-256 (/connz tls_peer_certs, pinned_certs), and the names verify_and_map
// offers as a user (SAN emails, SAN DNS names, SAN URIs, the subject's RDNs).
// Which configured user that is, is decided by src/auth/cert-mapping.ts.

import { createHash, type X509Certificate } from "node:crypto";
import { splitUnescaped } from "../go-format/distinguished-name.js";
import type { CertIdentity, PeerCertInfo, Rdn } from "../server/client-transport.js";

/** OpenSSL short names that Go spells differently. */
const GO_TYPE: Record<string, string> = { street: "STREET", postalCode: "POSTALCODE", serialNumber: "SERIALNUMBER" };
/** The attributes pkix.Name keeps in fields, in the order ToRDNSequence emits them. */
const CANONICAL = ["C", "ST", "L", "STREET", "POSTALCODE", "O", "OU", "CN", "SERIALNUMBER"];

/** Subject attributes in certificate order (Node prints one per line, RFC 2253 escaped). */
export function subjectRdns(cert: X509Certificate): Rdn[] {
  const out: Rdn[] = [];
  for (const line of cert.subject.split("\n")) {
    if (line === "") continue;
    for (const part of splitUnescaped(line, "+")) {
      const eq = part.indexOf("=");
      if (eq < 0) continue;
      const t = part.slice(0, eq);
      out.push([GO_TYPE[t] ?? t, part.slice(eq + 1)]);
    }
  }
  return out;
}


const rdnText = (rdns: readonly Rdn[]): string =>
  rdns
    .map(([t, v]) => `${t}=${v}`)
    .reverse()
    .join(",");

/** Go's pkix.Name.String(): attributes pkix.Name has no field for first, then its fields in order; printed last first. */
export function goSubjectString(cert: X509Certificate): string {
  const rdns = subjectRdns(cert);
  const ordered: Rdn[] = rdns.filter(([t]) => !CANONICAL.includes(t));
  for (const type of CANONICAL) for (const r of rdns) if (r[0] === type) ordered.push(r);
  return rdnText(ordered);
}

function sha256Hex(b: Buffer): string {
  return createHash("sha256").update(b).digest("hex");
}

/** Hex SHA-256 of the DER SubjectPublicKeyInfo (what pinned_certs lists). */
export function spkiSha256(cert: X509Certificate): string {
  return sha256Hex(cert.publicKey.export({ type: "spki", format: "der" }));
}

export function peerCertInfo(cert: X509Certificate): PeerCertInfo {
  return { subject: goSubjectString(cert), spki_sha256: spkiSha256(cert), cert_sha256: sha256Hex(cert.raw) };
}

/** Node's subjectAltName ("DNS:a, email:b, URI:c") split by kind. */
function altNames(cert: X509Certificate): { emails: string[]; dnsNames: string[]; uris: string[] } {
  const r = { emails: [] as string[], dnsNames: [] as string[], uris: [] as string[] };
  for (const entry of (cert.subjectAltName ?? "").split(", ")) {
    const i = entry.indexOf(":");
    if (i < 0) continue;
    const kind = entry.slice(0, i);
    const value = entry.slice(i + 1);
    if (kind === "email") r.emails.push(value);
    else if (kind === "DNS") r.dnsNames.push(value);
    else if (kind === "URI") r.uris.push(value);
  }
  return r;
}

export function certIdentity(cert: X509Certificate): CertIdentity {
  const rdns = subjectRdns(cert);
  return { ...altNames(cert), rdns, rdnSequence: rdnText(rdns) };
}
