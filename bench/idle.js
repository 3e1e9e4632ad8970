// bench/idle.js - the idle-connections scenario of the load generator.
// Owns: opening N client connections (INFO -> CONNECT + PING -> PONG each,
// a bounded number of handshakes in flight), keeping them open and idle, and
// the server's RSS before / after, reported as RSS growth per connection.
import net from 'node:net';
import { CONNECT_LINE } from './proto.js';
import { memKiB, nofileLimit } from './procfs.js';
import { nowS } from './conn.js';

const sleep = (ms) => new Promise((res) => setTimeout(res, ms));

/** o: {host, port, n, conc, timeout, spid} -> result fields for the JSON line */
export async function runIdle(o) {
  const t0 = nowS();
  const deadline = t0 + o.timeout;
  const lim = nofileLimit();
  let n = o.n;
  let limitNote = null;
  if (lim.soft > 0 && lim.soft < n + 64) {
    n = Math.max(1, lim.soft - 64);
    limitNote = `ulimit -n (open files) of the load generator is ${lim.soft} (hard ${lim.hard}): opened ${n} instead of ${o.n}`;
  }
  const mem0 = memKiB(o.spid);
  const socks = [];
  let next = 0;
  let inflight = 0;
  let opened = 0;
  let failed = 0;
  let firstErr = null;
  let wake = null;
  const kick = () => {
    if (wake !== null) {
      const w = wake;
      wake = null;
      w();
    }
  };
  const openOne = () => {
    inflight++;
    let pend = '';
    let state = 0; // 0 wait INFO, 1 wait PONG, 2 idle, 3 dead
    const s = net.connect({ host: o.host, port: o.port, noDelay: true });
    socks.push(s);
    s.setEncoding('latin1');
    const fail = (msg) => {
      if (state === 3) return;
      const wasOpen = state === 2;
      state = 3;
      if (!wasOpen) inflight--;
      else opened--;
      failed++;
      if (firstErr === null) firstErr = msg;
      s.destroy();
      kick();
    };
    s.on('data', (d) => {
      pend += d;
      let i;
      while ((i = pend.indexOf('\r\n')) >= 0) {
        const line = pend.slice(0, i);
        pend = pend.slice(i + 2);
        const op = line.slice(0, 4).toUpperCase();
        if (op === 'INFO' && state === 0) {
          state = 1;
          s.write(CONNECT_LINE + 'PING\r\n');
        } else if (op === 'PONG' && state === 1) {
          state = 2;
          inflight--;
          opened++;
          kick();
        } else if (op === 'PING') s.write('PONG\r\n');
        else if (op === '-ERR') fail(`server: ${line}`);
      }
    });
    s.on('error', (e) => fail(e.code || e.message));
    s.on('close', () => fail('connection closed by server'));
  };
  let timedOut = false;
  while (opened + failed < n && firstErr === null) {
    while (next < n && inflight < o.conc && firstErr === null) {
      next++;
      openOne();
    }
    if (nowS() > deadline) {
      timedOut = true;
      break;
    }
    await new Promise((res) => {
      wake = res;
      setTimeout(res, 50);
    });
  }
  const tOpen = nowS() - t0;
  await sleep(1000); // let the server settle (lazy allocations, GC)
  const mem1 = memKiB(o.spid);
  const stillOpen = opened;
  for (const s of socks) s.destroy();
  const res = {
    n: o.n,
    requested: o.n,
    attempted: next,
    opened: stillOpen,
    failed,
    open_seconds: Math.round(tOpen * 1000) / 1000,
    conns_per_sec: Math.round(stillOpen / tOpen),
  };
  if (mem0 && mem1) {
    res.server_rss_before_kib = mem0.rss;
    res.server_rss_after_kib = mem1.rss;
    res.server_hwm_kib = mem1.hwm;
    res.rss_per_conn_kib = stillOpen > 0 ? Math.round(((mem1.rss - mem0.rss) / stillOpen) * 100) / 100 : null;
    res.msgs_per_sec = res.rss_per_conn_kib; // the scenario's headline number (compare.sh-style tables)
  }
  if (limitNote) res.limit = limitNote;
  res.ok = !timedOut && firstErr === null && stillOpen === n;
  if (timedOut) res.error = `timeout after ${o.timeout} s with ${stillOpen} of ${n} connections open`;
  else if (firstErr) res.error = `after ${stillOpen} connections: ${firstErr}`;
  else if (stillOpen !== n) res.error = `${n - stillOpen} connections failed`;
  return res;
}
