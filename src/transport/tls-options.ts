// TlsOptions → Node secure contexts, as nats-server's GenTLSConfig builds
// its tls.Config: certificate and key, client CA pool, Go's cipher suite and
// curve names translated to OpenSSL's, TLS 1.2 minimum, server preference
// order. Contexts are built once per TlsOptions object, so a reload (which
// makes new option objects) re-reads the files for new connections while
// established sessions keep theirs. File errors carry Go's texts.

import { readFileSync } from "node:fs";
import { createSecureContext, type SecureContext, type SecureContextOptions } from "node:tls";
import type { Options, TlsOptions } from "../options.js";

/** A TLS block that cannot be used (missing files, bad PEM); the message is Go's. */
export class TlsConfigError extends Error {}

/** Go (IANA) → OpenSSL names of the TLS 1.2 suites OpenSSL 3 still has. */
const OPENSSL_CIPHERS: Record<string, string> = {
  TLS_RSA_WITH_3DES_EDE_CBC_SHA: "DES-CBC3-SHA",
  TLS_RSA_WITH_AES_128_CBC_SHA: "AES128-SHA",
  TLS_RSA_WITH_AES_128_CBC_SHA256: "AES128-SHA256",
  TLS_RSA_WITH_AES_256_CBC_SHA: "AES256-SHA",
  TLS_RSA_WITH_AES_256_GCM_SHA384: "AES256-GCM-SHA384",
  TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA: "ECDHE-ECDSA-AES128-SHA",
  TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA: "ECDHE-ECDSA-AES256-SHA",
  TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA: "ECDHE-RSA-DES-CBC3-SHA",
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA: "ECDHE-RSA-AES128-SHA",
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256: "ECDHE-RSA-AES128-SHA256",
  TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256: "ECDHE-ECDSA-AES128-SHA256",
  TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA: "ECDHE-RSA-AES256-SHA",
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: "ECDHE-RSA-AES128-GCM-SHA256",
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: "ECDHE-ECDSA-AES128-GCM-SHA256",
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: "ECDHE-RSA-AES256-GCM-SHA384",
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: "ECDHE-ECDSA-AES256-GCM-SHA384",
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305: "ECDHE-RSA-CHACHA20-POLY1305",
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305: "ECDHE-ECDSA-CHACHA20-POLY1305",
};

/** nats-server's defaultCipherSuites (TLS 1.2). */
const DEFAULT_CIPHERS = [
  "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
  "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
  "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305",
  "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305",
  "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
  "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
];

/** Go enables every TLS 1.3 suite, preferring AES-128 on hardware with AES instructions. */
const TLS13_SUITES = "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";

const OPENSSL_CURVES: Record<string, string> = { X25519: "X25519", CurveP256: "P-256", CurveP384: "P-384", CurveP521: "P-521" };
const DEFAULT_CURVES = ["X25519", "CurveP256", "CurveP384", "CurveP521"];

/** Go's *PathError text for a file that cannot be read. */
function fileError(path: string, e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  const why = code === "ENOENT" ? "no such file or directory" : code === "EACCES" ? "permission denied" : code === "EISDIR" ? "is a directory" : (e as Error).message;
  return `open ${path}: ${why}`;
}

function readPem(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new TlsConfigError(what === "ca" ? fileError(path, e) : `error parsing X509 certificate/key pair: ${fileError(path, e)}`);
  }
}

/** Node's options for a secure context made from `t`. Throws TlsConfigError. */
export function secureContextOptions(t: TlsOptions): SecureContextOptions {
  const o: SecureContextOptions = {
    minVersion: t.minVersion === "1.3" ? "TLSv1.3" : "TLSv1.2",
    honorCipherOrder: true,
    ciphers: [...(t.cipherSuites.length > 0 ? t.cipherSuites : DEFAULT_CIPHERS).map((c) => OPENSSL_CIPHERS[c]).filter(Boolean), TLS13_SUITES].join(":"),
    ecdhCurve: (t.curvePreferences.length > 0 ? t.curvePreferences : DEFAULT_CURVES).map((c) => OPENSSL_CURVES[c]).join(":"),
  };
  if (t.certFile !== "") {
    o.cert = readPem(t.certFile, "cert");
    o.key = readPem(t.keyFile, "key");
  }
  if (t.caFile !== "") {
    const ca = readPem(t.caFile, "ca");
    if (!ca.toString("latin1").includes("-----BEGIN CERTIFICATE-----")) throw new TlsConfigError("failed to parse root ca certificate");
    o.ca = ca;
  }
  return o;
}

const contexts = new WeakMap<TlsOptions, SecureContext>();

/** The secure context of a TLS block, built on first use. Throws TlsConfigError. */
export function secureContextFor(t: TlsOptions): SecureContext {
  let ctx = contexts.get(t);
  if (ctx === undefined) {
    const o = secureContextOptions(t);
    try {
      ctx = createSecureContext(o);
    } catch (e) {
      throw new TlsConfigError(`error parsing X509 certificate/key pair: ${goKeyPairError(e as Error)}`);
    }
    contexts.set(t, ctx);
  }
  return ctx;
}

/** OpenSSL's complaint about a key pair, in the words Go's tls.X509KeyPair uses. */
function goKeyPairError(e: Error): string {
  const m = e.message;
  if (/key values mismatch/i.test(m)) return "tls: private key does not match public key";
  if (/no start line|bad base64|PEM/i.test(m)) return "tls: failed to find any PEM data in certificate input";
  return m;
}

/**
 * Check every TLS block of `o` the way nats-server does when it loads its
 * configuration: "" or Go's error text. Builds (and caches) the contexts.
 */
export function checkTlsOptions(o: Options): string {
  const blocks = [o.tls, o.websocket.tls, o.accountResolverTls].filter((t): t is TlsOptions => t !== null);
  for (const t of blocks) {
    try {
      secureContextFor(t);
    } catch (e) {
      if (e instanceof TlsConfigError) return e.message;
      throw e;
    }
  }
  return "";
}
