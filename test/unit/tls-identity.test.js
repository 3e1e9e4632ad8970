// Unit tests for src/transport/tls-identity.ts and src/auth/cert-mapping.ts: Go's subject string, SPKI
// hashes, and verify_and_map's user lookup order (SAN email, SAN DNS, SAN
// URI, DN with the same RDNs in any order, then the RDN sequence text).
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { X509Certificate, createHash } from "node:crypto";
import { haveOpenssl, makeCerts, removeCerts } from "../helpers/certs.js";
import { certIdentity, goSubjectString, spkiSha256 } from "../../dist/transport/tls-identity.js";
import { mapCertificateToUser } from "../../dist/auth/cert-mapping.js";

describe("certificate identity", { skip: haveOpenssl() ? false : "openssl is not installed" }, () => {
  let certs;
  let alice;
  let bob;
  before(() => {
    certs = makeCerts();
    alice = new X509Certificate(readFileSync(certs.client.cert));
    bob = new X509Certificate(readFileSync(certs.clientSan.cert));
  });
  after(() => removeCerts(certs));

  test("subject as Go's pkix.Name.String() and the RDN sequence", () => {
    assert.equal(goSubjectString(alice), "CN=alice,OU=nats.io,O=Synadia,ST=CA,C=US");
    const id = certIdentity(alice);
    assert.equal(id.rdnSequence, "CN=alice,OU=nats.io,O=Synadia,ST=CA,C=US");
    assert.deepEqual(id.emails, []);
  });

  test("SPKI SHA-256 is the hash of the DER public key", () => {
    assert.equal(spkiSha256(alice), createHash("sha256").update(alice.publicKey.export({ type: "spki", format: "der" })).digest("hex"));
  });

  test("SAN email first, then SAN DNS, then DN and RDN sequence", () => {
    const id = certIdentity(bob);
    assert.deepEqual(id.emails, ["bob@example.com"]);
    assert.deepEqual(id.dnsNames, ["bob.example.com"]);
    assert.equal(mapCertificateToUser(id, ["bob.example.com", "bob@example.com", "CN=bob,O=tsnats test"]), "bob@example.com");
    assert.equal(mapCertificateToUser(id, ["bob.example.com", "CN=bob,O=tsnats test"]), "bob.example.com");
    assert.equal(mapCertificateToUser(id, ["O=tsnats test, CN=bob"]), "O=tsnats test, CN=bob");
    assert.equal(mapCertificateToUser(id, ["CN=bob,O=tsnats test"]), "CN=bob,O=tsnats test");
    assert.equal(mapCertificateToUser(id, ["CN=bob"]), null);
    assert.equal(mapCertificateToUser(certIdentity(alice), ["C=US, ST=CA, O=Synadia, OU=nats.io, CN=alice"]), "C=US, ST=CA, O=Synadia, OU=nats.io, CN=alice");
  });
});
