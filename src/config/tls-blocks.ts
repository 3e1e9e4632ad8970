// Config blocks of the secure transports: `tls {}` (client port, websocket,
// HTTPS monitoring) and `websocket {}`, mapped onto TlsOptions and
// WebsocketOptions with nats-server's keys, aliases and error texts (2.9's,
// plus the later `handshake_first`, `min_version` and the certificate-store
// keys, which are refused as Go refuses them outside Windows). Only shapes
// and values are checked here; certificate files are read by the transport.

import { defaultTlsOptions, defaultWebsocketOptions, type TlsOptions, type WebsocketOptions } from "../options.js";
import { goQuote } from "../go-format/quote.js";
import { DurationError, parseGoDurationNs } from "../go-format/duration.js";
import { NodeError, asBool, asInt, asMap, asString } from "./node-values.js";
import { goTypeName, type ConfNode } from "./parser.js";

/** Go's cipher suite names (crypto/tls constants nats-server accepts). */
export const GO_CIPHER_SUITES = new Set([
  "TLS_RSA_WITH_RC4_128_SHA",
  "TLS_RSA_WITH_3DES_EDE_CBC_SHA",
  "TLS_RSA_WITH_AES_128_CBC_SHA",
  "TLS_RSA_WITH_AES_128_CBC_SHA256",
  "TLS_RSA_WITH_AES_256_CBC_SHA",
  "TLS_RSA_WITH_AES_256_GCM_SHA384",
  "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA",
  "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
  "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
  "TLS_ECDHE_RSA_WITH_RC4_128_SHA",
  "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA",
  "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
  "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
  "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
  "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
  "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
  "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
  "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
  "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
  "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305",
  "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305",
  "TLS_AES_128_GCM_SHA256",
  "TLS_AES_256_GCM_SHA384",
  "TLS_CHACHA20_POLY1305_SHA256",
]);

export const GO_CURVES = new Set(["X25519", "CurveP256", "CurveP384", "CurveP521"]);

/** Go's DEFAULT_TLS_HANDSHAKE_FIRST_FALLBACK_DELAY, ms. */
const HANDSHAKE_FIRST_AUTO_FALLBACK = 50;

const fail = (node: ConfNode, reason: string): never => {
  throw new NodeError(node, reason);
};

function tlsString(node: ConfNode, field: string): string {
  if (node.kind !== "string") fail(node, `error parsing tls config, expected '${field}' to be filename`);
  return node.value as string;
}

function tlsBool(node: ConfNode, field: string): boolean {
  if (node.kind !== "bool") fail(node, `error parsing tls config, expected '${field}' to be a boolean`);
  return node.value as boolean;
}

function durationMs(text: string): number | null {
  try {
    return Number(parseGoDurationNs(text)) / 1e6;
  } catch (e) {
    if (e instanceof DurationError) return null;
    throw e;
  }
}

function nameList(node: ConfNode, field: string, known: Set<string>, unknown: string): string[] {
  if (node.kind !== "array") fail(node, `interface conversion: interface {} is ${goTypeName(node)}, not []interface {}`);
  const items = node.value as ConfNode[];
  if (items.length === 0) fail(node, `error parsing tls config, '${field}' cannot be empty`);
  return items.map((item) => {
    const name = asString(item);
    if (!known.has(name)) fail(item, `${unknown} ${name}`);
    return name;
  });
}

/**
 * A `tls {}` block. `clientContext` is false for cluster-like peers (where
 * verify_cert_and_check_known_urls is allowed). Throws NodeError.
 */
export function readTlsBlock(block: ConfNode, clientContext = true): TlsOptions {
  const t = defaultTlsOptions();
  for (const [key, node] of asMap(block)) {
    switch (key.toLowerCase()) {
      case "cert_file":
        t.certFile = tlsString(node, "cert_file");
        break;
      case "key_file":
        t.keyFile = tlsString(node, "key_file");
        break;
      case "ca_file":
        t.caFile = tlsString(node, "ca_file");
        break;
      case "insecure":
        t.insecure = tlsBool(node, "insecure");
        break;
      case "verify":
        t.verify = tlsBool(node, "verify");
        break;
      case "verify_and_map": {
        const v = tlsBool(node, "verify_and_map");
        if (v) t.verify = true;
        t.map = v;
        break;
      }
      case "verify_cert_and_check_known_urls": {
        const v = tlsBool(node, "verify_cert_and_check_known_urls");
        if (v && clientContext) fail(node, "verify_cert_and_check_known_urls not supported in this context");
        if (v) t.verify = true;
        t.checkKnownUrls = v;
        break;
      }
      case "cipher_suites":
        t.cipherSuites = nameList(node, "cipher_suites", GO_CIPHER_SUITES, "unrecognized cipher");
        break;
      case "curve_preferences":
        t.curvePreferences = nameList(node, "curve_preferences", GO_CURVES, "unrecognized curve preference");
        break;
      case "timeout":
        if (node.kind === "integer" || node.kind === "float") t.timeout = (node.value as number) * 1000;
        else if (node.kind === "string") {
          try {
            t.timeout = Number(parseGoDurationNs(node.value as string)) / 1e6;
          } catch (e) {
            if (e instanceof DurationError) fail(node, `error parsing tls config, 'timeout' ${e.message}`);
            throw e;
          }
        } else fail(node, "error parsing tls config, 'timeout' wrong type");
        break;
      case "connection_rate_limit":
        if (node.kind !== "integer") fail(node, "error parsing tls config, 'connection_rate_limit' wrong type");
        break;
      case "pinned_certs": {
        if (node.kind !== "array") fail(node, "error parsing tls config, expected 'pinned_certs' to be a list of hex-encoded sha256 of DER encoded SubjectPublicKeyInfo");
        const pins: string[] = [];
        for (const item of node.value as ConfNode[]) {
          const entry = asString(item).toLowerCase();
          if (!/^[a-f0-9]{64}$/.test(entry)) fail(item, `error parsing tls config, 'pinned_certs' key ${entry} does not look like hex-encoded sha256 of DER encoded SubjectPublicKeyInfo`);
          if (!pins.includes(entry)) pins.push(entry);
        }
        t.pinnedCerts = pins;
        break;
      }
      case "handshake_first":
      case "first":
      case "immediate":
        readHandshakeFirst(node, key, t);
        break;
      case "min_version": {
        if (node.kind !== "string") fail(node, `error parsing tls config: 'min_version' wrong type: ${String(node.value)}`);
        const v = node.value as string;
        if (v === "1.0" || v === "1.1") fail(node, `error parsing tls config: unsupported TLS version: TLS ${v}`);
        if (v !== "1.2" && v !== "1.3") fail(node, `error parsing tls config: unknown version: ${v}`);
        t.minVersion = v;
        break;
      }
      case "cert_store":
      case "cert_match_by":
      case "cert_match":
      case "ca_certs_match":
      case "cert_match_skip_invalid":
        // The OS certificate store exists only in Go's Windows builds.
        fail(node, "cert_store not compatible with current operating system");
        break;
      default:
        fail(node, `error parsing tls config, unknown field [${goQuote(key)}]`);
    }
  }
  if (t.certFile !== "" && t.keyFile === "") fail(block, "missing 'key_file' in TLS configuration");
  if (t.certFile === "" && t.keyFile !== "") fail(block, "missing 'cert_file' in TLS configuration");
  return t;
}

function readHandshakeFirst(node: ConfNode, key: string, t: TlsOptions): void {
  if (node.kind === "bool") {
    t.handshakeFirst = node.value as boolean;
    return;
  }
  if (node.kind !== "string") fail(node, `field ${goQuote(key)} should be a boolean or a string, got ${goTypeName(node)}`);
  const v = node.value as string;
  switch (v.toLowerCase()) {
    case "true":
    case "on":
      t.handshakeFirst = true;
      return;
    case "false":
    case "off":
      t.handshakeFirst = false;
      return;
    case "auto":
    case "auto_fallback":
      t.handshakeFirst = true;
      t.handshakeFirstFallback = HANDSHAKE_FIRST_AUTO_FALLBACK;
      return;
  }
  const ms = durationMs(v);
  if (ms === null) fail(node, `field ${goQuote(key)}'s value ${goQuote(v)} is invalid`);
  t.handshakeFirst = true;
  t.handshakeFirstFallback = ms!;
}

/** A `websocket {}` (or `ws {}`) block. Problems go to `report`; the rest is still read, as Go does. */
export function readWebsocketBlock(block: ConfNode, report: (e: NodeError) => void): WebsocketOptions {
  const w = defaultWebsocketOptions();
  if (block.kind !== "map") {
    report(new NodeError(block, `Expected websocket to be a map, got ${goTypeName(block)}`));
    return w;
  }
  for (const [key, node] of asMap(block)) {
    try {
      readWebsocketField(w, key, node);
    } catch (e) {
      if (!(e instanceof NodeError)) throw e;
      report(e);
    }
  }
  return w;
}

function readWebsocketField(w: WebsocketOptions, key: string, node: ConfNode): void {
  switch (key.toLowerCase()) {
    case "listen": {
      if (node.kind === "integer") {
        w.port = node.value as number;
        return;
      }
      const text = asString(node);
      const i = text.lastIndexOf(":");
      if (i < 0) fail(node, `could not parse address string ${goQuote(text)}`);
      const port = Number(text.slice(i + 1));
      if (!Number.isInteger(port)) fail(node, `could not parse port ${goQuote(text.slice(i + 1))}`);
      w.host = text.slice(0, i).replace(/^\[(.*)\]$/, "$1");
      w.port = port;
      return;
    }
    case "port":
      w.port = asInt(node);
      return;
    case "host":
    case "net":
      w.host = asString(node);
      return;
    case "advertise":
      w.advertise = asString(node);
      return;
    case "no_tls":
      w.noTls = asBool(node);
      return;
    case "tls":
      w.tls = readTlsBlock(node);
      return;
    case "same_origin":
      w.sameOrigin = asBool(node);
      return;
    case "allowed_origins":
    case "allowed_origin":
    case "allow_origins":
    case "allow_origin":
    case "origins":
    case "origin":
      w.allowedOrigins = stringArray(node, "allowed origins");
      return;
    case "handshake_timeout":
      if (node.kind === "integer") w.handshakeTimeout = (node.value as number) * 1000;
      else if (node.kind === "string") {
        try {
          w.handshakeTimeout = Number(parseGoDurationNs(node.value as string)) / 1e6;
        } catch (e) {
          if (e instanceof DurationError) fail(node, e.message);
          throw e;
        }
      } else fail(node, `error parsing handshake timeout: unsupported type ${goTypeName(node)}`);
      return;
    case "compress":
    case "compression":
      w.compression = asBool(node);
      return;
    case "authorization":
    case "authentication":
      readSimpleAuth(w, node);
      return;
    case "jwt_cookie":
      w.jwtCookie = asString(node);
      return;
    case "no_auth_user":
      w.noAuthUser = asString(node);
      return;
    default:
      if (!node.usedAsVariable) fail(node, `unknown field ${goQuote(key)}`);
  }
}

function readSimpleAuth(w: WebsocketOptions, block: ConfNode): void {
  for (const [key, node] of asMap(block)) {
    switch (key.toLowerCase()) {
      case "user":
      case "username":
        w.username = asString(node);
        break;
      case "pass":
      case "password":
        w.password = asString(node);
        break;
      case "token":
        w.token = asString(node);
        break;
      case "timeout":
        w.authTimeout = node.kind === "integer" || node.kind === "float" ? (node.value as number) : 1;
        break;
      default:
        if (!node.usedAsVariable) fail(node, `unknown field ${goQuote(key)}`);
    }
  }
}

/** Go's parseStringArray: one string or a list of strings. */
function stringArray(node: ConfNode, what: string): string[] {
  if (node.kind === "string") return [node.value as string];
  if (node.kind !== "array") fail(node, `error parsing ${what}: unsupported type ${goTypeName(node)}`);
  return (node.value as ConfNode[]).map((item) => {
    if (item.kind !== "string") fail(item, `error parsing ${what}: unsupported type in array ${goTypeName(item)}`);
    return item.value as string;
  });
}
