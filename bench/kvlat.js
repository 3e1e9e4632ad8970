// bench/kvlat.js - the key-value latency scenario of the load generator.
// Owns: creating the bucket stream KV_BENCH as @nats-io/kv does (history 1,
// rollups, direct get, discard new), then n rounds of one put (publish to
// $KV.BENCH.<key>, wait for the PubAck) followed by one get of that key (a
// direct get, $JS.API.DIRECT.GET.KV_BENCH.$KV.BENCH.<key>, answered with
// HMSG), one at a time; reports put, get and round latency percentiles.
// The first o.warmup rounds are untimed. With o.latDump, every timed round's
// start (ms since the first), put and get latency (µs) go to that file.
// Raw protocol over one socket.
import fs from 'node:fs';
import net from 'node:net';
import { CONNECT_LINE } from './proto.js';
import { nowS } from './conn.js';

const KEYS = 64;

/**
 * o: {host, port, n, warmup, size, storage, timeout, latDump} -> result fields for the JSON line;
 * onTimed() is called just before the first timed round.
 */
export function runKvLatency(o, onTimed = () => {}) {
  return new Promise((resolve) => {
    const s = net.connect({ host: o.host, port: o.port, noDelay: true });
    const inbox = `_INBOX.kvbench.${process.pid}`;
    const payload = 'v'.repeat(o.size);
    const putLat = new Float64Array(o.n);
    const getLat = new Float64Array(o.n);
    const startMs = new Float64Array(o.n);
    const warmup = Math.max(0, o.warmup);
    let pend = '';
    let phase = 0; // 0 INFO, 1 bucket created?, 2 put sent, 3 get sent
    let round = -warmup; // negative while warming up
    let errors = 0;
    let firstErr = null;
    let t0 = 0;
    let tOp = 0;
    const timer = setTimeout(() => finish('timeout'), o.timeout * 1000);
    const pct = (arr, n, p) => {
      const l = Array.from(arr.subarray(0, n)).sort((a, b) => a - b);
      return l.length ? Math.round(l[Math.min(l.length - 1, Math.floor((p / 100) * l.length))] * 10) / 10 : null;
    };
    const finish = (err) => {
      clearTimeout(timer);
      s.destroy();
      if (round < 0) round = 0;
      const secs = nowS() - t0;
      const both = new Float64Array(round);
      for (let i = 0; i < round; i++) both[i] = putLat[i] + getLat[i];
      const res = { storage: o.storage, msgs: round, seconds: secs, msgs_per_sec: Math.round(round / secs), reqs_per_sec: Math.round(round / secs), errors, ok: !err && errors === 0 && round === o.n };
      Object.assign(res, {
        p50_us: pct(both, round, 50),
        p90_us: pct(both, round, 90),
        p99_us: pct(both, round, 99),
        put_p50_us: pct(putLat, round, 50),
        put_p99_us: pct(putLat, round, 99),
        get_p50_us: pct(getLat, round, 50),
        get_p99_us: pct(getLat, round, 99),
      });
      if (err || firstErr) res.error = err || firstErr;
      if (warmup > 0) res.warmup = warmup;
      if (o.latDump) {
        const lines = [];
        for (let i = 0; i < round; i++) lines.push(`${startMs[i].toFixed(3)} ${putLat[i].toFixed(1)} ${getLat[i].toFixed(1)}`);
        fs.writeFileSync(o.latDump, `${lines.join('\n')}\n`);
      }
      resolve(res);
    };
    const put = () => {
      phase = 2;
      tOp = nowS();
      if (round === 0) {
        onTimed();
        t0 = tOp = nowS();
      }
      if (round >= 0) startMs[round] = (tOp - t0) * 1e3;
      s.write(`PUB $KV.BENCH.k${(round + warmup) % KEYS} ${inbox}.p ${o.size}\r\n${payload}\r\n`, 'latin1');
    };
    const get = () => {
      phase = 3;
      tOp = nowS();
      s.write(`PUB $JS.API.DIRECT.GET.KV_BENCH.$KV.BENCH.k${(round + warmup) % KEYS} ${inbox}.g 0\r\n\r\n`, 'latin1');
    };
    const onMsg = (hdr, body) => {
      if (phase === 1) {
        const r = JSON.parse(body);
        if (r.error) return finish(`bucket create: ${r.error.description}`);
        return put();
      }
      if (phase === 2) {
        if (round >= 0) putLat[round] = (nowS() - tOp) * 1e6;
        if (body.charCodeAt(2) !== 115 /* {"stream"… */) {
          errors++;
          firstErr ??= body;
        }
        return get();
      }
      if (round >= 0) getLat[round] = (nowS() - tOp) * 1e6;
      if (body !== payload || !hdr.includes('Nats-Sequence')) {
        errors++;
        firstErr ??= `get: ${hdr.split('\r\n')[0]} ${body.slice(0, 40)}`;
      }
      round++;
      if (round === o.n) return finish(null);
      put();
    };
    s.setEncoding('latin1');
    s.on('data', (d) => {
      pend = pend.length ? pend + d : d;
      let at = 0;
      for (;;) {
        const eol = pend.indexOf('\r\n', at);
        if (eol < 0) break;
        const isH = pend.startsWith('HMSG ', at);
        if (isH || pend.startsWith('MSG ', at)) {
          const parts = pend.slice(at, eol).split(' ');
          const total = Number(parts[parts.length - 1]);
          const hlen = isH ? Number(parts[parts.length - 2]) : 0;
          if (pend.length < eol + 2 + total + 2) break;
          const hdr = pend.slice(eol + 2, eol + 2 + hlen);
          const body = pend.slice(eol + 2 + hlen, eol + 2 + total);
          at = eol + 2 + total + 2;
          onMsg(hdr, body);
          continue;
        }
        const line = pend.slice(at, eol);
        at = eol + 2;
        if (line.startsWith('INFO') && phase === 0) {
          phase = 1;
          const cfg = JSON.stringify({
            name: 'KV_BENCH',
            subjects: ['$KV.BENCH.>'],
            storage: o.storage,
            max_msgs_per_subject: 1,
            discard: 'new',
            allow_rollup_hdrs: true,
            deny_delete: true,
            allow_direct: true,
            num_replicas: 1,
            max_msg_size: -1,
            max_bytes: -1,
            max_age: 0,
            duplicate_window: 120e9,
          });
          s.write(`${CONNECT_LINE}SUB ${inbox}.* 1\r\nPUB $JS.API.STREAM.CREATE.KV_BENCH ${inbox}.create ${Buffer.byteLength(cfg)}\r\n${cfg}\r\n`);
        } else if (line.startsWith('PING')) s.write('PONG\r\n');
        else if (line.startsWith('-ERR')) return finish(line);
      }
      pend = at >= pend.length ? '' : pend.slice(at);
    });
    s.on('error', (e) => finish(e.message));
  });
}
