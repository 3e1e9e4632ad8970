// The client port's TLS flow, as nats-server runs it: INFO (tls_required)
// then the client's hello upgrades the same socket (tls.TLSSocket over it);
// `allow_non_tls` looks at the first byte to choose; `handshake_first` does
// TLS before INFO, optionally falling back to INFO first when no hello comes
// within the fallback delay. The handshake is bounded by the tls timeout;
// verify, the client CA and pinned certificates are checked before the
// connection is attached. Failures log Go's texts and close with
// "TLS Handshake Failure". Plain clients (no tls block) never come here.

import type { Socket } from "node:net";
import { TLSSocket, type DetailedPeerCertificate } from "node:tls";
import { X509Certificate } from "node:crypto";
import type { TlsOptions } from "../options.js";
import type { Server } from "../server/server.js";
import type { ClientConnection } from "../server/connection.js";
import type { ClientPortStarter, ConnectionTlsInfo } from "../server/client-transport.js";
import { ClosedState } from "../server/close-reason.js";
import { secureContextFor, TlsConfigError } from "./tls-options.js";
import { certIdentity, peerCertInfo, spkiSha256 } from "./tls-identity.js";
import { goHandshakeError, goVerifyError, socketAddress } from "./tls-errors.js";

const TLS_HANDSHAKE_RECORD = 0x16;

/** The client port's starter: TLS as the server's options say at the time each client connects. */
export const startClientTls: ClientPortStarter = (conn, socket, info) => {
  const server = conn.server;
  const tls = server.opts.tls;
  if (tls === null) {
    conn.begin(info);
    return;
  }
  // Until the connection attaches its own handlers, errors end in 'close'.
  socket.on("error", () => {});
  new ClientTlsFlow(server, conn, socket, tls).start(info);
};

/** One client's way from accept to an attached (TLS or plain) stream. */
class ClientTlsFlow {
  private timer: NodeJS.Timeout | null = null;
  private onRawClose: (() => void) | null = null;

  constructor(
    private readonly server: Server,
    private readonly conn: ClientConnection,
    private readonly raw: Socket,
    private readonly tls: TlsOptions,
  ) {}

  start(info: Buffer): void {
    const tls = this.tls;
    if (tls.handshakeFirst) {
      if (tls.handshakeFirstFallback <= 0) {
        this.handshake(true);
        return;
      }
      // Only TLS-first clients speak before INFO: wait a moment for a hello.
      this.waitForFirstBytes(tls.handshakeFirstFallback, (got) => {
        if (got) this.handshake(true);
        else this.afterInfo(info);
      });
      return;
    }
    this.afterInfo(info);
  }

  /** INFO went out first: TLS next, or whichever the client picks with allow_non_tls. */
  private afterInfo(info: Buffer): void {
    if (this.conn.closed) return;
    this.raw.write(info);
    if (!this.server.opts.allowNonTls) {
      this.handshake(false);
      return;
    }
    this.waitForFirstBytes(this.tls.timeout, (got, first) => {
      if (got && first === TLS_HANDSHAKE_RECORD) this.handshake(false);
      else this.attachPlain();
    });
  }

  /**
   * Wait up to `ms` for the client's first bytes without consuming them
   * (they go back into the socket's buffer for whoever reads next).
   */
  private waitForFirstBytes(ms: number, then: (got: boolean, first?: number) => void): void {
    const raw = this.raw;
    const finish = (got: boolean, first?: number) => {
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      raw.off("data", onData);
      this.watchClose(null);
      raw.pause();
      if (!this.conn.closed) then(got, first);
    };
    const onData = (chunk: Buffer) => {
      raw.pause();
      raw.unshift(chunk);
      finish(true, chunk[0]);
    };
    this.watchClose(() => this.conn.close(ClosedState.ClientClosed, false));
    raw.on("data", onData);
    this.timer = setTimeout(() => finish(false), ms);
  }

  private watchClose(fn: (() => void) | null): void {
    if (this.onRawClose) this.raw.off("close", this.onRawClose);
    this.onRawClose = fn;
    if (fn) this.raw.once("close", fn);
  }

  private attachPlain(): void {
    this.conn.attach(this.raw);
    this.raw.resume();
  }

  private handshake(tlsFirst: boolean): void {
    const { conn, server, tls, raw } = this;
    const log = server.logger;
    log.debug(`${conn.label} - Starting TLS client connection handshake`);
    let secureContext;
    try {
      secureContext = secureContextFor(tls);
    } catch (e) {
      if (!(e instanceof TlsConfigError)) throw e;
      this.fail(e.message);
      return;
    }
    const t = new TLSSocket(raw, { isServer: true, secureContext, requestCert: tls.verify, rejectUnauthorized: tls.verify });
    // From here on closing the connection closes the TLS stream (and the socket under it).
    conn.socket = t;
    conn.outbound.switchedSocket();
    let done = false;
    const fail = (why: string) => {
      if (done) return;
      done = true;
      this.fail(why);
    };
    this.timer = setTimeout(() => {
      if (done || conn.closed) return;
      log.error(`${conn.label} - TLS handshake timeout`);
      fail(`read tcp ${socketAddress(raw.localAddress, raw.localPort)}->${socketAddress(raw.remoteAddress, raw.remotePort)}: i/o timeout`);
    }, tls.timeout);
    t.on("error", (e: Error) => fail(goHandshakeError(e, raw)));
    t.once("close", () => fail("EOF"));
    t.once("secure", () => {
      if (done) return;
      const why = this.checkPeer(t);
      if (why !== "") {
        fail(why);
        return;
      }
      done = true;
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      conn.tls = sessionInfo(t, tls);
      log.debug(`${conn.label} - TLS handshake complete`);
      log.debug(`${conn.label} - TLS version ${conn.tls.version}, cipher suite ${conn.tls.cipherSuite}`);
      if (conn.closed) return;
      if (tlsFirst) t.write(server.infoFor(conn, true));
      conn.attach(t);
    });
  }

  /** verify and pinned_certs, checked once the handshake is through: "" or Go's error. */
  private checkPeer(t: TLSSocket): string {
    const { tls, conn } = this;
    const peer = t.getPeerX509Certificate();
    if (tls.verify) {
      if (peer === undefined) return "tls: client didn't provide a certificate";
      // Node leaves the chain check of a server-side TLSSocket to its owner.
      const err = (t as unknown as { _handle?: { verifyError?: () => (Error & { code?: string }) | null } })._handle?.verifyError?.();
      if (err) return goVerifyError(err, peer);
    }
    if (tls.pinnedCerts.length > 0) {
      if (peer === undefined) {
        this.server.logger.debug(`${conn.label} - Failed pinned cert test as client did not provide a certificate`);
        return "certificate not pinned";
      }
      const keyId = spkiSha256(peer);
      if (!tls.pinnedCerts.includes(keyId)) {
        this.server.logger.debug(`${conn.label} - Failed pinned cert test for key id: ${keyId}`);
        return "certificate not pinned";
      }
    }
    return "";
  }

  private fail(why: string): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.conn.closed) return;
    this.server.logger.error(`${this.conn.label} - TLS handshake error: ${why}`);
    this.conn.close(ClosedState.TLSHandshakeError, false);
  }
}

/**
 * The client's certificate chain, leaf first. Node reports the chain as
 * verified (the certificates the client sent, completed from the CA file);
 * Node and OpenSSL clients send their whole chain, as Go then lists it.
 */
function peerChain(t: TLSSocket): X509Certificate[] {
  const out: X509Certificate[] = [];
  let c: DetailedPeerCertificate | undefined = t.getPeerCertificate(true) as DetailedPeerCertificate;
  while (c && c.raw && out.length < MAX_CHAIN) {
    out.push(new X509Certificate(c.raw));
    if (c.issuerCertificate === c) break;
    c = c.issuerCertificate;
  }
  return out;
}
const MAX_CHAIN = 10;

/** The negotiated session as /connz reports it. */
export function sessionInfo(t: TLSSocket, tls: TlsOptions): ConnectionTlsInfo {
  const chain = peerChain(t);
  return {
    version: (t.getProtocol() ?? "").replace(/^TLSv/, ""),
    cipherSuite: t.getCipher()?.standardName ?? "",
    peerCerts: chain.map(peerCertInfo),
    identity: tls.map && chain.length > 0 ? certIdentity(chain[0]) : null,
  };
}
