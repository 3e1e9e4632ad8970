// Test helper: a raw NATS protocol client over node:net. Collects everything
// the server sends (as a latin1 string, so bytes round-trip) and lets a test
// wait for a pattern with a timeout.
import * as net from "node:net";

export class RawClient {
  /** Everything received so far. */
  data = "";
  /** True once the server closed (or the socket failed). */
  closed = false;

  constructor(socket) {
    this.socket = socket;
    this.waiters = [];
    socket.on("data", (d) => {
      this.data += d.toString("latin1");
      this.check();
    });
    socket.on("error", () => {});
    socket.on("close", () => {
      this.closed = true;
      this.check();
    });
  }

  /** Connect to 127.0.0.1:port; resolves once the TCP connection is up. */
  static connect(port, host = "127.0.0.1") {
    return new Promise((resolve, reject) => {
      const s = net.connect({ port, host });
      const c = new RawClient(s);
      s.once("connect", () => resolve(c));
      s.once("error", reject);
    });
  }

  /** Connect and wait for the server's INFO line. */
  static async open(port, host = "127.0.0.1") {
    const c = await RawClient.connect(port, host);
    await c.waitFor(/^INFO .*\r\n/);
    return c;
  }

  /** The INFO line's JSON, parsed. */
  info() {
    const m = /^INFO (.*) \r\n/.exec(this.data);
    return m ? JSON.parse(m[1]) : null;
  }

  /** Text received after the INFO line. */
  afterInfo() {
    return this.data.replace(/^INFO .*\r\n/, "");
  }

  send(x) {
    this.socket.write(typeof x === "string" ? Buffer.from(x, "latin1") : x);
  }

  /** Send one byte per write, yielding between writes so each is its own chunk. */
  async sendSlowly(x, delayMs = 1) {
    const b = typeof x === "string" ? Buffer.from(x, "latin1") : x;
    for (let i = 0; i < b.length; i++) {
      this.socket.write(b.subarray(i, i + 1));
      await new Promise((r) => setTimeout(r, delayMs));
    }
  }

  /** How many times `s` occurs in what was received. */
  count(s) {
    let n = 0;
    for (let i = this.data.indexOf(s); i >= 0; i = this.data.indexOf(s, i + s.length)) n++;
    return n;
  }

  /**
   * Wait until the received text matches `pattern` (string: includes; RegExp:
   * test; function: called with the data) and resolve with the data. Rejects
   * after `timeoutMs`, or at once if the connection closes without a match.
   */
  waitFor(pattern, timeoutMs = 2000) {
    const ok = () =>
      typeof pattern === "string" ? this.data.includes(pattern) : typeof pattern === "function" ? pattern(this.data) : pattern.test(this.data);
    if (ok()) return Promise.resolve(this.data);
    return new Promise((resolve, reject) => {
      const w = {
        ok,
        resolve,
        reject,
        what: String(pattern),
        timer: setTimeout(() => {
          this.waiters = this.waiters.filter((x) => x !== w);
          reject(new Error(`timed out waiting for ${pattern}; got ${JSON.stringify(this.data.slice(-500))}${this.closed ? " (closed)" : ""}`));
        }, timeoutMs),
      };
      this.waiters.push(w);
    });
  }

  /** Wait until the server closes the connection. */
  waitClosed(timeoutMs = 2000) {
    if (this.closed) return Promise.resolve(this.data);
    return new Promise((resolve, reject) => {
      const w = {
        ok: () => this.closed,
        resolve,
        reject,
        what: "close",
        timer: setTimeout(() => {
          this.waiters = this.waiters.filter((x) => x !== w);
          reject(new Error(`connection not closed after ${timeoutMs}ms; got ${JSON.stringify(this.data.slice(-500))}`));
        }, timeoutMs),
      };
      this.waiters.push(w);
    });
  }

  /** PING and wait for the matching PONG count: everything sent before is processed. */
  async ping(timeoutMs = 2000) {
    const n = this.count("PONG\r\n");
    this.send("PING\r\n");
    await this.waitFor(() => this.count("PONG\r\n") > n, timeoutMs);
  }

  check() {
    for (const w of [...this.waiters]) {
      const ok = w.ok();
      if (!ok && !this.closed) continue;
      clearTimeout(w.timer);
      this.waiters = this.waiters.filter((x) => x !== w);
      // Closed without a match: it can never match now.
      if (ok) w.resolve(this.data);
      else w.reject(new Error(`connection closed while waiting for ${w.what}; got ${JSON.stringify(this.data.slice(-500))}`));
    }
  }

  close() {
    for (const w of this.waiters) clearTimeout(w.timer);
    this.waiters = [];
    this.socket.destroy();
  }
}
