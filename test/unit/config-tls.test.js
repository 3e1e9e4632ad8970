// Unit tests for the `tls {}`, `websocket {}`, `allow_non_tls` and
// `https_port` config keys (src/config/tls-blocks.ts): values mapped onto
// TlsOptions / WebsocketOptions and nats-server's error texts.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadConfigFile, ConfigError } from "../../dist/config/index.js";
import { defaultTlsOptions } from "../../dist/options.js";

let dir;
let n = 0;
before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "tsnats-tlsconf-"));
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

function load(text) {
  const file = path.join(dir, `c${++n}.conf`);
  fs.writeFileSync(file, text);
  return loadConfigFile(file).options;
}
function reason(text) {
  try {
    load(text);
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    return e.reason;
  }
  assert.fail(`accepted: ${text}`);
}

describe("tls block", () => {
  test("files, verify, timeout and lists", () => {
    const o = load('tls { cert_file: "s.pem", key_file: "s.key", ca_file: "ca.pem", verify: true, timeout: 0.5, pinned_certs: ["' + "AB".repeat(32) + '"], cipher_suites: [TLS_AES_128_GCM_SHA256], curve_preferences: [X25519] }\nallow_non_tls: true\n');
    assert.deepEqual(o.tls, {
      ...defaultTlsOptions(),
      certFile: "s.pem",
      keyFile: "s.key",
      caFile: "ca.pem",
      verify: true,
      timeout: 500,
      pinnedCerts: ["ab".repeat(32)],
      cipherSuites: ["TLS_AES_128_GCM_SHA256"],
      curvePreferences: ["X25519"],
    });
    assert.equal(o.allowNonTls, true);
    assert.equal(load('tls { timeout: "3s" }\n').tls.timeout, 3000);
  });
  test("verify_and_map implies verify", () => {
    const t = load("tls { verify_and_map: true }\n").tls;
    assert.equal(t.verify, true);
    assert.equal(t.map, true);
  });
  test("handshake_first: bool, on/off, auto and a fallback duration", () => {
    assert.equal(load("tls { handshake_first: true }\n").tls.handshakeFirst, true);
    assert.deepEqual(load('tls { handshake_first: "auto" }\n').tls.handshakeFirstFallback, 50);
    const t = load('tls { first: "300ms" }\n').tls;
    assert.equal(t.handshakeFirst, true);
    assert.equal(t.handshakeFirstFallback, 300);
    assert.equal(load('tls { handshake_first: "off" }\n').tls.handshakeFirst, false);
    assert.equal(reason('tls { handshake_first: "soon" }\n'), 'field "handshake_first"\'s value "soon" is invalid');
    assert.equal(reason("tls { handshake_first: 5 }\n"), 'field "handshake_first" should be a boolean or a string, got int64');
  });
  test("Go's errors", () => {
    assert.equal(reason("tls { foo: 1 }\n"), 'error parsing tls config, unknown field ["foo"]');
    assert.equal(reason("tls { cert_file: 5 }\n"), "error parsing tls config, expected 'cert_file' to be filename");
    assert.equal(reason("tls { verify: 1 }\n"), "error parsing tls config, expected 'verify' to be a boolean");
    assert.equal(reason("tls { cert_file: a.pem }\n"), "missing 'key_file' in TLS configuration");
    assert.equal(reason("tls { key_file: a.key }\n"), "missing 'cert_file' in TLS configuration");
    assert.equal(reason("tls { cipher_suites: [NOPE] }\n"), "unrecognized cipher NOPE");
    assert.equal(reason("tls { cipher_suites: [] }\n"), "error parsing tls config, 'cipher_suites' cannot be empty");
    assert.equal(reason("tls { curve_preferences: [P999] }\n"), "unrecognized curve preference P999");
    assert.equal(reason("tls { pinned_certs: [abc] }\n"), "error parsing tls config, 'pinned_certs' key abc does not look like hex-encoded sha256 of DER encoded SubjectPublicKeyInfo");
    assert.equal(reason("tls { timeout: true }\n"), "error parsing tls config, 'timeout' wrong type");
    assert.equal(reason("tls { verify_cert_and_check_known_urls: true }\n"), "verify_cert_and_check_known_urls not supported in this context");
    assert.equal(reason('tls { cert_store: "WindowsCurrentUser" }\n'), "cert_store not compatible with current operating system");
    assert.equal(reason('tls { min_version: "1.1" }\n'), "error parsing tls config: unsupported TLS version: TLS 1.1");
    assert.equal(reason("tls: 5\n"), "interface conversion: interface {} is int64, not map[string]interface {}");
  });
  test("https_port and https", () => {
    assert.equal(load("https_port: 8443\n").httpsPort, 8443);
    const o = load('https: "127.0.0.1:8444"\n');
    assert.equal(o.httpHost, "127.0.0.1");
    assert.equal(o.httpsPort, 8444);
  });
});

describe("websocket block", () => {
  test("listener, origins, compression, timeouts and per-listener auth", () => {
    const w = load(
      'websocket { listen: "127.0.0.1:8080", advertise: "ws.example.com:80", no_tls: true, same_origin: true, allowed_origins: ["http://a", "https://b:8443"], compression: true, handshake_timeout: "2s", jwt_cookie: "jwt", no_auth_user: "u", authorization { user: wsuser, password: wspass, timeout: 3 } }\n',
    ).websocket;
    assert.equal(w.host, "127.0.0.1");
    assert.equal(w.port, 8080);
    assert.equal(w.advertise, "ws.example.com:80");
    assert.equal(w.noTls, true);
    assert.equal(w.sameOrigin, true);
    assert.deepEqual(w.allowedOrigins, ["http://a", "https://b:8443"]);
    assert.equal(w.compression, true);
    assert.equal(w.handshakeTimeout, 2000);
    assert.equal(w.jwtCookie, "jwt");
    assert.equal(w.noAuthUser, "u");
    assert.deepEqual([w.username, w.password, w.authTimeout], ["wsuser", "wspass", 3]);
    assert.equal(load("ws { port: 1, handshake_timeout: 4, allowed_origins: \"http://x\" }\n").websocket.handshakeTimeout, 4000);
    assert.equal(load('ws { port: 1, origin: "http://x", tls { cert_file: a, key_file: b } }\n').websocket.tls.certFile, "a");
  });
  test("Go's errors", () => {
    assert.equal(reason("websocket { foo: 1 }\n"), 'unknown field "foo"');
    assert.equal(reason("websocket: 5\n"), "Expected websocket to be a map, got int64");
    assert.equal(reason('websocket { port: "x" }\n'), "interface conversion: interface {} is string, not int64");
    assert.equal(reason("websocket { handshake_timeout: true }\n"), "error parsing handshake timeout: unsupported type bool");
  });
});
