// Test helper: certificates made with the openssl command into a temp dir:
// a CA, a server certificate for localhost/127.0.0.1, client certificates
// (one with SAN email and DNS names, one expired, one from another CA).
// Returns file paths; removeCerts() deletes the directory.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** True when the openssl command can be run. */
export function haveOpenssl() {
  try {
    execFileSync("openssl", ["version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

function ossl(dir, args) {
  execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
}

function key(dir, name) {
  ossl(dir, ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-out", `${name}.key`]);
}

function ca(dir, name, subject) {
  key(dir, name);
  ossl(dir, ["req", "-x509", "-new", "-key", `${name}.key`, "-out", `${name}.pem`, "-days", "30", "-subj", subject]);
}

/** A certificate `name` signed by CA `caName`, with optional SAN list and validity days (negative: expired). */
function leaf(dir, name, caName, subject, { san = "", days = 30, usage = "serverAuth,clientAuth" } = {}) {
  key(dir, name);
  ossl(dir, ["req", "-new", "-key", `${name}.key`, "-out", `${name}.csr`, "-subj", subject]);
  const ext = [`extendedKeyUsage=${usage}`];
  if (san) ext.push(`subjectAltName=${san}`);
  writeFileSync(join(dir, `${name}.ext`), ext.join("\n") + "\n");
  ossl(dir, ["x509", "-req", "-in", `${name}.csr`, "-CA", `${caName}.pem`, "-CAkey", `${caName}.key`, "-CAcreateserial", "-out", `${name}.pem`, "-days", String(days), "-extfile", `${name}.ext`]);
}

/**
 * Make the test PKI. Returns { dir, ca, server: {cert,key}, client, clientSan,
 * expired, otherCa, otherClient } where each entry is { cert, key }.
 */
export function makeCerts() {
  const dir = mkdtempSync(join(tmpdir(), "tsnats-certs-"));
  ca(dir, "ca", "/O=tsnats test/CN=tsnats Test CA");
  ca(dir, "other-ca", "/O=elsewhere/CN=Other CA");
  leaf(dir, "server", "ca", "/O=tsnats test/CN=localhost", { san: "DNS:localhost,IP:127.0.0.1" });
  leaf(dir, "client", "ca", "/C=US/ST=CA/O=Synadia/OU=nats.io/CN=alice");
  leaf(dir, "client-san", "ca", "/O=tsnats test/CN=bob", { san: "email:bob@example.com,DNS:bob.example.com" });
  leaf(dir, "expired", "ca", "/O=tsnats test/CN=old", { days: -1 });
  leaf(dir, "other-client", "other-ca", "/O=elsewhere/CN=mallory");
  const pair = (n) => ({ cert: join(dir, `${n}.pem`), key: join(dir, `${n}.key`) });
  return {
    dir,
    ca: join(dir, "ca.pem"),
    otherCa: join(dir, "other-ca.pem"),
    server: pair("server"),
    client: pair("client"),
    clientSan: pair("client-san"),
    expired: pair("expired"),
    otherClient: pair("other-client"),
  };
}

export function removeCerts(certs) {
  if (certs) rmSync(certs.dir, { recursive: true, force: true });
}
