// bench/jspub.js - the JetStream publish scenario of the load generator.
// Owns: creating the stream BENCH (file or memory) on the subject, then
// publishing n messages with a reply inbox, at most `jswin` PubAcks
// outstanding, checking that every PubAck names the next sequence; reports
// msgs/s, and with jswin 1 (one publish at a time) the latency percentiles.
// Raw protocol over one socket, as shared/bench/natsbench's jspub mode.
import net from 'node:net';
import { CONNECT_LINE } from './proto.js';
import { nowS } from './conn.js';

const STREAM = 'BENCH';

/** o: {host, port, n, size, subject, storage, jswin, timeout} -> result fields for the JSON line */
export function runJsPub(o) {
  return new Promise((resolve) => {
    const s = net.connect({ host: o.host, port: o.port, noDelay: true });
    const inbox = `_INBOX.jsbench.${process.pid}`;
    const payload = 'a'.repeat(o.size);
    const win = Math.max(1, o.jswin);
    const lat = win === 1 ? new Float64Array(o.n) : null;
    let pend = '';
    let phase = 0; // 0 INFO, 1 stream created?, 2 publishing
    let sent = 0;
    let acked = 0;
    let errors = 0;
    let firstErr = null;
    let t0 = 0;
    let tSent = 0;
    const timer = setTimeout(() => finish('timeout'), o.timeout * 1000);
    const finish = (err) => {
      clearTimeout(timer);
      s.destroy();
      const secs = nowS() - t0;
      const res = { storage: o.storage, jswin: win, msgs: acked, seconds: secs, msgs_per_sec: Math.round(acked / secs), errors, ok: !err && errors === 0 && acked === o.n };
      if (err || firstErr) res.error = err || firstErr;
      if (lat) {
        const l = Array.from(lat.subarray(0, acked)).sort((a, b) => a - b);
        const at = (p) => Math.round(l[Math.min(l.length - 1, Math.floor((p / 100) * l.length))] * 10) / 10;
        Object.assign(res, { p50_us: at(50), p90_us: at(90), p99_us: at(99), reqs_per_sec: res.msgs_per_sec });
      }
      resolve(res);
    };
    const head = `PUB ${o.subject} ${inbox}.`;
    const tail = ` ${o.size}\r\n${payload}\r\n`;
    const pump = () => {
      let frames = '';
      while (sent < o.n && sent - acked < win) {
        frames += head + sent + tail;
        sent++;
      }
      if (frames !== '') {
        tSent = nowS();
        s.write(frames, 'latin1');
      }
    };
    const onMsg = (body) => {
      if (phase === 1) {
        const r = JSON.parse(body);
        if (r.error && r.error.err_code !== 10058) return finish(`stream create: ${r.error.description}`);
        phase = 2;
        t0 = nowS();
        pump();
        return;
      }
      if (body.charCodeAt(2) !== 115 /* {"s… = a PubAck, not {"error"… */) {
        errors++;
        firstErr ??= body;
      }
      if (lat) lat[acked] = (nowS() - tSent) * 1e6;
      acked++;
      if (acked === o.n) return finish(null);
      pump();
    };
    s.setEncoding('latin1');
    s.on('data', (d) => {
      pend = pend.length ? pend + d : d;
      let at = 0;
      for (;;) {
        const eol = pend.indexOf('\r\n', at);
        if (eol < 0) break;
        if (pend.startsWith('MSG ', at)) {
          const sp = pend.lastIndexOf(' ', eol);
          const size = Number(pend.slice(sp + 1, eol));
          if (pend.length < eol + 2 + size + 2) break;
          const body = pend.slice(eol + 2, eol + 2 + size);
          at = eol + 2 + size + 2;
          onMsg(body);
          continue;
        }
        const line = pend.slice(at, eol);
        at = eol + 2;
        if (line.startsWith('INFO') && phase === 0) {
          phase = 1;
          const cfg = JSON.stringify({ name: STREAM, subjects: [o.subject], storage: o.storage });
          s.write(`${CONNECT_LINE}SUB ${inbox}.* 1\r\nPUB $JS.API.STREAM.CREATE.${STREAM} ${inbox}.create ${Buffer.byteLength(cfg)}\r\n${cfg}\r\n`);
        } else if (line.startsWith('PING')) s.write('PONG\r\n');
        else if (line.startsWith('-ERR')) return finish(line);
      }
      pend = at >= pend.length ? '' : pend.slice(at);
    });
    s.on('error', (e) => finish(e.message));
  });
}
